using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// What an activity sees while it runs: its node, the instance's variables and input, expressions, the clock and the
/// journal; a container also its execution context (its children, its own small state).
/// </summary>
public sealed class ActivityContext : IExpressionScope
{
    private readonly Burst _burst;

    /// <summary>A context outside any run (a trigger's probe, a preview): no execution context, no children.</summary>
    internal ActivityContext(Burst burst, GraphNode node) : this(burst, node, null)
    {
    }

    internal ActivityContext(Burst burst, GraphNode node, ExecutionContextState? execution)
    {
        _burst = burst;
        GraphNode = node;
        Execution = execution;
    }

    public ActivityNode Node => GraphNode.Node;
    internal GraphNode GraphNode { get; }
    internal ExecutionContextState? Execution { get; }
    internal Burst Burst => _burst;

    /// <summary>This activity execution context's id (empty outside a run).</summary>
    public string ContextId => Execution?.Id ?? "";

    /// <summary>What the owning container passed when it scheduled this activity (a branch, an iteration's item).</summary>
    public JsonNode? Tag => Execution?.Tag;

    /// <summary>A container's own state, kept in its context between calls.</summary>
    public Dictionary<string, JsonNode?> Properties => RunningContext.Properties;

    /// <summary>
    /// Schedules a child activity (one this container holds) in a context of its own, owned by this one, with
    /// variables local to that context (a loop body's current item), if any.
    /// </summary>
    public void ScheduleChild(string activityId, JsonNode? tag = null, IReadOnlyDictionary<string, JsonNode?>? variables = null)
    {
        if (!_burst.Graph.Nodes.TryGetValue(activityId, out var child) || child.Parent != GraphNode)
            throw new InvalidOperationException($"Activity '{Node.Id}' does not hold an activity '{activityId}'.");
        _burst.Schedule(new WorkItem(activityId, RunningContext.Id, tag?.DeepClone())
        {
            Variables = variables?.ToDictionary(v => v.Key, v => v.Value?.DeepClone()),
        });
    }

    /// <summary>Declares (or sets) a variable local to this context: visible to what runs under it, gone when it completes.</summary>
    public void SetLocalVariable(string name, JsonNode? value) => (RunningContext.Variables ??= [])[name] = value?.DeepClone();

    /// <summary>The nearest context, from this one up, that declares the variable locally.</summary>
    private ExecutionContextState? ScopeOf(string name)
    {
        for (var context = Execution; context is not null; context = context.ParentId is null ? null : Instance.State.FindContext(context.ParentId))
            if (context.Variables?.ContainsKey(name) == true)
                return context;
        return null;
    }

    /// <summary>Whether anything still runs or waits under this context (scheduled children, child contexts).</summary>
    public bool HasPendingChildren => _burst.HasPendingChildren(RunningContext.Id);

    /// <summary>Cancels everything under this context: scheduled children, child contexts and their bookmarks.</summary>
    public void CancelChildren() => _burst.CancelChildren(RunningContext);

    private ExecutionContextState RunningContext =>
        Execution ?? throw new InvalidOperationException($"Activity '{Node.Id}' is not running in an execution context.");
    public WorkflowInstance Instance => _burst.Instance;
    public WorkflowDefinition Definition => _burst.Graph.Definition;
    public DateTimeOffset Now => _burst.Now;
    public IServiceProvider Services => _burst.Services;
    public CancellationToken CancellationToken => _burst.CancellationToken;

    /// <summary>The stimulus that started this run at this very activity (a trigger), if any.</summary>
    public Stimulus? TriggeringStimulus =>
        _burst.PendingTrigger is { } trigger && trigger.ActivityId == Node.Id ? trigger.Stimulus : null;

    public async ValueTask<T> EvaluateAsync<T>(Input<T> input)
    {
        try
        {
            var value = await _burst.Evaluator.EvaluateAsync(input.Expression, typeof(T), this, CancellationToken, Services);
            return (T)value!;
        }
        catch (ExpressionException ex) when (InputName(input) is { } name)
        {
            // The incident already names the activity; the input says which of its expressions to fix.
            throw new ExpressionException($"Activity '{Node.Id}', input '{name}': {ex.Message}", ex.InnerException);
        }
    }

    private string? InputName(object input) =>
        GraphNode.Descriptor.Inputs.FirstOrDefault(i => i.IsExpression && ReferenceEquals(i.Property.GetValue(GraphNode.Activity), input))?.Name;

    public async ValueTask<T?> EvaluateAsync<T>(Input<T>? input, T? fallback) =>
        input is null ? fallback : await EvaluateAsync(input);

    /// <summary>The longest message one journal line keeps; the journal is read whole by people and pages.</summary>
    public const int MaxJournalMessage = 4_000;

