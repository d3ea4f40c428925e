using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Features.Organizations;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Dashboard;

/// <summary>
/// A campaign year as the secretariat follows it: for every organization of the year, where it stands at each stage
/// (from its participant instance and its tasks), the stage funnel, the reported headcount, the tasks overdue or due
/// within a week, and how the year's e-mails fared. One query for the page and for <c>GET /api/dashboard/{year}</c>.
/// </summary>
public sealed class CampaignDashboard(ManyiDbContext db, IWorkflowStore store, TimeProvider time)
{
    public const int MaxPageSize = 100;
    private const string DispatchActivityId = "participants";

    /// <summary>The stages each organization goes through, from <see cref="CampaignStages"/>; a stage with an activity stands for its tasks.</summary>
    public static IReadOnlyList<CampaignStage> Stages => CampaignStages.OfOrganization;

    /// <summary>The participant workflow's results (its variable <c>result</c>) that end an organization's year, and the stage each ends at.</summary>
    internal static readonly IReadOnlyDictionary<string, string> EndedAt = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["NoCertificate"] = "certificate",
        ["NotEligible"] = "conditions",
        ["Late"] = "submission",
        ["Incomplete"] = "completeness",
        ["Withdrawn"] = "training",
        ["NoSeat"] = "training",
    };

    /// <summary>Campaign years, newest first.</summary>
    public async Task<IReadOnlyList<int>> YearsAsync(CancellationToken cancellationToken)
    {
        var ids = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == CampaignService.DefinitionId && i.Status != nameof(WorkflowStatus.Cancelled) && i.CorrelationId != null)
            .Select(i => i.CorrelationId!).ToListAsync(cancellationToken);
        return [.. ids.Select(YearOf).OfType<int>().Distinct().OrderDescending()];
    }

    /// <summary>The figures of <paramref name="year"/>, with the grid and the two task lists paged and filtered as asked.</summary>
    public async Task<Outcome<DashboardFigures>> FiguresAsync(int year, DashboardRequest request, CancellationToken cancellationToken)
    {
        var query = request.Check();
        if (query.Value is null) return query.Failure!;
        return await LoadAsync(year, query.Value, cancellationToken) is { } figures
            ? figures
            : new Failure.NotFound($"{year} 年度活动不存在。There is no {year} campaign.");
    }

    /// <summary>The year's campaign instance (a live one before a cancelled one) and each organization's participant instance; null without a campaign.</summary>
    public async Task<CampaignParticipants?> ParticipantsAsync(int year, CancellationToken cancellationToken)
    {
        var record = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == CampaignService.DefinitionId && i.CorrelationId == CampaignService.CorrelationId(year))
            .OrderBy(i => i.Status == nameof(WorkflowStatus.Cancelled)).ThenByDescending(i => i.CreatedAt)
            .Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (record is null || await store.FindInstanceAsync(record, cancellationToken) is not { } campaign) return null;
        var outputs = campaign.State.ActivityOutputs.GetValueOrDefault(DispatchActivityId);
        var children = (outputs?.GetValueOrDefault("Children") as JsonObject ?? [])
            .ToDictionary(c => c.Key, c => (string)c.Value!, StringComparer.Ordinal);
        var organizationIds = (campaign.State.Input.GetValueOrDefault("organizations") as JsonArray ?? [])
            .Select(o => o?.ToString()).OfType<string>().Distinct().ToList();
        var results = outputs?.GetValueOrDefault("Results") as JsonObject ?? [];
        // The campaign takes its participants' ends when the last one ends (or publishBy passes); until then they are rows of their own.
        var organizationOf = children.ToDictionary(c => c.Value, c => c.Key, StringComparer.Ordinal);
        foreach (var end in await store.FindChildEndsAsync(campaign.Id, cancellationToken))
            if (organizationOf.TryGetValue(end.ChildInstanceId, out var organizationId) && !results.ContainsKey(organizationId))
                results[organizationId] = Engine.Activities.Composition.DispatchWorkflow.Result(end.ChildInstanceId, end.Report);
        return new CampaignParticipants(campaign, organizationIds, children, results);
    }

    /// <summary>The year's instances, the campaign's and each organization's workflow; empty when there is no such campaign.</summary>
    public async Task<IReadOnlyList<string>> InstanceIdsAsync(int year, CancellationToken cancellationToken) =>
        await ParticipantsAsync(year, cancellationToken) is { } participants ? [.. participants.Children.Values, participants.Campaign.Id] : [];

    private async Task<DashboardFigures?> LoadAsync(int year, DashboardQuery query, CancellationToken cancellationToken)
    {
        if (await ParticipantsAsync(year, cancellationToken) is not { } participants) return null;
        var (campaign, organizationIds, children, results) = participants;
        var now = time.GetUtcNow();

        var settings = campaign.State.Input.GetValueOrDefault("campaign");
        var seats = await SeatsAsync(year, settings, cancellationToken);
        var instanceIds = children.Values.Append(campaign.Id).ToList();
        // The year's ids go to the database as one parameter each list (a JSON array on SQLite, an array on PostgreSQL) that the
        // query reads as a subquery: one statement whatever the number of organizations, compiled once and prepared once, where
        // a Contains over a list sent one parameter per element and made EF Core compile the query again for every request.

        var organizations = await db.Organizations.AsNoTracking().Where(o => EF.Parameter(organizationIds).Contains(o.Id))
            .Select(o => new { o.Id, o.Name, o.Operator, o.City }).ToDictionaryAsync(o => o.Id, cancellationToken);
        var statuses = await db.WorkflowInstances.AsNoTracking().Where(i => EF.Parameter(instanceIds).Contains(i.Id))
            .Select(i => new { i.Id, i.Status }).ToDictionaryAsync(i => i.Id, i => i.Status, cancellationToken);
        // Each organization's stages and its most urgent open task: only the columns these need; form data only where a figure comes from it (trainees, rating).
        var tasks = await db.Tasks.AsNoTracking().Where(t => EF.Parameter(instanceIds).Contains(t.InstanceId))
            .Select(t => new TaskRow(t.Id, t.InstanceId, t.Stage, t.Status, t.Outcome, t.DueAt, t.IsOverdue,
                t.CreatedAt, t.ClosedAt, t.Stage == "headcount" || t.Stage == "review" ? t.Data : null))
            .ToListAsync(cancellationToken);
        var tasksByInstance = tasks.ToLookup(t => t.InstanceId);

        var rows = new List<OrganizationProgress>();
        foreach (var id in organizationIds)
        {
            var organization = organizations.GetValueOrDefault(id);
            var instanceId = children.GetValueOrDefault(id);
            var status = instanceId is null ? null : statuses.GetValueOrDefault(instanceId);
            var result = results[id]?["variables"]?["result"]?.ToString();
            var ended = status is nameof(WorkflowStatus.Finished) or nameof(WorkflowStatus.Cancelled) or nameof(WorkflowStatus.Faulted)
                || (instanceId is null && campaign.Status is WorkflowStatus.Finished or WorkflowStatus.Cancelled or WorkflowStatus.Faulted);
            var own = instanceId is null ? [] : tasksByInstance[instanceId].ToList();
            var cells = Cells(own, ended, result, seats.TryGetValue(id, out var seat) ? seat : seats[""], now);
            var headcount = Latest(own, "headcount");
            int? trainees = headcount?.Status == HumanTaskStatus.Completed ? Trainees(headcount.Data) : null;
            var next = own.Where(t => t.Status == HumanTaskStatus.Open).OrderBy(t => t.DueAt ?? DateTimeOffset.MaxValue).FirstOrDefault();
            rows.Add(new OrganizationProgress(id, organization?.Name ?? id, organization?.Operator ?? "", organization?.City ?? "", instanceId, status,
                result, trainees, next?.Id, cells));
        }
        rows = [.. rows.InListOrder(r => r.Operator, r => r.City, r => r.OrganizationId)];

        var funnel = Stages.Select((stage, index) =>
        {
            var states = rows.Select(r => r.Stages[index].State).ToList();
            int Count(StageState s) => states.Count(x => x == s);
            return new StageFigures(stage.Id, stage.Zh, stage.En, Count(StageState.Done) + Count(StageState.Open) + Count(StageState.Overdue),
                Count(StageState.Done), Count(StageState.Open), Count(StageState.Overdue), Count(StageState.NotReached), Count(StageState.Ended));
        }).ToList();
        var headcountIndex = 0;
        var headcountFigures = new HeadcountFigures(rows.Count, rows.Count(r => r.Stages[headcountIndex].State == StageState.Done),
            rows.Count(r => r.Stages[headcountIndex].State == StageState.Overdue), rows.Sum(r => r.Trainees ?? 0));

        // The grid: filters, then one page.
        IEnumerable<OrganizationProgress> grid = rows;
        if (!string.IsNullOrWhiteSpace(query.Operator)) grid = grid.Where(r => r.Operator == query.Operator.Trim());
        if (!string.IsNullOrWhiteSpace(query.City)) grid = grid.Where(r => r.City == query.City.Trim());
        if (!string.IsNullOrWhiteSpace(query.Name))
            grid = grid.Where(r => r.Name.Contains(query.Name.Trim(), StringComparison.OrdinalIgnoreCase)
                || r.OrganizationId.Contains(query.Name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (query.StageStatus is { } wanted)
        {
            var index = query.Stage is null ? -1 : IndexOf(query.Stage);
            grid = index >= 0 ? grid.Where(r => r.Stages[index].State == wanted) : grid.Where(r => r.Stages.Any(c => c.State == wanted));
        }
        var filtered = grid.ToList();

        // The two task lists: every open task of the year's instances (the organizations', the administrators', the reviewers'),
        // counted and paged in the database.
        var names = organizations.ToDictionary(o => o.Key, o => o.Value.Name);
        var correlation = children.ToDictionary(c => c.Value, c => c.Key);
        var open = db.Tasks.AsNoTracking().Where(t => EF.Parameter(instanceIds).Contains(t.InstanceId) && t.Status == HumanTaskStatus.Open);
        var weekAhead = now.AddDays(7);
        var overdue = await TaskPageAsync(open.Where(t => t.IsOverdue || t.DueAt <= now), query.OverduePage, query.PageSize, cancellationToken);
        var dueSoon = await TaskPageAsync(open.Where(t => !t.IsOverdue && t.DueAt > now && t.DueAt <= weekAhead), query.DueSoonPage, query.PageSize,
            cancellationToken);
        Page<DashboardTask> Named(Page<ListedTask> page) => new([.. page.Items.Select(t =>
        {
            var organizationId = t.OrganizationId ?? correlation.GetValueOrDefault(t.InstanceId);
            return new DashboardTask(t.Id, t.Title, t.Stage, organizationId, organizationId is null ? null : names.GetValueOrDefault(organizationId),
                t.DueAt, t.AssigneeRole);
        })], page.TotalCount, page.PageNumber, page.PageSize);

        var emails = await db.OutboxMessages.AsNoTracking().Where(m => m.InstanceId != null && EF.Parameter(instanceIds).Contains(m.InstanceId))
            .GroupBy(m => new { m.Kind, m.Status }).Select(g => new { g.Key.Kind, g.Key.Status, Count = g.Count() }).ToListAsync(cancellationToken);
        var emailCounts = emails.GroupBy(e => e.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new EmailCount(g.Key,
            g.Where(e => e.Status == OutboxStatus.Sent).Sum(e => e.Count),
            g.Where(e => e.Status == OutboxStatus.Queued).Sum(e => e.Count),
            g.Where(e => e.Status == OutboxStatus.Failed).Sum(e => e.Count))).ToList();

        return new DashboardFigures(year, campaign.Id, campaign.Status.ToString(), now, await YearsAsync(cancellationToken), funnel, headcountFigures,
            PageOf(filtered, query.Page, query.PageSize),
            Named(overdue),
            Named(dueSoon),
            emailCounts,
            [.. rows.Select(r => r.Operator).Where(o => o != "").Distinct().OrderBy(Manyi.Campaign.ListOrder.OperatorRank).ThenBy(o => o, StringComparer.Ordinal)],
            [.. rows.Select(r => r.City).Where(c => c != "").Distinct().OrderBy(Manyi.Campaign.ListOrder.CityRank).ThenBy(c => c, StringComparer.Ordinal)]);
    }

    public static int IndexOf(string stage)
    {
        for (var i = 0; i < Stages.Count; i++)
            if (Stages[i].Id == stage) return i;
        return -1;
    }

    /// <summary>
    /// Each organization's training seat: its status and its own session's end. Under the empty key, the first session's end,
    /// for an organization the ledger does not hold (a year started before seats were kept).
    /// </summary>
    private async Task<Dictionary<string, Seat>> SeatsAsync(int year, JsonNode? settings, CancellationToken cancellationToken)
    {
        var ends = (settings?["training"]?["sessions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(s => s["id"] is JsonValue).ToDictionary(s => s["id"]!.ToString(), s => Instant(s["end"]), StringComparer.Ordinal);
        var seats = await db.TrainingSeats.AsNoTracking().Where(s => s.Year == year)
            .ToDictionaryAsync(s => s.OrganizationId, s => new Seat(s.Status, ends.GetValueOrDefault(s.SessionId)), StringComparer.Ordinal, cancellationToken);
        seats[""] = new Seat(SeatStatus.Confirmed, Instant(CampaignStages.Training.SettingIn(settings)));
        return seats;
    }

    private sealed record Seat(SeatStatus Status, DateTimeOffset? End);

    /// <summary>Where one organization stands at each stage. Once its instance has ended, the stages it never reached are <see cref="StageState.Ended"/>.</summary>
    private static List<StageCell> Cells(List<TaskRow> tasks, bool ended, string? result, Seat? seat, DateTimeOffset now)
    {
        var cells = new List<StageCell>(Stages.Count);
        foreach (var stage in Stages)
        {
            var cell = stage.Id switch
            {
                "training" => Training(cells[^1], seat, now, ended),
                "rated" => Rated(Latest(tasks, "review"), ended, result),
                _ => TaskCell(stage.Id, Latest(tasks, stage.Id), now, ended),
            };
            cells.Add(cell);
        }
        // The stage where the organization's year ended carries the reason.
        if (result is not null && EndedAt.GetValueOrDefault(result) is { } where && IndexOf(where) is var at and >= 0)
            cells[at] = cells[at] with { Note = result };
        return cells;
    }

    private static StageCell TaskCell(string stage, TaskRow? task, DateTimeOffset now, bool ended) => task switch
    {
        null => new StageCell(stage, ended ? StageState.Ended : StageState.NotReached, null, null, null),
        { Status: HumanTaskStatus.Completed, Outcome: "Returned" } => new StageCell(stage, ended ? StageState.Ended : StageState.Open, task.ClosedAt, task.Id, "Returned"),
        { Status: HumanTaskStatus.Completed } => new StageCell(stage, StageState.Done, task.ClosedAt, task.Id, stage == "headcount" ? Trainees(task.Data)?.ToString(CultureInfo.InvariantCulture) : null),
        { Status: HumanTaskStatus.Open } => new StageCell(stage, IsOverdue(task, now) ? StageState.Overdue : StageState.Open, task.DueAt, task.Id, null),
        // Expired (the deadline closed it) or cancelled (withdrawn): the organization goes no further here.
        _ => new StageCell(stage, StageState.Ended, task.ClosedAt, task.Id, task.Status.ToString()),
    };

    /// <summary>
    /// Training is an event, not a task: reached once signed up, open while the organization waits for a seat or for its
    /// own session to end, done once that session has ended; a withdrawn sign-up ends there.
    /// </summary>
    private static StageCell Training(StageCell signup, Seat? seat, DateTimeOffset now, bool ended) => (signup.State, seat?.Status) switch
    {
        (StageState.Done, SeatStatus.Withdrawn) => new StageCell("training", StageState.Ended, null, null, nameof(SeatStatus.Withdrawn)),
        (StageState.Done, SeatStatus.WaitListed) => new StageCell("training", ended ? StageState.Ended : StageState.Open, null, null, nameof(SeatStatus.WaitListed)),
        (StageState.Done, _) when seat?.End is not { } end || end <= now => new StageCell("training", StageState.Done, seat?.End, null, null),
        (StageState.Done, _) => new StageCell("training", ended ? StageState.Ended : StageState.Open, seat.End, null, null),
        _ => new StageCell("training", ended ? StageState.Ended : StageState.NotReached, null, null, null),
    };

    private static StageCell Rated(TaskRow? review, bool ended, string? result) => review switch
    {
        { Status: HumanTaskStatus.Completed } => new StageCell("rated", StageState.Done, review.ClosedAt, review.Id, Rating(review.Data) ?? result),
        _ => new StageCell("rated", ended ? StageState.Ended : StageState.NotReached, null, null, null),
    };

    private static TaskRow? Latest(List<TaskRow> tasks, string stage) =>
        tasks.Where(t => t.Stage == stage).OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id, StringComparer.Ordinal).FirstOrDefault();

    private static bool IsOverdue(TaskRow task, DateTimeOffset now) => task.IsOverdue || task.DueAt is { } due && due <= now;

    private static int? Trainees(string? data) =>
        data is not null && JsonNode.Parse(data)?["trainees"] is JsonValue value && value.TryGetValue<int>(out var trainees) ? trainees : null;

    private static string? Rating(string? data) => data is null ? null : JsonNode.Parse(data)?["rating"]?.ToString();

    private static DateTimeOffset? Instant(JsonNode? node) =>
        node is JsonValue value && DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) ? instant : null;

    /// <summary>One page of <paramref name="tasks"/> by due date, and how many there are, in two statements.</summary>
    private static async Task<Page<ListedTask>> TaskPageAsync(IQueryable<HumanTaskRecord> tasks, int page, int pageSize, CancellationToken cancellationToken)
    {
        var total = await tasks.CountAsync(cancellationToken);
        var items = total <= (page - 1) * pageSize ? [] : await tasks.OrderBy(t => t.DueAt).ThenBy(t => t.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(t => new ListedTask(t.Id, t.InstanceId, t.Title, t.Stage, t.OrganizationId, t.AssigneeRole, t.DueAt))
            .ToListAsync(cancellationToken);
        return new Page<ListedTask>(items, total, page, pageSize);
    }

    private sealed record ListedTask(string Id, string InstanceId, string Title, string? Stage, string? OrganizationId, string? AssigneeRole, DateTimeOffset? DueAt);

    private static Page<T> PageOf<T>(IReadOnlyList<T> items, int page, int pageSize) =>
        new([.. items.Skip((page - 1) * pageSize).Take(pageSize)], items.Count, page, pageSize);

    public static int? YearOf(string? correlationId) =>
        correlationId?.StartsWith("campaign-", StringComparison.Ordinal) == true
        && int.TryParse(correlationId[9..], NumberStyles.None, CultureInfo.InvariantCulture, out var year) ? year : null;

    private sealed record TaskRow(string Id, string InstanceId, string? Stage, HumanTaskStatus Status, string? Outcome,
        DateTimeOffset? DueAt, bool IsOverdue, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, string? Data);
}

/// <summary>A year's campaign, its organizations (in the order it started with), their participant instances and their results.</summary>
public sealed record CampaignParticipants(WorkflowInstance Campaign, IReadOnlyList<string> OrganizationIds,
    IReadOnlyDictionary<string, string> Children, JsonObject Results);

/// <summary>Where an organization stands at a stage.</summary>
public enum StageState
{
    /// <summary>Passed: the task completed (or, for training, the course over).</summary>
    Done,

    /// <summary>Its task is open and not yet due.</summary>
    Open,

    /// <summary>Its task is open past its deadline.</summary>
    Overdue,

    /// <summary>Not yet: an earlier stage is still open.</summary>
    NotReached,

    /// <summary>The organization's year ended before or at this stage (no certificate, not eligible, late, incomplete, withdrawn).</summary>
    Ended,
}

/// <summary>The grid's filters and the three pagers, checked (<see cref="DashboardRequest"/>).</summary>
public sealed record DashboardQuery(
    string? Operator = null, string? City = null, string? Name = null, string? Stage = null, StageState? StageStatus = null,
    int Page = 1, int PageSize = 20, int OverduePage = 1, int DueSoonPage = 1);

public sealed record DashboardFigures(
    int Year, string CampaignInstanceId, string CampaignStatus, DateTimeOffset Now, IReadOnlyList<int> Years,
    IReadOnlyList<StageFigures> Funnel, HeadcountFigures Headcount,
    Page<OrganizationProgress> Organizations, Page<DashboardTask> Overdue, Page<DashboardTask> DueSoon,
    IReadOnlyList<EmailCount> Emails, IReadOnlyList<string> Operators, IReadOnlyList<string> Cities);

/// <summary>How many organizations reached a stage (done, open or overdue there) and how many stand at each state.</summary>
public sealed record StageFigures(string Stage, string Zh, string En, int Reached, int Done, int Open, int Overdue, int NotReached, int Ended);

/// <summary>The headcount reports: organizations, those that reported, those overdue, and the trainees reported.</summary>
public sealed record HeadcountFigures(int Organizations, int Reported, int Overdue, int Trainees);

/// <summary>
/// One row of the grid: the organization, its participant instance, the result its year ended with, the trainees it
/// reported, its most urgent open task, and a cell per stage (in <see cref="CampaignDashboard.Stages"/> order).
/// </summary>
public sealed record OrganizationProgress(
    string OrganizationId, string Name, string Operator, string City, string? InstanceId, string? InstanceStatus, string? Result, int? Trainees,
    string? OpenTaskId, IReadOnlyList<StageCell> Stages);

/// <summary>
/// One cell: the state, its date (completed at; due at for an open task; the course's end for training), the task,
/// and a note (trainees reported, the rating, Returned, Expired, Cancelled, or the result the year ended with).
/// </summary>
public sealed record StageCell(string Stage, StageState State, DateTimeOffset? At, string? TaskId, string? Note);

public sealed record DashboardTask(string TaskId, string Title, string? Stage, string? OrganizationId, string? OrganizationName, DateTimeOffset? DueAt,
    string? AssigneeRole);

/// <summary>The year's e-mails of one kind (notice, reminder, overdue, escalation, rating, …) by delivery status.</summary>
public sealed record EmailCount(string Kind, int Sent, int Pending, int Failed);
