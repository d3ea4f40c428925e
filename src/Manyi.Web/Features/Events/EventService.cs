using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using EventActivity = Manyi.Engine.Activities.Events.Event;

namespace Manyi.Web.Features.Events;

/// <summary>Named events, through the engine's single stimulus entry point. The rules of <see cref="EventsApi"/>.</summary>
public sealed class EventService(WorkflowRuntime runtime, IWorkflowStore store)
{
    /// <summary>Resumes every instance waiting for the event (narrowed by correlation or instance id) and starts every workflow it triggers.</summary>
    public async Task<Outcome<TriggerResponse>> TriggerAsync(string eventName, TriggerRequest? body, CancellationToken cancellationToken)
    {
        if (CorrelationIds.Problem(body?.CorrelationId) is { } invalid) return invalid;
        if (body?.WorkflowInstanceId is { } instanceId && await store.FindInstanceAsync(instanceId, cancellationToken) is null)
            return new Failure.NotFound($"Workflow instance '{instanceId}' does not exist.");

        var result = await runtime.SendStimulusAsync(new Stimulus(EventActivity.BookmarkName, eventName)
        {
            CorrelationId = body?.CorrelationId,
            WorkflowInstanceId = body?.WorkflowInstanceId,
            Input = body?.Input?.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) ?? [],
        }, cancellationToken);
        return new TriggerResponse(
            result.Resumed.Select(i => new TriggeredInstance(i.Id, i.Status)).ToList(),
            result.Started.Select(i => new TriggeredInstance(i.Id, i.Status)).ToList(),
            result.Queued);
    }
}
