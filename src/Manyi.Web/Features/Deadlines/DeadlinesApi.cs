using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Deadlines;

/// <summary>Moving deadlines: of one waiting activity of one instance, or of every open one of a stage (an activity of a definition).</summary>
public static class DeadlinesApi
{
    public static RouteGroupBuilder MapDeadlinesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Deadlines");
        group.MapPost("/workflow-instances/{id}/activities/{activityId}/deadline", ExtendOne);
        group.MapPost("/workflow-definitions/{definitionId}/activities/{activityId}/deadline", ExtendStage);
        return group;
    }

    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem>> ExtendOne(
        string id, string activityId, ExtendDeadlineRequest body, WorkflowRuntime runtime, CurrentUser user, CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var instance = await runtime.ExtendDeadlineAsync(id, activityId, body.Deadline!.Value, user.Name, body.Reason!, cancellationToken);
        return TypedResults.Ok(InstanceResponse.From(instance));
    }

    /// <summary>Every instance of the definition still waiting in the activity with a deadline gets the new one; each in its own transaction.</summary>
    public static async Task<Results<Ok<StageExtended>, ValidationProblem, ProblemHttpResult>> ExtendStage(
        string definitionId, string activityId, ExtendDeadlineRequest body, ManyiDbContext db, WorkflowRuntime runtime, CurrentUser user,
        CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var instanceIds = await db.Bookmarks.AsNoTracking()
            .Where(b => b.ActivityId == activityId && b.Name == WaitingActivity.DeadlineBookmark
                        && db.WorkflowInstances.Any(i => i.Id == b.InstanceId && i.DefinitionId == definitionId))
            .Select(b => b.InstanceId).Distinct().ToListAsync(cancellationToken);
        if (instanceIds.Count == 0)
            return Problems.NotFound($"No instance of '{definitionId}' is waiting in '{activityId}' with a deadline.");
        foreach (var instanceId in instanceIds)
            await runtime.ExtendDeadlineAsync(instanceId, activityId, body.Deadline!.Value, user.Name, body.Reason!, cancellationToken);
        return TypedResults.Ok(new StageExtended(instanceIds.Count, body.Deadline!.Value));
    }
}

/// <summary>The new deadline (an instant with its offset) and why; the journal records it with the signed-in administrator.</summary>
public sealed record ExtendDeadlineRequest(DateTimeOffset? Deadline, string? Reason)
{
    public ValidationProblem? Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Deadline is null) errors["deadline"] = ["The new deadline is required, e.g. 2025-05-09T18:00:00+08:00."];
        if (string.IsNullOrWhiteSpace(Reason)) errors["reason"] = ["Say why the deadline moves; the journal records it."];
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }
}

public sealed record StageExtended(int Instances, DateTimeOffset Deadline);
