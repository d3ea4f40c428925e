using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities;

/// <summary>
/// A composite activity (Elsa's model): it holds other activities, schedules them as its children with
/// <see cref="ActivityContext.ScheduleChild"/>, and is called back when each child's context completes. It keeps its
/// own small state in <see cref="ActivityContext.Properties"/>, since one activity object serves every run.
/// <see cref="Activity.ExecuteAsync"/> starts it: <see cref="ActivityStep.KeepWaiting"/> while children run,
/// <see cref="ActivityStep.Completed"/> to complete (what is still running under it is cancelled).
/// </summary>
public abstract class ContainerActivity : Activity
{
    /// <summary>
    /// The activities the node holds, read from its file shape (<c>activities</c>, <c>body</c>, <c>then</c>…) and
    /// remembered by this bound activity; called once by the compiler.
    /// </summary>
    public abstract IReadOnlyList<ActivityNode> BindChildren(ActivityNode node);

    /// <summary>The variables this container declares for what it holds (after <see cref="BindChildren"/>).</summary>
    public virtual IReadOnlyList<VariableDefinition> LocalVariables => [];

    /// <summary>A child completed with these outcomes: schedule more, or complete.</summary>
    public abstract ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child);

    /// <summary>
    /// A child ended without completing (a branch that ends in nothing, a cancelled one): by default the container
    /// completes with Done once nothing runs under it any more.
    /// </summary>
    public virtual ValueTask<ActivityStep> OnChildEndedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(context.HasPendingChildren ? ActivityStep.KeepWaiting : ActivityStep.Done);

    /// <summary>
    /// Whether each child context is an iteration of its own whose activities' outputs the others do not see (runs
    /// side by side of the same body); outputs are otherwise the instance's, the last run's.
    /// </summary>
    public virtual bool KeepsIterationsApart => false;

    /// <summary>Whether this container handles a signal sent from below (a loop a Break, a flowchart a Complete).</summary>
    public virtual bool Receives(ActivitySignal signal) => false;

    /// <summary>A signal it receives arrived; everything under the container has been cancelled already.</summary>
    public virtual ValueTask<ActivityStep> OnSignalAsync(ActivityContext context, ActivitySignal signal) =>
        ValueTask.FromResult<ActivityStep>(new ActivityStep.Completed(signal.Outcomes));

    /// <summary>Reads one nested activity (<c>"body": {…}</c>) of the node; null when absent.</summary>
    protected static ActivityNode? ChildAt(ActivityNode node, string key) =>
        node.Properties[key] switch
        {
            null => null,
            JsonObject child => Serialization.ElsaJson.ReadActivityNode(child, $"{node.Id}.{key}"),
            _ => throw new ActivityBindingException(node, key, "must be an activity object"),
        };

    /// <summary>Reads a list of nested activities (<c>"branches": [{…}, …]</c>) of the node.</summary>
    protected static IReadOnlyList<ActivityNode> ChildrenAt(ActivityNode node, string key) =>
        node.Properties[key] switch
        {
            null => [],
            JsonArray list => [.. list.Select((child, i) => child as JsonObject is { } json
                ? Serialization.ElsaJson.ReadActivityNode(json, $"{node.Id}.{key}[{i}]")
                : throw new ActivityBindingException(node, key, $"item {i} must be an activity object"))],
            _ => throw new ActivityBindingException(node, key, "must be a list of activities"),
        };
}

/// <summary>A child's context completed (or ended): which activity, its outcomes, and the tag its container gave it.</summary>
public sealed record ChildCompletion(string ActivityId, IReadOnlyList<string> Outcomes, JsonNode? Tag);

/// <summary>
/// A signal sent up the context tree: <see cref="Break"/> to the nearest loop, <see cref="Complete"/> (with
/// outcomes) to the nearest flowchart.
/// </summary>
public sealed record ActivitySignal(string Name, IReadOnlyList<string> Outcomes)
{
    public const string Break = "Break";
    public const string Complete = "Complete";
}
