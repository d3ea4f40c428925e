using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// Workflow instances: list, inspect, journal (administrators; others only the instances of tasks they may see), cancel
/// and retry incidents (administrators).
/// </summary>
public static class WorkflowInstancesApi
{
    public static RouteGroupBuilder MapWorkflowInstancesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/workflow-instances").WithTags("Workflow instances");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/journal", Journal).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/incidents/{incidentId}/retry", Retry).RequireAuthorization(ManyiPolicies.Administrator);
        return group;
    }

    public static async Task<Results<Ok<Page<InstanceSummary>>, ValidationProblem>> List(
        ManyiDbContext db, CurrentUser user, TaskAccess access, string? definitionId, string? status, string? correlationId,
        int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        // By name only: Enum.TryParse would also take any number ("99") and filter on a status that cannot exist.
        var normalized = status is null ? null
            : Enum.GetNames<WorkflowStatus>().FirstOrDefault(n => string.Equals(n, status, StringComparison.OrdinalIgnoreCase));
        if (status is not null && normalized is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"'{status}' is not a status; use one of {string.Join(", ", Enum.GetNames<WorkflowStatus>())}."],
            });
        (page, pageSize) = Page.Clamp(page, pageSize);
        var query = db.WorkflowInstances.AsNoTracking();
        if (!user.IsAdministrator)
        {
            var visible = (await access.VisibleAsync(db.Tasks, cancellationToken)).Select(t => t.InstanceId);
            query = query.Where(i => visible.Contains(i.Id));
        }
        if (definitionId is not null) query = query.Where(i => i.DefinitionId == definitionId);
        if (normalized is not null) query = query.Where(i => i.Status == normalized);
        if (correlationId is not null) query = query.Where(i => i.CorrelationId == correlationId);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersionId, i.Version, i.Status, i.CorrelationId, i.CreatedAt, i.UpdatedAt, i.FinishedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<InstanceSummary>(items, total, page, pageSize));
    }

    public static async Task<Results<Ok<InstanceResponse>, ProblemHttpResult>> Get(
        string id, IWorkflowStore store, ManyiDbContext db, CurrentUser user, TaskAccess access, CancellationToken cancellationToken)
    {
        if (!await MaySeeAsync(id, db, user, access, cancellationToken)) return NotFound(id);
        var instance = await store.FindInstanceAsync(id, cancellationToken);
        return instance is null ? NotFound(id) : TypedResults.Ok(InstanceResponse.From(instance));
    }

    public static async Task<Results<Ok<Page<JournalEntryResponse>>, ProblemHttpResult>> Journal(
        string id, ManyiDbContext db, CurrentUser user, TaskAccess access, int page = 1, int pageSize = 200, CancellationToken cancellationToken = default)
    {
        if (!await MaySeeAsync(id, db, user, access, cancellationToken) || !await db.WorkflowInstances.AnyAsync(i => i.Id == id, cancellationToken))
            return NotFound(id);
        (page, pageSize) = Page.Clamp(page, pageSize);
        var entries = db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == id);
        var total = await entries.CountAsync(cancellationToken);
        var items = await entries.OrderBy(j => j.Sequence).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(j => new JournalEntryResponse(j.Sequence, j.At, j.Event, j.ActivityId, j.ActivityType, j.ActivityName, j.Message, j.Outcomes))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<JournalEntryResponse>(items, total, page, pageSize));
    }

    public static async Task<Ok<InstanceResponse>> Cancel(string id, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        TypedResults.Ok(InstanceResponse.From(await runtime.CancelAsync(id, cancellationToken)));

    public static async Task<Ok<InstanceResponse>> Retry(string id, string incidentId, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        TypedResults.Ok(InstanceResponse.From(await runtime.RetryAsync(id, incidentId, cancellationToken)));

    /// <summary>Administrators see every instance; anyone else the instances of tasks they may see. Others answer 404, as if absent.</summary>
    private static async Task<bool> MaySeeAsync(string id, ManyiDbContext db, CurrentUser user, TaskAccess access, CancellationToken cancellationToken) =>
        user.IsAdministrator || await (await access.VisibleAsync(db.Tasks, cancellationToken)).AnyAsync(t => t.InstanceId == id, cancellationToken);

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"Workflow instance '{id}' does not exist.");
}

public sealed record InstanceSummary(string Id, string DefinitionId, string DefinitionVersionId, int Version, string Status,
    string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

public sealed record InstanceResponse(
    string Id, string DefinitionId, string DefinitionVersionId, int Version, WorkflowStatus Status, string? CorrelationId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, JsonNode?> Input, IReadOnlyDictionary<string, JsonNode?> Variables, IReadOnlyList<BookmarkResponse> Bookmarks,
    IReadOnlyList<Incident> Incidents)
{
    public static InstanceResponse From(WorkflowInstance i) =>
        new(i.Id, i.DefinitionId, i.DefinitionVersionId, i.Version, i.Status, i.CorrelationId, i.CreatedAt, i.UpdatedAt, i.FinishedAt,
            i.State.Input, i.State.Variables,
            i.Bookmarks.Select(b => new BookmarkResponse(b.Id, b.ActivityId, b.Name, b.Key, b.CorrelationId, b.CreatedAt, b.ResumeAt, b.Payload)).ToList(),
            i.Incidents);
}

/// <summary>A bookmark; its payload says e.g. which reminder step is next, and for which deadline.</summary>
public sealed record BookmarkResponse(string Id, string ActivityId, string Name, string? Key, string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset? ResumeAt,
    JsonObject? Payload);

public sealed record JournalEntryResponse(long Sequence, DateTimeOffset At, string Event, string? ActivityId, string? ActivityType,
    string? ActivityName, string? Message, string? Outcomes);
