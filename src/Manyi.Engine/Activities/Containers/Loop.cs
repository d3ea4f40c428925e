using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// What Elsa's loops share: a body (one activity, <c>"body": {…}</c>), a Break inside it ends the loop, and the
/// current value is the loop's output CurrentValue, the body's local variables CurrentValue and CurrentIndex, and
/// the workflow variable the file binds to <c>currentValue</c> (its <c>memoryReference</c>), if any.
/// </summary>
public abstract class LoopActivity : ContainerActivity
{
    private string? _boundVariable;

    /// <summary>The body's activity id; null for a loop without a body.</summary>
    protected string? Body { get; private set; }

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var body = ChildAt(node, "body");
        Body = body?.Id;
        _boundVariable = node.Properties["currentValue"]?["memoryReference"]?["id"] is JsonValue id && id.TryGetValue<string>(out var name) ? name : null;
        return body is null ? [] : [body];
    }

    /// <summary>The body sees the current value and index as local variables.</summary>
    public override IReadOnlyList<VariableDefinition> LocalVariables { get; } =
        [new("CurrentValue", "CurrentValue"), new("CurrentIndex", "CurrentIndex", "Int32")];

    public override bool Receives(ActivitySignal signal) => signal.Name == ActivitySignal.Break;

    /// <summary>A Break ends the loop: it completes with Done.</summary>
    public override ValueTask<ActivityStep> OnSignalAsync(ActivityContext context, ActivitySignal signal) => ValueTask.FromResult(ActivityStep.Done);

    /// <summary>Publishes the current value and schedules the body for it.</summary>
    protected void RunBody(ActivityContext context, JsonNode? value, int index)
    {
        context.SetOutput("CurrentValue", value);
        if (_boundVariable is not null && context.VariableDefinitions.Any(v => v.Id == _boundVariable || v.Name == _boundVariable))
            context.SetVariable(_boundVariable, value?.DeepClone());
        if (Body is null) return;
        context.ScheduleChild(Body, index, new Dictionary<string, JsonNode?> { ["CurrentValue"] = value?.DeepClone(), ["CurrentIndex"] = index });
    }
}

/// <summary>Elsa's ForEach: runs its body once per item, one after the other.</summary>
[Activity("Elsa.ForEach", "Looping", "Runs its body once for each item, one after the other.")]
public sealed class ForEach : LoopActivity
{
    [Input(Description = "The items to iterate.")]
    public Input<JsonNode?> Items { get; set; } = new((JsonNode?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        context.Properties["items"] = Collections.AsList(await context.EvaluateAsync(Items));
        return Next(context, 0);
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(Next(context, (int)context.Properties["index"]! + 1));

    private ActivityStep Next(ActivityContext context, int index)
    {
        var items = (JsonArray)context.Properties["items"]!;
        if (index >= items.Count || Body is null) return ActivityStep.Done;
        context.Properties["index"] = index;
        RunBody(context, items[index], index);
        return ActivityStep.KeepWaiting;
    }
}

/// <summary>Elsa's ParallelForEach: runs its body for every item at once; completes when every run has.</summary>
[Activity("Elsa.ParallelForEach", "Looping", "Runs its body for every item at once and completes when all have.")]
public sealed class ParallelForEach : LoopActivity
{
    [Input(Description = "The items to iterate.")]
    public Input<JsonNode?> Items { get; set; } = new((JsonNode?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var items = Collections.AsList(await context.EvaluateAsync(Items));
        if (items.Count == 0 || Body is null) return ActivityStep.Done;
        for (var i = 0; i < items.Count; i++)
            RunBody(context, items[i], i);
        return ActivityStep.KeepWaiting;
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(context.HasPendingChildren ? ActivityStep.KeepWaiting : ActivityStep.Done);

    /// <summary>The iterations run side by side: one's outputs must not read as another's.</summary>
    public override bool KeepsIterationsApart => true;
}

/// <summary>Elsa's While: runs its body as long as the condition holds, testing it before each round.</summary>
[Activity("Elsa.While", "Looping", "Runs its body as long as a condition holds.")]
public sealed class While : LoopActivity
{
    [Input(Description = "The condition, tested before each round.")]
    public Input<bool> Condition { get; set; } = new(false);

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => NextAsync(context, 0);

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        NextAsync(context, (int)context.Properties["round"]! + 1);

    private async ValueTask<ActivityStep> NextAsync(ActivityContext context, int round)
    {
        if (!await context.EvaluateAsync(Condition) || Body is null) return ActivityStep.Done;
        context.Properties["round"] = round;
        context.ScheduleChild(Body, round);
        return ActivityStep.KeepWaiting;
    }
}

/// <summary>Elsa's For: counts from start to end by step (the end included when outerBoundInclusive), running its body for each value.</summary>
[Activity("Elsa.For", "Looping", "Runs its body for each number from start to end by step.")]
public sealed class For : LoopActivity
{
    [Input(Description = "The first value.")]
    public Input<int> Start { get; set; } = new(0);

    [Input(Description = "The last value.")]
    public Input<int> End { get; set; } = new(0);

    [Input(Description = "The step (negative counts down).")]
    public Input<int> Step { get; set; } = new(1);

    [Input(Description = "Whether the end value itself is run.")]
    public Input<bool> OuterBoundInclusive { get; set; } = new(true);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        context.Properties["value"] = await context.EvaluateAsync(Start);
        context.Properties["index"] = 0;
        return await NextAsync(context);
    }

    public override async ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child)
    {
        context.Properties["value"] = (int)context.Properties["value"]! + await context.EvaluateAsync(Step);
        context.Properties["index"] = (int)context.Properties["index"]! + 1;
        return await NextAsync(context);
    }

    private async ValueTask<ActivityStep> NextAsync(ActivityContext context)
    {
        var value = (int)context.Properties["value"]!;
        var end = await context.EvaluateAsync(End);
        var step = await context.EvaluateAsync(Step);
        var inclusive = await context.EvaluateAsync(OuterBoundInclusive);
        var goOn = step switch
        {
            > 0 => inclusive ? value <= end : value < end,
            < 0 => inclusive ? value >= end : value > end,
            _ => throw new InvalidOperationException("The step of a For loop must not be 0."),
        };
        if (!goOn || Body is null) return ActivityStep.Done;
        RunBody(context, value, (int)context.Properties["index"]!);
        return ActivityStep.KeepWaiting;
    }
}

/// <summary>Reads an evaluated Items input as a list.</summary>
internal static class Collections
{
    public static JsonArray AsList(JsonNode? items) => items switch
    {
        null => [],
        JsonArray list => (JsonArray)list.DeepClone(),
        JsonValue text when text.TryGetValue<string>(out var s) && s.TrimStart().StartsWith('[') => JsonNode.Parse(s)!.AsArray(),
        _ => throw new InvalidOperationException($"The items must be a list, not {items.ToJsonString()}."),
    };
}