    /// <summary>
    /// Writes a line of free text to the instance's journal (what an author wrote, e.g. <c>WriteLine</c>'s text), cut to
    /// <see cref="MaxJournalMessage"/> characters. What an activity itself reports is a <see cref="JournalMessage"/>.
    /// </summary>
    public void Log(string message) => _burst.Journal(Node, JournalEvent.Message,
        message.Length <= MaxJournalMessage ? message : $"{message[..MaxJournalMessage]}… ({message.Length:N0} characters, cut)");

    /// <summary>Writes what the activity did to the instance's journal: a key of a <c>JournalKeys</c> class and its arguments.</summary>
    public void Log(string key, JsonObject arguments) => _burst.Journal(Node, JournalEvent.Message, new JournalMessage(key, arguments));

    /// <summary>Queues an e-mail; it is committed with this burst and delivered after.</summary>
    public void SendEmail(OutgoingEmail email) => _burst.Result.Emails.Add(email with { InstanceId = Instance.Id });

    /// <summary>Dispatches a child workflow; it starts after this burst commits.</summary>
    public void DispatchChild(ChildDispatch child) => _burst.Result.DispatchedChildren.Add(child);

    /// <summary>Opens a human task; it is committed with this burst.</summary>
    public void OpenTask(Tasks.HumanTask task) =>
        _burst.Result.TaskChanges.Add(new Tasks.TaskChange.Opened(task with { InstanceId = Instance.Id, DefinitionId = Instance.DefinitionId }));

    /// <summary>Changes a task of this activity (closes it, flags it overdue, moves its due date).</summary>
    public void ChangeTask(Tasks.TaskChange change) => _burst.Result.TaskChanges.Add(change);

    /// <summary>Records an output of this activity; the last one set is the instance's last result.</summary>
    public void SetOutput(string name, JsonNode? value)
    {
        SetOutputOf(Node.Id, name, value);
        Instance.State.LastResult = value?.DeepClone();
    }

    /// <summary>
    /// Records an output of this activity or of one around it (a workflow used as an activity receiving a SetOutput).
    /// Inside an iteration that keeps its outputs apart (ParallelForEach), the iteration keeps it; the instance keeps
    /// the last one set either way, for what reads it from outside the loop.
    /// </summary>
    public void SetOutputOf(string activityId, string name, JsonNode? value)
    {
        if (IterationHolding(activityId) is { } iteration)
            Slot(iteration.Outputs ??= [], activityId)[name] = value?.DeepClone();
        Slot(Instance.State.ActivityOutputs, activityId)[name] = value;
    }

    private static Dictionary<string, JsonNode?> Slot(Dictionary<string, Dictionary<string, JsonNode?>> all, string activityId)
    {
        if (!all.TryGetValue(activityId, out var outputs))
            all[activityId] = outputs = [];
        return outputs;
    }

    /// <summary>An activity's outputs as this context sees them: its run in the same iteration, else its last run.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? OutputsOf(string activityId) =>
        IterationHolding(activityId) is { } iteration
            ? iteration.Outputs?.GetValueOrDefault(activityId)
            : Instance.State.ActivityOutputs.GetValueOrDefault(activityId);

    /// <summary>A new execution of this activity starts without the outputs of its previous run (in its iteration, if any).</summary>
    internal void ForgetOutputs()
    {
        if (IterationHolding(Node.Id) is { } iteration) iteration.Outputs?.Remove(Node.Id);
        else Instance.State.ActivityOutputs.Remove(Node.Id);
    }

    /// <summary>
    /// The nearest iteration context, from this context up, of a container that keeps its iterations' outputs apart
    /// (<see cref="ContainerActivity.KeepsIterationsApart"/>) and whose body holds the activity.
    /// </summary>
    private ExecutionContextState? IterationHolding(string activityId)
    {
        for (var context = Execution; context?.ParentId is { } parentId; context = Instance.State.FindContext(parentId))
        {
            if (Instance.State.FindContext(parentId) is not { ActivityId: { } ownerId }
                || _burst.Graph.Nodes.GetValueOrDefault(ownerId)?.Activity is not ContainerActivity { KeepsIterationsApart: true })
                continue;
            for (var node = _burst.Graph.Nodes.GetValueOrDefault(activityId); node is not null; node = node.Parent)
                if (node.Node.Id == context.ActivityId)
                    return context;
        }
        return null;
    }

