using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Stores;

/// <summary>
/// A dispatched child's end as its parent will receive it: recorded as a row of its own when the child ends, so that
/// a parent waiting for thousands of children is not loaded and saved once per child. The parent takes every recorded
/// end at its next burst (when the last child it waits for ends, or its deadline passes). <see cref="Report"/> is the
/// child-ended stimulus's input: its id, status, correlation id, variables and output.
/// </summary>
public sealed record ChildEnd(string ParentInstanceId, string ChildInstanceId, DateTimeOffset EndedAt, Dictionary<string, JsonNode?> Report)
{
    /// <summary>The end of this child, as its parent is told.</summary>
    public static ChildEnd Of(WorkflowInstance child, string parentInstanceId, DateTimeOffset now) => new(parentInstanceId, child.Id,
        child.FinishedAt ?? now, new Dictionary<string, JsonNode?>
        {
            ["instanceId"] = child.Id,
            ["status"] = child.Status.ToString(),
            ["correlationId"] = child.CorrelationId,
            ["variables"] = new JsonObject(child.State.Variables.Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone()))),
            ["output"] = new JsonObject(child.State.Output.Select(o => KeyValuePair.Create(o.Key, o.Value?.DeepClone()))),
        });

    /// <summary>The stimulus that resumes the parent's bookmark for this child.</summary>
    public Stimulus ToStimulus() => new(Activities.Composition.DispatchWorkflow.ChildEndedBookmark, ChildInstanceId)
    {
        WorkflowInstanceId = ParentInstanceId,
        QueueIfUnmatched = false,
        Input = Report.ToDictionary(p => p.Key, p => p.Value?.DeepClone()),
    };
}
