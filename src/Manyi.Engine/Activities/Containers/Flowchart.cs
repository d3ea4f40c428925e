using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's flowchart as a container: its activities run along its connections. An activity's outcomes send a live
/// token down each connection from a port among them and a dead token down every other; an activity with several
/// inbound connections waits until every one it waits for has a token and runs if any is live, otherwise passes dead
/// tokens on, so a join after an untaken branch never hangs. Loops (back edges) re-enter their target directly. The
/// flowchart completes when nothing runs or waits in it any more, or when an Elsa.Complete in it says so.
/// </summary>
[Activity("Elsa.Flowchart", "Flow", "Runs its activities along their connections: tokens, joins and loops; completes when nothing is left to run.")]
public sealed class Flowchart : ContainerActivity
{
    private IReadOnlyList<string> _completeOutcomes = [];

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var children = node.Activities ?? [];
        // An Elsa.Complete in the flowchart names ports the flowchart leaves by, as Elsa shows them.
        _completeOutcomes = [.. children.Where(c => c.Type == "Elsa.Complete")
            .Select(c => Expression.FromInputProperty(c.Properties["outcomes"]))
            .Where(e => e?.Type == Expression.Literal)
            .SelectMany(e => Complete.Names(e!.Value))
            .Distinct()];
        return children;
    }

    public override IReadOnlyList<string> GetOutcomes() => [Done, .. _completeOutcomes.Where(o => o != Done)];

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var run = FlowchartRun.Of(context);
        // A run started by a trigger nested in this flowchart (in a sequence, a nested flowchart…) starts at the
        // activity that holds it, as Elsa starts a flowchart at its trigger; kept, so that every callback of this
        // run analyses the same start.
        if (FlowchartRun.TriggerHolder(context) is { } holder && holder != run.StartId)
        {
            context.Properties[FlowchartRun.StartProperty] = holder;
            run = FlowchartRun.Of(context);
        }
        if (run.StartId is not { } start) return ValueTask.FromResult(ActivityStep.Done);
        context.ScheduleChild(start);
        return ValueTask.FromResult(ActivityStep.KeepWaiting);
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child)
    {
        var run = FlowchartRun.Of(context);
        run.Propagate(run.Shape.Nodes[child.ActivityId], child.Outcomes);
        run.ReleaseHeldLoopExits();
        return ValueTask.FromResult(context.HasPendingChildren ? ActivityStep.KeepWaiting : ActivityStep.Done);
    }

    public override ValueTask<ActivityStep> OnChildEndedAsync(ActivityContext context, ChildCompletion child)
    {
        FlowchartRun.Of(context).ReleaseHeldLoopExits();
        return ValueTask.FromResult(context.HasPendingChildren ? ActivityStep.KeepWaiting : ActivityStep.Done);
    }

    /// <summary>An Elsa.Complete inside ends the flowchart with its outcomes.</summary>
    public override bool Receives(ActivitySignal signal) => signal.Name == ActivitySignal.Complete;
}

/// <summary>One running flowchart: its shape, its context's token state and the analysis for its start.</summary>
internal sealed class FlowchartRun
{
    private readonly Burst _burst;
    private readonly ExecutionContextState _context;
    private readonly FlowAnalysis? _analysis;

    private FlowchartRun(Burst burst, FlowchartShape shape, ExecutionContextState context)
    {
        _burst = burst;
        Shape = shape;
        _context = context;
        // The start this run chose (a nested trigger's holder), else: the root flowchart where the run started (a
        // trigger), a nested one at its own default start.
        StartId = context.Properties.GetValueOrDefault(StartProperty)?.GetValue<string>() is { } chosen && shape.Nodes.ContainsKey(chosen)
            ? chosen
            : context.ParentId is null && burst.Instance.State.StartActivityId is { } start && shape.Nodes.ContainsKey(start)
                ? start
                : shape.DefaultStartId;
        _analysis = StartId is null ? null : shape.Analyze(StartId);
    }

    public static FlowchartRun Of(ActivityContext context) =>
        new(context.Burst, context.Burst.Graph.Flowcharts[context.Node.Id], context.Execution!);