    /// <summary>The activities whose contexts contain this one, nearest first.</summary>
    public IEnumerable<(ActivityNode Node, Activity Activity)> Ancestors
    {
        get
        {
            for (var context = Execution?.ParentId is { } first ? Instance.State.FindContext(first) : null; context is not null;
                 context = context.ParentId is null ? null : Instance.State.FindContext(context.ParentId))
                if (context.ActivityId is { } id && _burst.Graph.Nodes.TryGetValue(id, out var node))
                    yield return (node.Node, node.Activity);
        }
    }

    /// <summary>
    /// Forgets the variables local to this context before it completes, so that what it writes next (an output bound
    /// to a variable) reaches the variable of that name around it, not its own.
    /// </summary>
    public void DropLocalVariables()
    {
        if (Execution is { } execution) execution.Variables = null;
    }

    /// <summary>The workflow's variables and those local to the contexts around this one.</summary>
    public IReadOnlyList<VariableDefinition> VariableDefinitions
    {
        get
        {
            List<VariableDefinition>? all = null;
            for (var context = Execution; context is not null; context = context.ParentId is null ? null : Instance.State.FindContext(context.ParentId))
                foreach (var name in context.Variables?.Keys ?? Enumerable.Empty<string>())
                    if (!Definition.Variables.Any(v => v.Name == name) && (all ??= [.. Definition.Variables]).TrueForAll(v => v.Name != name))
                        all.Add(new VariableDefinition(name, name));
            return all ?? Definition.Variables;
        }
    }

    public JsonNode? GetVariable(string name) =>
        ScopeOf(name) is { } scope ? scope.Variables![name] : Instance.State.Variables.GetValueOrDefault(name);

    public void SetVariable(string name, JsonNode? value)
    {
        if (ScopeOf(name) is { } scope)
        {
            scope.Variables![name] = value;
            return;
        }
        var definition = Definition.Variables.FirstOrDefault(v => v.Name == name || v.Id == name);
        var key = definition?.Name ?? name;
        Instance.State.Variables[key] = definition is null || definition.IsArray
            ? value
            : ValueConverter.ToJson(ValueConverter.Convert(value, TypeNames.ToClr(definition.TypeName)));
    }

    public JsonNode? GetInput(string name) => Input.GetValueOrDefault(name);

    /// <summary>The instance's input, or, inside a workflow used as an activity, the inputs that node gave it.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Input
    {
        get
        {
            for (var context = Execution; context is not null; context = context.ParentId is null ? null : Instance.State.FindContext(context.ParentId))
                if (context.Properties.GetValueOrDefault(Activities.Composition.WorkflowDefinitionActivity.InputProperty) is JsonObject input)
                    return input.ToDictionary(p => p.Key, p => p.Value);
            return Instance.State.Input;
        }
    }

    public string? CorrelationId
    {
        get => Instance.CorrelationId;
        set => Instance.CorrelationId = value;
    }

    public string WorkflowInstanceId => Instance.Id;
    public string WorkflowDefinitionId => Instance.DefinitionId;
    public JsonNode? LastResult => Instance.State.LastResult;

    public IEnumerable<string> InputNames =>
        Definition.Inputs.OfType<JsonObject>()
            .Select(i => i["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null)
            .OfType<string>().Union(Input.Keys);

    public IEnumerable<(string Activity, string Output)> ProducedOutputs
    {
        get
        {
            // Asked for on every script evaluation: the outputs recorded so far, not a walk over the whole graph.
            var scope = ScopePrefix;
            foreach (var (id, outputs) in Instance.State.ActivityOutputs)
                if (_burst.Graph.Nodes.GetValueOrDefault(id) is { Node.Name: { } name } node && InScope(node, scope))
                    foreach (var output in (OutputsOf(id) ?? outputs).Keys)
                        yield return (name, output);
        }
    }

    /// <summary>Inside a workflow used as an activity, ids carry the node's prefix ("use:"): its own activities come first.</summary>
    private string ScopePrefix => Node.Id[..(Node.Id.LastIndexOf(':') + 1)];

    private static bool InScope(GraphNode node, string scope) =>
        node.Node.Id.StartsWith(scope, StringComparison.Ordinal) && node.Node.Id.IndexOf(':', scope.Length) < 0;

    public JsonNode? GetOutputFrom(string activityName, string? outputName)
    {
        var scope = ScopePrefix;
        var node = _burst.Graph.Nodes.GetValueOrDefault(scope + activityName)
            ?? _burst.Graph.Nodes.Values.FirstOrDefault(n => n.Node.Name == activityName && InScope(n, scope))
            ?? _burst.Graph.Nodes.Values.FirstOrDefault(n => n.Node.Name == activityName || n.Node.Id == activityName);
        if (node is null || OutputsOf(node.Node.Id) is not { } outputs) return null;
        return outputName is null ? outputs.Values.LastOrDefault() : outputs.GetValueOrDefault(outputName);
    }
}
