using System.Globalization;
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
        group.MapGet("/{id}/overview", Overview).RequireAuthorization(ManyiPolicies.Administrator).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/incidents/{incidentId}/retry", Retry).RequireAuthorization(ManyiPolicies.Administrator);
        return group;
    }

    /// <summary>
    /// Instances, newest first, filtered by definition, status, correlation id (an organization's id for its participant
    /// workflow) and a window of creation: <paramref name="createdFrom"/> and <paramref name="createdTo"/> are each a day
    /// (<c>2025-04-21</c>, read in Beijing time; the "to" day counts whole) or an instant with its offset.
    /// </summary>
    public static async Task<Results<Ok<Page<InstanceSummary>>, ValidationProblem>> List(
        ManyiDbContext db, CurrentUser user, TaskAccess access, string? definitionId, string? status, string? correlationId,
        string? createdFrom = null, string? createdTo = null, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        // By name only: Enum.TryParse would also take any number ("99") and filter on a status that cannot exist.
        var normalized = status is null ? null
            : Enum.GetNames<WorkflowStatus>().FirstOrDefault(n => string.Equals(n, status, StringComparison.OrdinalIgnoreCase));
        if (status is not null && normalized is null)
            errors["status"] = [$"'{status}' is not a status; use one of {string.Join(", ", Enum.GetNames<WorkflowStatus>())}."];
        var from = CreatedBound(createdFrom, endOfDay: false, "createdFrom", errors);
        var to = CreatedBound(createdTo, endOfDay: true, "createdTo", errors);
        if (from is not null && to is not null && (to.Value.At < from.Value.At || (to.Value.At == from.Value.At && !to.Value.Included)))
            errors["createdTo"] = [$"The window ends ({createdTo}) before it starts ({createdFrom})."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
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
        // PostgreSQL compares instants in UTC only.
        if (from?.At.ToUniversalTime() is { } after) query = query.Where(i => i.CreatedAt >= after);
        if (to is { Included: true } && to.Value.At.ToUniversalTime() is var until) query = query.Where(i => i.CreatedAt <= until);
        if (to is { Included: false } && to.Value.At.ToUniversalTime() is var before) query = query.Where(i => i.CreatedAt < before);
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

    /// <summary>
    /// What an administrator looks at beside the instance itself: its definition's name, the organization its correlation
    /// id names, its parent and the children it dispatched (with their status), the activities that have run, and its tasks.
    /// </summary>
    public static async Task<Results<Ok<InstanceOverview>, ProblemHttpResult>> Overview(
        string id, IWorkflowStore store, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var instance = await store.FindInstanceAsync(id, cancellationToken);
        if (instance is null) return NotFound(id);
        var definition = await store.FindDefinitionVersionAsync(instance.DefinitionVersionId, cancellationToken);
        var organization = instance.CorrelationId is null ? null
            : await db.Organizations.AsNoTracking().Where(o => o.Id == instance.CorrelationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);

        // Children are named by the outputs of the instance's DispatchWorkflow activities: item (or correlation id) → instance id.
        var dispatchers = definition?.Root.Activities?.Where(a => a.Type == "Elsa.DispatchWorkflow").Select(a => a.Id).ToHashSet() ?? [];
        var dispatched = instance.State.ActivityOutputs
            .Where(o => dispatchers.Contains(o.Key) && o.Value.GetValueOrDefault("Children") is JsonObject)
            .SelectMany(o => ((JsonObject)o.Value["Children"]!).Select(c => (ActivityId: o.Key, Key: c.Key, Id: c.Value is JsonValue v && v.TryGetValue<string>(out var child) ? child : null)))
            .Where(c => c.Id is not null)
            .ToList();
        var childIds = dispatched.Select(c => c.Id!).ToList();
        var stored = await db.WorkflowInstances.AsNoTracking().Where(i => childIds.Contains(i.Id))
            .Select(i => new { i.Id, i.DefinitionId, i.Status }).ToDictionaryAsync(i => i.Id, cancellationToken);
        var children = dispatched
            .Select(c => new ChildInstance(c.Id!, c.ActivityId, c.Key, stored.GetValueOrDefault(c.Id!)?.DefinitionId, stored.GetValueOrDefault(c.Id!)?.Status))
            .ToList();

        var executed = nameof(JournalEvent.Executed);
        var completed = await db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == id && j.Event == executed && j.ActivityId != null)
            .Select(j => j.ActivityId!).Distinct().ToListAsync(cancellationToken);

        var tasks = db.Tasks.AsNoTracking().Where(t => t.InstanceId == id);
        var taskCount = await tasks.CountAsync(cancellationToken);
        var taskRows = await tasks.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id).Take(MaxOverviewTasks)
            .Select(t => new InstanceTask(t.Id, t.ActivityId, t.Title, t.Status, t.OrganizationId, t.DueAt, t.IsOverdue, t.CreatedAt, t.ClosedAt))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new InstanceOverview(InstanceResponse.From(instance), definition?.Name, organization, instance.State.ParentInstanceId,
            children, completed, taskRows, taskCount));
    }

    /// <summary>The most tasks an overview lists (newest first); the task list filters the rest.</summary>
    public const int MaxOverviewTasks = 100;

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

    /// <summary>
    /// One end of the creation window, and whether the window includes it: a Beijing day (its start; for the end, the
    /// start of the next day, which the window excludes) or an instant with its offset (included). Null when absent or
    /// unreadable; an unreadable one adds its error under the parameter's name.
    /// </summary>
    private static (DateTimeOffset At, bool Included)? CreatedBound(string? value, bool endOfDay, string parameter, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var local = (endOfDay ? day.AddDays(1) : day).ToDateTime(TimeOnly.MinValue);
            return (new DateTimeOffset(local, Dates.Shanghai.GetUtcOffset(local)), !endOfDay);
        }
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            && value.Contains('T', StringComparison.Ordinal) && HasOffset(value.Trim()))
            return (instant, true);
        errors[parameter] = [$"'{value}' is neither a day (yyyy-MM-dd, in Beijing time) nor an instant with its offset (e.g. 2025-04-21T09:00:00+08:00)."];
        return null;
    }

    /// <summary>Ends in Z or ±HH:mm: an instant without its offset would be read in the server's time zone.</summary>
    private static bool HasOffset(string instant) =>
        instant.EndsWith('Z') || instant.EndsWith('z') || (instant.Length > 6 && instant[^6] is '+' or '-' && instant[^3] == ':');

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"Workflow instance '{id}' does not exist.");
}