    /// <summary>The context property that keeps the start a run chose for this flowchart.</summary>
    public const string StartProperty = "start";

    /// <summary>
    /// The flowchart's own activity that is or holds, at any depth, the activity this run started at: the trigger
    /// still to run in this burst, or, for the root flowchart, the run's start activity; null when it holds neither.
    /// </summary>
    public static string? TriggerHolder(ActivityContext context)
    {
        var burst = context.Burst;
        var startAt = burst.PendingTrigger?.ActivityId
            ?? (context.Execution!.ParentId is null ? burst.Instance.State.StartActivityId : null);
        for (var node = startAt is null ? null : burst.Graph.Nodes.GetValueOrDefault(startAt); node is not null; node = node.Parent)
            if (node.Parent?.Node.Id == context.Node.Id)
                return node.Node.Id;
        return null;
    }

    public FlowchartShape Shape { get; }
    public string? StartId { get; }

    private FlowAnalysis Analysis => _analysis!;

    private void Schedule(string activityId) => _burst.Schedule(new WorkItem(activityId, _context.Id));

    public void Propagate(GraphNode node, IReadOnlyList<string> outcomes)
    {
        // Live tokens first, so that a loop's next round is scheduled before its exits are judged below.
        foreach (var connection in node.Outbound.Where(c => outcomes.Contains(c.SourcePort)))
            Deliver(connection, live: true);
        foreach (var connection in node.Outbound.Where(c => !outcomes.Contains(c.SourcePort)))
        {
            if (!LeavesActiveLoop(connection))
                Deliver(connection, live: false);
            else if (!_context.HeldLoopExits.Contains(connection.Index))
                _context.HeldLoopExits.Add(connection.Index);
        }
    }

    /// <summary>
    /// Whether a connection leaves a loop that still has a round to go. Such an exit is not dead yet, since a later
    /// round may take it: its dead token is held (<see cref="ExecutionContextState.HeldLoopExits"/>), otherwise a join
    /// after the loop would run after the loop's first round.
    /// </summary>
    private bool LeavesActiveLoop(FlowConnection connection) =>
        Analysis.LoopsExited.TryGetValue(connection.Index, out var loops) && loops.Any(IsActive);

    /// <summary>Whether anything of a loop's body is scheduled or alive (running, waiting) in this flowchart.</summary>
    private bool IsActive(HashSet<string> body) =>
        _burst.Instance.State.Queue.Exists(i => i.OwnerId == _context.Id && body.Contains(i.ActivityId))
        || _burst.ChildrenOf(_context.Id).Any(c => body.Contains(c.ActivityId!));

    /// <summary>A held loop exit whose loop has no work left is dead for good: its token goes down now.</summary>
    public void ReleaseHeldLoopExits()
    {
        foreach (var index in _context.HeldLoopExits.ToList())
        {
            var connection = Shape.Connections[index];
            if (LeavesActiveLoop(connection)) continue;
            _context.HeldLoopExits.Remove(index);
            Deliver(connection, live: false);
        }
    }

    private void Deliver(FlowConnection connection, bool live)
    {
        var target = connection.Target;
        if (live) _context.HeldLoopExits.Remove(connection.Index);
        if (Analysis.BackEdges.Contains(connection.Index) && Shape.MergeModes[target] != MergeMode.Converge)
        {
            // A loop re-enters its target afresh; an untaken loop-back simply ends.
            if (live)
            {
                _context.Tokens.Remove(target);
                Schedule(target);
            }
            return;
        }

        var targetNode = Shape.Nodes[target];
        var mode = Shape.MergeModes[target];
        var waitFor = mode == MergeMode.Converge ? [.. targetNode.Inbound.Select(c => c.Index)] : Analysis.WaitFor[target];
        if (waitFor.Length <= 1)
        {
            if (live) Schedule(target);
            else Propagate(targetNode, []);
            return;
        }

        if (!_context.Tokens.TryGetValue(target, out var tokens))
            _context.Tokens[target] = tokens = [];
        tokens[connection.Index] = live;

        if (live && (mode == MergeMode.Race || targetNode.Activity is Flow.FlowJoin { WaitsForAny: true }))
        {
            // Nothing upstream is left pending after the cancellation, so no late token can arrive this round.
            CancelBranchesInto(target);
            Schedule(target);
            return;
        }
        // Cascade runs the activity once for every live token as it arrives.
        if (live && mode == MergeMode.Cascade) Schedule(target);

        if (!waitFor.All(tokens.ContainsKey)) return;
        _context.Tokens.Remove(target);
        var run = mode switch
        {
            // Stream goes on once every branch it waits for has arrived or is known dead, if any arrived live.
            MergeMode.Stream => waitFor.Any(i => tokens[i]),
            // Merge and Converge need every branch live: a dead one blocks the activity (and what follows it).
            MergeMode.Merge or MergeMode.Converge => waitFor.All(i => tokens[i]),
            _ => false,
        };
        if (run) Schedule(target);
        else if (mode != MergeMode.Cascade || !waitFor.Any(i => tokens[i])) Propagate(targetNode, []);
    }

