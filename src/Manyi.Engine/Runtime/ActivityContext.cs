using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>What an activity sees while it runs: its node, the instance's variables and input, expressions, the clock and the journal.</summary>
public sealed class ActivityContext : IExpressionScope
{
    private readonly Burst _burst;

    internal ActivityContext(Burst burst, GraphNode node)
    {
        _burst = burst;
        GraphNode = node;
    }

    public ActivityNode Node => GraphNode.Node;
    internal GraphNode GraphNode { get; }
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
            var value = await _burst.Evaluator.EvaluateAsync(input.Expression, typeof(T), this, CancellationToken);
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

    /// <summary>Writes a line to the instance's journal, cut to <see cref="MaxJournalMessage"/> characters.</summary>
    public void Log(string message) => _burst.Journal(Node, JournalEvent.Message,
        message.Length <= MaxJournalMessage ? message : $"{message[..MaxJournalMessage]}… ({message.Length:N0} characters, cut)");

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
        if (!Instance.State.ActivityOutputs.TryGetValue(Node.Id, out var outputs))
            Instance.State.ActivityOutputs[Node.Id] = outputs = [];
        outputs[name] = value;
        Instance.State.LastResult = value?.DeepClone();
    }

    public IReadOnlyList<VariableDefinition> VariableDefinitions => Definition.Variables;

    public JsonNode? GetVariable(string name) => Instance.State.Variables.GetValueOrDefault(name);

    public void SetVariable(string name, JsonNode? value)
    {
        var definition = Definition.Variables.FirstOrDefault(v => v.Name == name || v.Id == name);
        var key = definition?.Name ?? name;
        Instance.State.Variables[key] = definition is null || definition.IsArray
            ? value
            : ValueConverter.ToJson(ValueConverter.Convert(value, TypeNames.ToClr(definition.TypeName)));
    }

    public JsonNode? GetInput(string name) => Instance.State.Input.GetValueOrDefault(name);
    public IReadOnlyDictionary<string, JsonNode?> Input => Instance.State.Input;

    public string? CorrelationId
    {
        get => Instance.CorrelationId;
        set => Instance.CorrelationId = value;
    }

    public string WorkflowInstanceId => Instance.Id;
    public string WorkflowDefinitionId => Instance.DefinitionId;
    public JsonNode? LastResult => Instance.State.LastResult;

    public JsonNode? GetOutputFrom(string activityName, string? outputName)
    {
        var node = _burst.Graph.Nodes.Values.FirstOrDefault(n => n.Node.Name == activityName || n.Node.Id == activityName);
        if (node is null || !Instance.State.ActivityOutputs.TryGetValue(node.Node.Id, out var outputs)) return null;
        return outputName is null ? outputs.Values.LastOrDefault() : outputs.GetValueOrDefault(outputName);
    }
}
