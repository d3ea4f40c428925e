using Microsoft.AspNetCore.Mvc;
using Manyi.Persistence.Audit;
using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// The workflow-instance rules, for the endpoints (<see cref="WorkflowInstancesApi"/>) and the administrator's pages:
/// list, inspect, journal (administrators; others only the instances of their tasks that tell nothing of another
/// organization, <see cref="TaskAccess.VisibleInstancesAsync"/>), overview, cancel and retry incidents.
/// </summary>
public sealed class InstanceService(ManyiDbContext db, IWorkflowStore store, TaskAccess access, WorkflowRuntime runtime, WorkflowGraphCache graphs, AuditTrail audit)
{
    /// <summary>The most tasks an overview lists (newest first); the task list filters the rest.</summary>
    public const int MaxOverviewTasks = 100;

    /// <summary>
    /// Instances, newest first, filtered by definition, status, correlation id (an organization's id for its participant
    /// workflow) and a window of creation: <c>createdFrom</c> and <c>createdTo</c> are each a day (<c>2025-04-21</c>,
    /// read in Beijing time; the "to" day counts whole) or an instant with its offset.
    /// </summary>
    public async Task<Outcome<Page<InstanceSummary>>> ListAsync(InstanceQuery filter, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var status = filter.Status;
        // By name only: Enum.TryParse would also take any number ("99") and filter on a status that cannot exist.
        var normalized = status is null ? null
            : Enum.GetNames<WorkflowStatus>().FirstOrDefault(n => string.Equals(n, status, StringComparison.OrdinalIgnoreCase));
        if (status is not null && normalized is null)
            errors["status"] = [$"'{status}' is not a status; use one of {string.Join(", ", Enum.GetNames<WorkflowStatus>())}."];
        var from = CreatedBound(filter.CreatedFrom, endOfDay: false, "createdFrom", errors);
        var to = CreatedBound(filter.CreatedTo, endOfDay: true, "createdTo", errors);
        if (from is not null && to is not null && (to.Value.At < from.Value.At || (to.Value.At == from.Value.At && !to.Value.Included)))
            errors["createdTo"] = [$"The window ends ({filter.CreatedTo}) before it starts ({filter.CreatedFrom})."];
        if (errors.Count > 0) return new Failure.Invalid(errors);
        var (page, pageSize) = Page.Clamp(filter.Page, filter.PageSize);
        var query = await access.VisibleInstancesAsync(db.WorkflowInstances.AsNoTracking(), cancellationToken);
        if (filter.DefinitionId is not null) query = query.Where(i => i.DefinitionId == filter.DefinitionId);
        if (normalized is not null) query = query.Where(i => i.Status == normalized);
        if (filter.CorrelationId is not null) query = query.Where(i => i.CorrelationId == filter.CorrelationId);
        // PostgreSQL compares instants in UTC only.
        if (from?.At.ToUniversalTime() is { } after) query = query.Where(i => i.CreatedAt >= after);
        if (to is { Included: true } && to.Value.At.ToUniversalTime() is var until) query = query.Where(i => i.CreatedAt <= until);
        if (to is { Included: false } && to.Value.At.ToUniversalTime() is var before) query = query.Where(i => i.CreatedAt < before);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersionId, i.Version, i.Status, i.CorrelationId, i.CreatedAt, i.UpdatedAt, i.FinishedAt))
            .ToListAsync(cancellationToken);
        return new Page<InstanceSummary>(items, total, page, pageSize);
    }

    /// <summary>Each definition's id and the name of its newest version, by id: the list's definition filter.</summary>
    public async Task<List<(string Id, string? Name)>> DefinitionsAsync(CancellationToken cancellationToken)
    {
        var rows = await db.WorkflowDefinitions.AsNoTracking().Select(d => new { d.DefinitionId, d.Name, d.Version }).ToListAsync(cancellationToken);
        return rows.GroupBy(d => d.DefinitionId).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.OrderByDescending(d => d.Version).First().Name)).ToList();
    }

    /// <summary>The names of the organizations among these ids (correlation ids that name one).</summary>
    public async Task<Dictionary<string, string>> OrganizationNamesAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var list = ids.Distinct().ToList();
        return await db.Organizations.AsNoTracking().Where(o => list.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
    }

    public async Task<Outcome<InstanceResponse>> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!await access.MaySeeInstanceAsync(id, cancellationToken)) return NotFound(id);
        var instance = await store.FindInstanceAsync(id, cancellationToken);
        return instance is null ? NotFound(id) : InstanceResponse.From(instance);
    }

    /// <summary>
    /// What an administrator looks at beside the instance itself: its definition's name, the organization its correlation
    /// id names, its parent and the children it dispatched (with their status), the activities that have run, and its tasks.
    /// </summary>
    public async Task<Outcome<InstanceOverview>> OverviewAsync(string id, CancellationToken cancellationToken)
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

        return new InstanceOverview(InstanceResponse.From(instance), definition?.Name, organization, instance.State.ParentInstanceId,
            children, completed, taskRows, taskCount);
    }

    /// <summary>The overview and the definition version the instance runs (to draw), for the administrator's instance page.</summary>
    public async Task<Outcome<(InstanceOverview Overview, WorkflowDefinition? Definition, IReadOnlyDictionary<string, ActivityNode> InlineRoots)>> ViewAsync(
        string id, CancellationToken cancellationToken)
    {
        var overview = await OverviewAsync(id, cancellationToken);
        if (overview.Value is not { } value) return overview.Failure!;
        var definition = await store.FindDefinitionVersionAsync(value.Instance.DefinitionVersionId, cancellationToken);
        return (value, definition, definition is null ? new Dictionary<string, ActivityNode>() : await InlineRootsAsync(definition, cancellationToken));
    }

    /// <summary>
    /// What each workflow used as an activity runs inline, by the using node's id: the used definition's root as the
    /// instance runs it (its ids prefixed with the node's), so that the viewer names and shows where inside it an
    /// instance waits. Empty when the version no longer compiles (a used workflow gone): the viewer then shows less.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, ActivityNode>> InlineRootsAsync(WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        WorkflowGraph graph;
        try
        {
            await runtime.LoadWorkflowActivitiesAsync(definition, cancellationToken);
            graph = graphs.Get(definition);
        }
        catch (Manyi.Engine.Validation.WorkflowValidationException)
        {
            return new Dictionary<string, ActivityNode>();
        }
        return graph.Nodes.Values
            .Where(n => n.Parent?.Activity is Manyi.Engine.Activities.Composition.WorkflowDefinitionActivity)
            .ToDictionary(n => n.Parent!.Node.Id, n => n.Node);
    }

    public async Task<Outcome<Page<JournalEntryResponse>>> JournalAsync(string id, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (!await access.MaySeeInstanceAsync(id, cancellationToken) || !await db.WorkflowInstances.AnyAsync(i => i.Id == id, cancellationToken))
            return NotFound(id);
        (page, pageSize) = Page.Clamp(page, pageSize);
        var entries = db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == id);
        var total = await entries.CountAsync(cancellationToken);
        var rows = await entries.OrderBy(j => j.Sequence).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        // A line of free text (an author's WriteLine, a fault, a line from before the keys) may hold organization ids: read as names.
        var readable = new ReadableIds(rows.Any(j => j.MessageKey is null && !string.IsNullOrEmpty(j.Message))
            ? await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken)
            : []);
        var items = rows.Select(j =>
        {
            var arguments = j.Arguments is null ? null : JsonNode.Parse(j.Arguments) as JsonObject;
            var (zh, en) = readable.Journal(j.Event, j.Message, j.MessageKey, arguments);
            return new JournalEntryResponse(j.Sequence, j.At, j.Event, j.ActivityId, j.ActivityType, j.ActivityName, j.Message, j.Outcomes,
                j.MessageKey, arguments, new JournalText(zh, en));
        }).ToList();
        return new Page<JournalEntryResponse>(items, total, page, pageSize);
    }

    public async Task<InstanceResponse> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var instance = await runtime.CancelAsync(id, cancellationToken);
        // After the cancellation's own commit (the runtime's burst).
        audit.Record(AuditActions.InstanceCancelled, AuditSubjects.WorkflowInstance, id,
            new { definitionId = instance.DefinitionId, correlationId = instance.CorrelationId });
        await db.SaveChangesAsync(cancellationToken);
        return InstanceResponse.From(instance);
    }

    public async Task<InstanceResponse> RetryAsync(string id, string incidentId, CancellationToken cancellationToken) =>
        InstanceResponse.From(await runtime.RetryAsync(id, incidentId, cancellationToken));

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

    private static Failure.NotFound NotFound(string id) => new($"Workflow instance '{id}' does not exist.");
}

/// <summary>The instance list's filters (see <see cref="InstanceService.ListAsync"/>).</summary>
public sealed record InstanceQuery(
    [FromQuery(Name = "definitionId")] string? DefinitionId = null,
    [FromQuery(Name = "status")] string? Status = null,
    [FromQuery(Name = "correlationId")] string? CorrelationId = null,
    [FromQuery(Name = "createdFrom")] string? CreatedFrom = null,
    [FromQuery(Name = "createdTo")] string? CreatedTo = null,
    [FromQuery(Name = "page")] int Page = 1,
    [FromQuery(Name = "pageSize")] int PageSize = 50);
