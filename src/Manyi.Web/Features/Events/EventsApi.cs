using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Events;

/// <summary>Named events: the HTTP face of the engine's single stimulus entry point (<see cref="EventService"/>).</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/events").WithTags("Events");
        group.MapPost("/{eventName}/trigger", Trigger).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>Resumes every instance waiting for the event (narrowed by correlation or instance id) and starts every workflow it triggers.</summary>
    public static async Task<Results<Ok<TriggerResponse>, ValidationProblem, ProblemHttpResult>> Trigger(
        string eventName, TriggerRequest? body, EventService events, CancellationToken cancellationToken) =>
        (await events.TriggerAsync(eventName, body, cancellationToken)).ToOk();
}

public sealed record TriggerRequest(string? CorrelationId, string? WorkflowInstanceId, JsonObject? Input);

/// <summary><see cref="Queued"/>: nothing waited for the event yet; it is kept briefly for a bookmark to come.</summary>
public sealed record TriggerResponse(IReadOnlyList<TriggeredInstance> Resumed, IReadOnlyList<TriggeredInstance> Started, bool Queued);

public sealed record TriggeredInstance(string Id, WorkflowStatus Status);
