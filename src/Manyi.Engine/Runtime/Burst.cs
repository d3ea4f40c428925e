using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// One execution burst: runs scheduled activities until none is left (the instance suspends or finishes) or one
/// faults. Flowchart semantics: an activity's outcomes send a live token down each connection from a port among
/// them and a dead token down every other; a node with several inbound connections waits until every one it
/// waits for has a token and runs if any is live, otherwise passes dead tokens on, so a join after an untaken
/// branch never hangs. Loops (back edges) re-enter their target directly.
/// </summary>
internal sealed class Burst
{
    /// <summary>Guards against a loop that never waits.</summary>
    private const int MaxStepsPerBurst = 10_000;

    private readonly FlowAnalysis _analysis;

    public Burst(WorkflowGraph graph, WorkflowInstance instance, ExpressionEvaluator evaluator, IServiceProvider services,
        DateTimeOffset now, bool isNewInstance, CancellationToken cancellationToken)
    {
        Graph = graph;
        Instance = instance;
        Evaluator = evaluator;
        Services = services;
        Now = now;
        CancellationToken = cancellationToken;
        Result = new BurstResult { ExpectedRevision = instance.Revision, IsNewInstance = isNewInstance };
        instance.State.StartActivityId ??= graph.DefaultStartId;
        _analysis = graph.Analyze(instance.State.StartActivityId
            ?? throw new InvalidOperationException($"Workflow '{graph.Definition.DefinitionId}' has no start activity."));
    }

    public WorkflowGraph Graph { get; }
    public WorkflowInstance Instance { get; }
    public ExpressionEvaluator Evaluator { get; }
    public IServiceProvider Services { get; }
    public DateTimeOffset Now { get; }
    public CancellationToken CancellationToken { get; }
    public BurstResult Result { get; }
    public (string ActivityId, Stimulus Stimulus)? PendingTrigger { get; set; }

    private WorkflowState State => Instance.State;

    public void Journal(ActivityNode? node, JournalEvent @event, string? message = null, IReadOnlyList<string>? outcomes = null) =>
        Result.Journal.Add(new JournalEntry(Instance.Id, State.JournalSequence++, Now, node?.Id, node?.Type, node?.Name, @event, message, outcomes));

    public void Schedule(string activityId) => State.Queue.Add(activityId);

    /// <summary>
    /// Resumes each of these bookmarks in turn, running the work each one releases before the next; a bookmark that
    /// this work removed (a wait-any join, a Finish) is skipped.
    /// </summary>
    public async Task ResumeAsync(IReadOnlyList<Bookmark> bookmarks, Stimulus stimulus)
    {
        Instance.Status = WorkflowStatus.Running;
        var steps = 0;
        foreach (var bookmark in bookmarks)
        {
            if (Instance.Status != WorkflowStatus.Running || !Instance.Bookmarks.Contains(bookmark)) continue;
            RemoveBookmark(bookmark);
            var node = Graph.Nodes[bookmark.ActivityId];
            Journal(node.Node, JournalEvent.Resumed);
            await StepAsync(node, context => node.Activity.ResumeAsync(context, new ResumeContext(bookmark, stimulus)));
            steps = await RunQueueAsync(steps);
        }
        Settle();
    }

    /// <summary>Runs the queue until it is empty or an activity faults, then settles the instance's status.</summary>
    public async Task RunAsync()
    {
        await RunQueueAsync(0);
        Settle();
    }

    /// <summary>Runs scheduled activities; returns the steps taken so far in this burst, for the loop guard.</summary>
    private async Task<int> RunQueueAsync(int steps)
    {
        while (State.Queue.Count > 0 && Instance.Status == WorkflowStatus.Running)
        {
            if (++steps > MaxStepsPerBurst)
            {
                // The looping activity stays at the head of the queue, so a retry resumes the loop where it stopped.
                // The instance faults whatever the incident strategy: continuing would only spin again.
                var looping = Graph.Nodes[State.Queue[0]];
                RecordIncident(looping, new InvalidOperationException(
                    $"The workflow ran {MaxStepsPerBurst} activities without waiting; a loop without a wait is suspected."));
                Instance.Status = WorkflowStatus.Faulted;
                break;
            }
            var node = Graph.Nodes[State.Queue[0]];
            State.Queue.RemoveAt(0);
            await StepAsync(node, context => node.Activity.ExecuteAsync(context));
        }
        return steps;
    }

