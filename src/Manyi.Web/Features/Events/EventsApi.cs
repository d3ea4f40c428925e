using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using EventActivity = Manyi.Engine.Activities.Events.Event;

namespace Manyi.Web.Features.Events;

/// <summary>Named events: the HTTP face of the engine's single stimulus entry point.</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/events").WithTags("Events");
        group.MapPost("/{eventName}/trigger", Trigger).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>Resumes every instance waiting for the event (narrowed by correlation or instance id) and starts every workflow it triggers.</summary>
    public static async Task<Results<Ok<TriggerResponse>, ProblemHttpResult, ValidationProblem>> Trigger(
        string eventName, TriggerRequest? body, WorkflowRuntime runtime, IWorkflowStore store, CancellationToken cancellationToken)
    {
        if (CorrelationIds.Check(body?.CorrelationId) is { } invalid) return invalid;
        if (body?.WorkflowInstanceId is { } instanceId && await store.FindInstanceAsync(instanceId, cancellationToken) is null)
            return Problems.NotFound($"Workflow instance '{instanceId}' does not exist.");

        var result = await runtime.SendStimulusAsync(new Stimulus(EventActivity.BookmarkName, eventName)
        {
            CorrelationId = body?.CorrelationId,
            WorkflowInstanceId = body?.WorkflowInstanceId,
            Input = body?.Input?.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) ?? [],
        }, cancellationToken);
        return TypedResults.Ok(new TriggerResponse(
            result.Resumed.Select(i => new TriggeredInstance(i.Id, i.Status)).ToList(),
            result.Started.Select(i => new TriggeredInstance(i.Id, i.Status)).ToList(),
            result.Queued));
    }
}

public sealed record TriggerRequest(string? CorrelationId, string? WorkflowInstanceId, JsonObject? Input);

/// <summary><see cref="Queued"/>: nothing waited for the event yet; it is kept briefly for a bookmark to come.</summary>
public sealed record TriggerResponse(IReadOnlyList<TriggeredInstance> Resumed, IReadOnlyList<TriggeredInstance> Started, bool Queued);

public sealed record TriggeredInstance(string Id, WorkflowStatus Status);