public sealed record InstanceSummary(string Id, string DefinitionId, string DefinitionVersionId, int Version, string Status,
    string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

public sealed record InstanceResponse(
    string Id, string DefinitionId, string DefinitionVersionId, int Version, WorkflowStatus Status, string? CorrelationId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, JsonNode?> Input, IReadOnlyDictionary<string, JsonNode?> Variables, IReadOnlyList<BookmarkResponse> Bookmarks,
    IReadOnlyList<Incident> Incidents, IReadOnlyDictionary<string, JsonNode?> Output, string? Name)
{
    public static InstanceResponse From(WorkflowInstance i) =>
        new(i.Id, i.DefinitionId, i.DefinitionVersionId, i.Version, i.Status, i.CorrelationId, i.CreatedAt, i.UpdatedAt, i.FinishedAt,
            i.State.Input, i.State.Variables,
            i.Bookmarks.Select(b => new BookmarkResponse(b.Id, b.ActivityId, b.Name, b.Key, b.CorrelationId, b.CreatedAt, b.ResumeAt, b.Payload,
                i.State.ContainerPath(b.Id))).ToList(),
            i.Incidents, i.State.Output, i.State.Name);
}

/// <summary>
/// A bookmark; its payload says e.g. which reminder step is next, and for which deadline. <paramref name="ContainerPath"/>:
/// the container activities it waits inside, outermost first (the root first).
/// </summary>
public sealed record BookmarkResponse(string Id, string ActivityId, string Name, string? Key, string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset? ResumeAt,
    JsonObject? Payload, IReadOnlyList<string> ContainerPath);

public sealed record JournalEntryResponse(long Sequence, DateTimeOffset At, string Event, string? ActivityId, string? ActivityType,
    string? ActivityName, string? Message, string? Outcomes);

/// <summary>An instance with what surrounds it; see <see cref="WorkflowInstancesApi.Overview"/>.</summary>
public sealed record InstanceOverview(
    InstanceResponse Instance, string? DefinitionName, string? OrganizationName, string? ParentInstanceId, IReadOnlyList<ChildInstance> Children,
    IReadOnlyList<string> CompletedActivityIds, IReadOnlyList<InstanceTask> Tasks, int TaskCount);

/// <summary>A child a DispatchWorkflow activity started, under its item's key; its status is null while it has not started.</summary>
public sealed record ChildInstance(string Id, string ActivityId, string Key, string? DefinitionId, string? Status);

public sealed record InstanceTask(string Id, string ActivityId, string Title, string Status, string? OrganizationId, DateTimeOffset? DueAt, bool IsOverdue,
    DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt);