    /// <summary>A wait-any join fired: every other activity still pending upstream of it is cancelled.</summary>
    private void CancelBranchesInto(string joinId)
    {
        var ancestors = Analysis.Ancestors[joinId];
        _burst.Instance.State.Queue.RemoveAll(i => i.OwnerId == _context.Id && ancestors.Contains(i.ActivityId));
        foreach (var branch in _burst.ChildrenOf(_context.Id).Where(c => ancestors.Contains(c.ActivityId!)).ToList())
            _burst.Cancel(branch, new JournalMessage(JournalKeys.CancelledByJoin,
                new System.Text.Json.Nodes.JsonObject { ["join"] = _burst.Graph.Nodes.GetValueOrDefault(joinId)?.Node.Name }));
        foreach (var ancestor in ancestors) _context.Tokens.Remove(ancestor);
        _context.HeldLoopExits.RemoveAll(index => ancestors.Contains(Shape.Connections[index].Source));
        _context.Tokens.Remove(joinId);
    }
}

/// <summary>
/// How an activity with several inbound connections takes its tokens (Elsa 3.6's <c>customProperties.mergeMode</c>).
/// </summary>
public enum MergeMode
{
    /// <summary>Once every inbound branch has arrived or is known dead, if any arrived live; None reads as Stream.</summary>
    Stream,

    /// <summary>Every forward inbound branch must arrive live; a dead one blocks.</summary>
    Merge,

    /// <summary>Every inbound connection, loops included, must carry a live token; the strictest, it may block.</summary>
    Converge,

    /// <summary>Once for every live token, as each arrives.</summary>
    Cascade,

    /// <summary>On the first live token; the other branches are cancelled.</summary>
    Race,
}

/// <summary>Reads an activity's merge mode as Elsa writes it: a name (or Elsa's enum number) in <c>customProperties.mergeMode</c>.</summary>
public static class MergeModes
{
    /// <summary>The mode, null for none (or None); throws for a value that names no mode.</summary>
    public static MergeMode? Parse(System.Text.Json.Nodes.JsonNode? value) => value switch
    {
        null => null,
        System.Text.Json.Nodes.JsonValue number when number.GetValueKind() == System.Text.Json.JsonValueKind.Number => number.GetValue<int>() switch
        {
            0 => null, 1 => MergeMode.Stream, 2 => MergeMode.Merge, 3 => MergeMode.Converge, 4 => MergeMode.Cascade, 5 => MergeMode.Race,
            var other => throw new FormatException($"mergeMode {other} is not one of Elsa's modes (0-5)"),
        },
        System.Text.Json.Nodes.JsonValue text when text.TryGetValue<string>(out var name) =>
            string.Equals(name, "None", StringComparison.OrdinalIgnoreCase) || name.Length == 0 ? null
            : Enum.TryParse<MergeMode>(name, ignoreCase: true, out var mode) ? mode
            : throw new FormatException($"mergeMode '{name}' is not one of None, Stream, Merge, Converge, Cascade, Race"),
        _ => throw new FormatException("mergeMode must be a name such as Merge"),
    };
}
