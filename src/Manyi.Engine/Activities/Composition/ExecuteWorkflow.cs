using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Composition;

/// <summary>
/// Starts an instance of another workflow (its published version) with an input and a correlation id. With
/// <see cref="WaitForCompletion"/> it waits until the child has ended and then gives, as its result, the child's
/// status and outputs (Elsa.SetOutput); without, it goes on at once with the child's id. It rides on
/// <see cref="DispatchWorkflow"/>'s machinery: the child starts after the parent's burst commits under an id the
/// parent's bookmark names, so reconciliation starts a child a crash left out and reports an end the parent missed.
/// </summary>
[Activity("Elsa.ExecuteWorkflow", "Composition", "Starts a workflow and optionally waits until it has ended; its result holds the child's status and outputs.", Outputs = ["Result", "ChildInput"])]
public sealed class ExecuteWorkflow : Activity
{
    [Input(Description = "The definition id of the workflow to execute (its published version).", Required = true)]
    public Input<string> WorkflowDefinitionId { get; set; } = new("");

    [Input(Description = "The correlation id to give the child.")]
    public Input<string> CorrelationId { get; set; } = new("");

    [Input(Description = "The child's input: an object whose properties become the child's inputs.")]
    public Input<JsonNode?> Input { get; set; } = new((JsonNode?)null);

    [Input(Description = "Wait until the child has ended before going on.")]
    public Input<bool> WaitForCompletion { get; set; } = new(false);

    [Input(Description = "The variable that receives the result.")]
    public OutputTarget? Result { get; set; }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var definitionId = (await context.EvaluateAsync(WorkflowDefinitionId))?.Trim();
        if (string.IsNullOrEmpty(definitionId)) throw new InvalidOperationException("No workflow to execute: workflowDefinitionId is empty.");
        var input = await context.EvaluateAsync(Input) switch
        {
            null => [],
            JsonObject properties => properties,
            var other => throw new InvalidOperationException($"input must be an object of named inputs, not {other.ToJsonString()}."),
        };
        var correlationId = (await context.EvaluateAsync(CorrelationId))?.Trim();
        var child = new ChildDispatch(Guid.NewGuid().ToString("N"), context.Instance.Id, definitionId,
            string.IsNullOrEmpty(correlationId) ? null : correlationId, input.ToDictionary(p => p.Key, p => p.Value?.DeepClone()));
        context.DispatchChild(child);
        // Where reconciliation finds the child's input if it has to start it (DispatchWorkflow.FromBookmark).
        context.SetOutput("ChildInput", input.DeepClone());
        context.Log(JournalKeys.ChildExecuting, new JsonObject
        {
            ["definition"] = await DispatchWorkflow.DefinitionNameAsync(context, definitionId), ["definitionId"] = definitionId,
        });

        if (!await context.EvaluateAsync(WaitForCompletion))
        {
            OutputTarget.Write(context, Result, ResultOf(child.InstanceId, child.CorrelationId, definitionId, status: null, output: null));
            return ActivityStep.Done;
        }
        return ActivityStep.Suspend(new BookmarkRequest(DispatchWorkflow.ChildEndedBookmark, child.InstanceId, new JsonObject
        {
            ["definitionId"] = definitionId,
            ["correlationId"] = child.CorrelationId,
        }));
    }

    public override ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume)
    {
        var ended = resume.Stimulus.Input;
        OutputTarget.Write(context, Result, ResultOf(resume.Bookmark.Key!, (string?)ended.GetValueOrDefault("correlationId"),
            (string?)resume.Bookmark.Payload?["definitionId"], (string?)ended.GetValueOrDefault("status"), ended.GetValueOrDefault("output")));
        return ValueTask.FromResult(ActivityStep.Done);
    }

    /// <summary>Elsa's ExecuteWorkflowResult: the child's instance id, correlation id, status (once ended) and outputs.</summary>
    private static JsonObject ResultOf(string instanceId, string? correlationId, string? definitionId, string? status, JsonNode? output) => new()
    {
        ["workflowInstanceId"] = instanceId,
        ["workflowDefinitionId"] = definitionId,
        ["correlationId"] = correlationId,
        ["status"] = status,
        ["output"] = output?.DeepClone() ?? new JsonObject(),
    };
}