    private async Task StepAsync(GraphNode node, Func<ActivityContext, ValueTask<ActivityStep>> step)
    {
        ActivityStep result;
        try
        {
            result = await step(new ActivityContext(this, node));
            if (result is ActivityStep.Suspended { Bookmarks: var requests } && requests.FirstOrDefault(r => r.Key?.Length > Bookmark.MaxKeyLength) is { } tooLong)
                throw new InvalidOperationException(
                    $"The bookmark key (e.g. an event name) has {tooLong.Key!.Length} characters; at most {Bookmark.MaxKeyLength} are allowed.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !CancellationToken.IsCancellationRequested)
        {
            var incident = RecordIncident(node, ex);
            if (Graph.Definition.IncidentStrategy == IncidentStrategy.Continue)
            {
                Journal(node.Node, JournalEvent.Message, $"Continuing after incident {incident.Id}.");
                Propagate(node, []);
                ReleaseHeldLoopExits();
            }
            else
            {
                // The faulted activity goes back to the head of the queue so that a retry runs it again.
                State.Queue.Insert(0, node.Node.Id);
                Instance.Status = WorkflowStatus.Faulted;
            }
            return;
        }
        finally
        {
            if (PendingTrigger?.ActivityId == node.Node.Id) PendingTrigger = null;
        }

        switch (result)
        {
            case ActivityStep.Completed completed:
                foreach (var leftover in Instance.Bookmarks.Where(b => b.ActivityId == node.Node.Id).ToList())
                    RemoveBookmark(leftover);
                Journal(node.Node, JournalEvent.Executed, outcomes: completed.Outcomes);
                Propagate(node, completed.Outcomes);
                break;
            case ActivityStep.Suspended suspended:
                foreach (var request in suspended.Bookmarks)
                    AddBookmark(node, request);
                if (suspended.Bookmarks.Count > 0)
                    Journal(node.Node, JournalEvent.Suspended, string.Join(", ", suspended.Bookmarks.Select(b => b.Key is null ? b.Name : $"{b.Name}:{b.Key}")));
                break;
            case ActivityStep.FinishedWorkflow:
                Journal(node.Node, JournalEvent.Executed);
                State.Queue.Clear();
                State.Tokens.Clear();
                State.HeldLoopExits.Clear();
                foreach (var bookmark in Instance.Bookmarks.ToList()) RemoveBookmark(bookmark);
                break;
        }
        ReleaseHeldLoopExits();
    }

    private Incident RecordIncident(GraphNode node, Exception ex)
    {
        var incident = new Incident(Guid.NewGuid().ToString("N"), node.Node.Id, node.Node.Type, ex.Message, ex.GetType().FullName, Now);
        Instance.Incidents.Add(incident);
        Result.AddedIncidents.Add(incident);
        Journal(node.Node, JournalEvent.Faulted, ex.Message);
        return incident;
    }

    private void Settle()
    {
        Instance.UpdatedAt = Now;
        if (Instance.Status == WorkflowStatus.Faulted)
        {
            Journal(null, JournalEvent.WorkflowFaulted);
            return;
        }
        if (Instance.Status != WorkflowStatus.Running) return;
        if (Instance.Bookmarks.Count > 0)
        {
            Instance.Status = WorkflowStatus.Suspended;
            return;
        }
        Instance.Status = WorkflowStatus.Finished;
        Instance.FinishedAt = Now;
        Result.EndedChildOf = State.ParentInstanceId;
        State.Tokens.Clear();
        State.HeldLoopExits.Clear();
        Journal(null, JournalEvent.WorkflowFinished);
    }

    /// <summary>Replaces some of a waiting node's bookmarks outside a step (a moved deadline).</summary>
    public void ReplaceTimers(GraphNode node, IEnumerable<Bookmark> old, IEnumerable<BookmarkRequest> replacements)
    {
        foreach (var bookmark in old) RemoveBookmark(bookmark);
        foreach (var request in replacements) AddBookmark(node, request);
    }

    private void AddBookmark(GraphNode node, BookmarkRequest request)
    {
        var bookmark = new Bookmark(Guid.NewGuid().ToString("N"), Instance.Id, node.Node.Id, request.Name, request.Key,
            Instance.CorrelationId, Now, request.ResumeAt, request.Payload);
        Instance.Bookmarks.Add(bookmark);
        Result.AddedBookmarks.Add(bookmark);
    }

    private void RemoveBookmark(Bookmark bookmark)
    {
        Instance.Bookmarks.Remove(bookmark);
        // A bookmark created and consumed within one burst never reaches the store.
        if (!Result.AddedBookmarks.Remove(bookmark))
            Result.RemovedBookmarks.Add(bookmark);
    }

    private void Propagate(GraphNode node, IReadOnlyList<string> outcomes)
    {
        // Live tokens first, so that a loop's next round is scheduled before its exits are judged below.
        foreach (var connection in node.Outbound.Where(c => outcomes.Contains(c.SourcePort)))
            Deliver(connection, live: true);
        foreach (var connection in node.Outbound.Where(c => !outcomes.Contains(c.SourcePort)))
        {
            if (!LeavesActiveLoop(connection))
                Deliver(connection, live: false);
            else if (!State.HeldLoopExits.Contains(connection.Index))
                State.HeldLoopExits.Add(connection.Index);
        }
    }

    /// <summary>
    /// Whether a connection leaves a loop that still has a round to go. Such an exit is not dead yet, since a later
    /// round may take it: its dead token is held (<see cref="WorkflowState.HeldLoopExits"/>), otherwise a join after
    /// the loop would run after the loop's first round.
    /// </summary>
    private bool LeavesActiveLoop(FlowConnection connection) =>
        _analysis.LoopsExited.TryGetValue(connection.Index, out var loops)
        && loops.Any(body => State.Queue.Any(body.Contains) || Instance.Bookmarks.Any(b => body.Contains(b.ActivityId)));

    /// <summary>A held loop exit whose loop has no work left is dead for good: its token goes down now.</summary>
    private void ReleaseHeldLoopExits()
    {
        foreach (var index in State.HeldLoopExits.ToList())
        {
            var connection = Graph.Connections[index];
            if (LeavesActiveLoop(connection)) continue;
            State.HeldLoopExits.Remove(index);
            Deliver(connection, live: false);
        }
    }

    private void Deliver(FlowConnection connection, bool live)
    {
        var target = connection.Target;
        if (live) State.HeldLoopExits.Remove(connection.Index);
        if (_analysis.BackEdges.Contains(connection.Index))
        {
            // A loop re-enters its target afresh; an untaken loop-back simply ends.
            if (live)
            {
                State.Tokens.Remove(target);
                Schedule(target);
            }
            return;
        }

        var waitFor = _analysis.WaitFor[target];
        if (waitFor.Length <= 1)
        {
            if (live) Schedule(target);
            else Propagate(Graph.Nodes[target], []);
            return;
        }

        if (!State.Tokens.TryGetValue(target, out var tokens))
            State.Tokens[target] = tokens = [];
        tokens[connection.Index] = live;

        var targetNode = Graph.Nodes[target];
        if (live && targetNode.Activity is Activities.Flow.FlowJoin { WaitsForAny: true })
        {
            // Nothing upstream is left pending after the cancellation, so no late token can arrive this round.
            CancelBranchesInto(target);
            Schedule(target);
            return;
        }

        if (!waitFor.All(tokens.ContainsKey)) return;
        var anyLive = waitFor.Any(i => tokens[i]);
        State.Tokens.Remove(target);
        if (anyLive) Schedule(target);
        else Propagate(targetNode, []);
    }

    /// <summary>A wait-any join fired: every other activity still pending upstream of it is cancelled.</summary>
    private void CancelBranchesInto(string joinId)
    {
        var ancestors = _analysis.Ancestors[joinId];
        State.Queue.RemoveAll(ancestors.Contains);
        foreach (var bookmark in Instance.Bookmarks.Where(b => ancestors.Contains(b.ActivityId)).ToList())
        {
            RemoveBookmark(bookmark);
            Journal(Graph.Nodes[bookmark.ActivityId].Node, JournalEvent.Message, $"Cancelled: join '{joinId}' continued on another branch.");
        }
        foreach (var ancestor in ancestors) State.Tokens.Remove(ancestor);
        State.HeldLoopExits.RemoveAll(index => ancestors.Contains(Graph.Connections[index].Source));
        State.Tokens.Remove(joinId);
    }
}
