using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Features.Demo;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// What the designer asks of a definition's versions besides editing them: compare two versions, preview the dates a
/// version or an unsaved draft would give its tasks and reminders for one organization, and move suspended instances
/// of older versions onto a newer one (a dry run first). Mapped inside the workflow-definitions group (administrators).
/// </summary>
public static class DefinitionServicesApi
{
    public static RouteGroupBuilder MapDefinitionServicesApi(this RouteGroupBuilder group)
    {
        group.MapGet("/{definitionId}/compare", Compare).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/preview", Preview).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{definitionId}/migration", MigrationDryRun).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/migration", Migrate).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    // ---- Compare -------------------------------------------------------------------------------------------------

    /// <summary>What changed from version <paramref name="from"/> to version <paramref name="to"/>.</summary>
    public static async Task<Results<Ok<VersionComparison>, ValidationProblem, ProblemHttpResult>> Compare(
        string definitionId, int? from, int? to, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (from is null) errors["from"] = ["请给出要比较的旧版本号。The version to compare from is required, e.g. ?from=1&to=2."];
        if (to is null) errors["to"] = ["请给出要比较的新版本号。The version to compare to is required, e.g. ?from=1&to=2."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var versions = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId && (d.Version == from || d.Version == to))
            .ToListAsync(cancellationToken);
        if (versions.Count == 0 && !await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId, cancellationToken))
            return Problems.NotFound($"流程定义 '{definitionId}' 不存在。Workflow definition '{definitionId}' does not exist.");
        var missing = new[] { from!.Value, to!.Value }.Distinct().Where(v => versions.All(d => d.Version != v)).ToList();
        if (missing.Count > 0)
            return Problems.NotFound($"流程定义 '{definitionId}' 没有版本 {string.Join("、", missing)}。" +
                $"Workflow definition '{definitionId}' has no version {string.Join(" or ", missing)}.");
        var definition = (int v) => ElsaJson.Read(versions.First(d => d.Version == v).Json);
        return TypedResults.Ok(VersionComparison.Of(definition(from.Value), definition(to.Value)));
    }

    // ---- Preview -------------------------------------------------------------------------------------------------

    /// <summary>
    /// The dates of every task and reminder of a draft (<c>definition</c>, Elsa 3 JSON) or of the latest version, for
    /// one organization, on the working-day calendar. The input defaults to the running campaign's settings (else
    /// <c>campaigns/2025.json</c>) with the organization as <c>item</c>.
    /// </summary>
    public static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> Preview(
        string definitionId, PreviewRequest? body, ManyiDbContext db, IWorkflowStore store, DeadlinePreviewer previewer, BusinessCalendar calendar,
        IHostEnvironment environment, TimeProvider time, CancellationToken cancellationToken)
    {
        Manyi.Engine.Model.WorkflowDefinition definition;
        string source;
        if (body?.Definition is JsonObject draft)
        {
            definition = ElsaJson.Read(draft.ToJsonString());
            if (!string.IsNullOrEmpty(definition.DefinitionId) && definition.DefinitionId != definitionId)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["definition"] = [$"草稿属于 '{definition.DefinitionId}'，不是 '{definitionId}'。The draft is of '{definition.DefinitionId}', not '{definitionId}'."],
                });
            if (string.IsNullOrEmpty(definition.DefinitionId)) definition.DefinitionId = definitionId;
            if (string.IsNullOrEmpty(definition.Id)) definition.Id = "draft";
            source = "draft";
        }
        else
        {
            var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
                .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
            if (latest is null) return Problems.NotFound($"流程定义 '{definitionId}' 不存在。Workflow definition '{definitionId}' does not exist.");
            definition = ElsaJson.Read(latest.Json);
            source = $"version {latest.Version}";
        }

        var organizationId = string.IsNullOrWhiteSpace(body?.OrganizationId) ? null : body.OrganizationId.Trim();
        if (organizationId is not null && !await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["organizationId"] = [$"参评单位 '{organizationId}' 不存在。There is no organization '{organizationId}'."],
            });

        string inputSource;
        Dictionary<string, JsonNode?> input;
        if (body?.Input is { } given)
        {
            input = given.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
            inputSource = "request";
        }
        else
        {
            (var settings, inputSource) = await CampaignSettingsAsync(db, store, environment, cancellationToken);
            input = new Dictionary<string, JsonNode?> { ["campaign"] = settings?.DeepClone() };
            if (organizationId is not null) input["organizations"] = new JsonArray(organizationId);
        }
        if (organizationId is not null) input.TryAdd("item", organizationId);

        var preview = await previewer.PreviewAsync(definition, input, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PreviewResponse(definitionId, source, organizationId, inputSource,
            [.. preview.Activities.Select(a => new PreviewActivity(a.ActivityId, a.Name, a.Type,
                a.Deadline is { } d ? calendar.ToLocal(d) : null, a.Deadline is { } due && due <= now,
                [.. a.Reminders.Select(r => new PreviewReminder(r.Label, r.Kind.ToString(), calendar.ToLocal(r.At), r.At <= now,
                    IsMoved(r, a.Deadline, a.Ladder, calendar)))],
                a.Ladder is not null, a.Error))],
            [.. preview.Problems.Select(p => p.ToString())]));
    }

    /// <summary>Whether the calendar moved a step off the day its rule names (a weekend or a holiday): before-N, at, after-N.</summary>
    /// <summary>
    /// Whether the calendar moved a step off the calendar day its rule names (a weekend or a holiday in the way):
    /// before-N, N days before the deadline; at, the deadline itself; after-k, k × everyDays days after it.
    /// </summary>
    private static bool IsMoved(ReminderStep step, DateTimeOffset? deadline, ReminderLadder? ladder, BusinessCalendar calendar)
    {
        if (deadline is not { } due) return false;
        var deadlineDay = DateOnly.FromDateTime(calendar.ToLocal(due).DateTime);
        var day = DateOnly.FromDateTime(calendar.ToLocal(step.At).DateTime);
        if (step.Label.StartsWith("before-", StringComparison.Ordinal) && int.TryParse(step.Label[7..], out var before))
            return day != deadlineDay.AddDays(-before);
        if (step.Label.StartsWith("after-", StringComparison.Ordinal) && int.TryParse(step.Label[6..], out var k) && ladder?.After is { } after)
            return day != deadlineDay.AddDays(k * after.EveryDays);
        return step.Label == "at" && step.At != due;
    }

    /// <summary>The settings of the latest campaign still running, else the repository's <c>campaigns/2025.json</c>.</summary>
    private static async Task<(JsonNode? Settings, string Source)> CampaignSettingsAsync(ManyiDbContext db, IWorkflowStore store, IHostEnvironment environment,
        CancellationToken cancellationToken)
    {
        var running = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == CampaignService.DefinitionId && (i.Status == nameof(WorkflowStatus.Suspended) || i.Status == nameof(WorkflowStatus.Running)))
            .OrderByDescending(i => i.CorrelationId).Select(i => new { i.Id, i.CorrelationId }).FirstOrDefaultAsync(cancellationToken);
        if (running is not null && await store.FindInstanceAsync(running.Id, cancellationToken) is { } campaign
            && campaign.State.Input.GetValueOrDefault("campaign") is { } settings)
            return (settings, running.CorrelationId ?? running.Id);
        var file = Path.Combine(RepositoryFolders.Resolve(null, "campaigns", environment.ContentRootPath), DemoCampaign.SettingsFile);
        if (!File.Exists(file)) return (null, "none");
        return (JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken))?["campaign"], "campaigns/" + DemoCampaign.SettingsFile);
    }

    // ---- Migration -----------------------------------------------------------------------------------------------

    /// <summary>A dry run: every suspended instance of a version older than <paramref name="to"/>, whether it can move and why not.</summary>
    public static async Task<Results<Ok<MigrationPlan>, ValidationProblem, ProblemHttpResult>> MigrationDryRun(
        string definitionId, int? to, ManyiDbContext db, WorkflowGraphCache graphs, CancellationToken cancellationToken,
        bool? movable = null, int page = 1, int pageSize = 50)
    {
        var target = await TargetAsync(db, definitionId, to, cancellationToken);
        if (target.Problem is not null) return target.Problem;
        if (target.Invalid is not null) return target.Invalid;
        var shape = MigrationRules.Shape(target.Record!, graphs);

        var instances = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == definitionId && i.Version < to && i.Status == nameof(WorkflowStatus.Suspended))
            .OrderBy(i => i.Version).ThenBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync(cancellationToken);
        var ids = instances.Select(i => i.Id).ToList();
        var bookmarks = (await db.Bookmarks.AsNoTracking().Where(b => ids.Contains(b.InstanceId)).ToListAsync(cancellationToken)).ToLookup(b => b.InstanceId);
        var versionIds = instances.Select(i => i.DefinitionVersionId).Distinct().ToList();
        var shapes = (await db.WorkflowDefinitions.AsNoTracking().Where(d => versionIds.Contains(d.Id)).ToListAsync(cancellationToken))
            .ToDictionary(d => d.Id, d => MigrationRules.Shape(d, graphs));
        var plans = instances.Select(i => MigrationRules.Check(i, [.. bookmarks[i.Id]], shapes[i.DefinitionVersionId], shape)).ToList();

        (page, pageSize) = Page.Clamp(page, pageSize);
        var filtered = plans.Where(p => movable is null || p.CanMove == movable).ToList();
        var items = filtered.Skip((page - 1) * pageSize).Take(pageSize).Select(p => Candidate(p, shapes[p.Instance.DefinitionVersionId])).ToList();
        return TypedResults.Ok(new MigrationPlan(definitionId, target.Record!.Version, plans.Count, plans.Count(p => p.CanMove),
            new Page<MigrationCandidate>(items, filtered.Count, page, pageSize)));
    }

    /// <summary>Moves the given instances that can move, each in its own transaction; says of the others why not.</summary>
    public static async Task<Results<Ok<MigrationResult>, ValidationProblem, ProblemHttpResult>> Migrate(
        string definitionId, MigrateRequest body, ManyiDbContext db, IWorkflowStore store, WorkflowRuntime runtime, AuditTrail audit, CurrentUser user,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.InstanceIds is not { Count: > 0 }) errors["instanceIds"] = ["请选择要迁移的实例。Choose the instances to move."];
        if (string.IsNullOrWhiteSpace(body.Reason)) errors["reason"] = ["请说明迁移原因。Say why the instances move; the journal and the audit trail record it."];
        var target = await TargetAsync(db, definitionId, body.To, cancellationToken);
        if (target.Problem is not null) return target.Problem;
        if (target.Invalid is not null) foreach (var (key, value) in target.Invalid.ProblemDetails.Errors) errors[key] = value;
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var to = await store.FindDefinitionVersionAsync(target.Record!.Id, cancellationToken)
            ?? throw new WorkflowNotFoundException($"Definition version '{target.Record.Id}' is missing.");
        var moved = new List<string>();
        var notMoved = new List<NotMoved>();
        foreach (var id in body.InstanceIds!.Distinct())
        {
            var reasons = await MigrationRules.MoveAsync(runtime, db, audit, id, to, user.Name, body.Reason!.Trim(), cancellationToken);
            if (reasons is null) moved.Add(id);
            else notMoved.Add(new NotMoved(id, reasons));
        }
        return TypedResults.Ok(new MigrationResult(definitionId, to.Version, moved, notMoved));
    }

    private sealed record Target(WorkflowDefinitionRecord? Record, ProblemHttpResult? Problem, ValidationProblem? Invalid);

    /// <summary>The version to move to: it must exist and be published or retracted (a draft may still change).</summary>
    private static async Task<Target> TargetAsync(ManyiDbContext db, string definitionId, int? to, CancellationToken cancellationToken)
    {
        if (!await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId, cancellationToken))
            return new Target(null, Problems.NotFound($"流程定义 '{definitionId}' 不存在。Workflow definition '{definitionId}' does not exist."), null);
        if (to is null)
            return new Target(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["to"] = ["请给出目标版本号。The version to move to is required, e.g. ?to=2."],
            }));
        var record = await db.WorkflowDefinitions.AsNoTracking().FirstOrDefaultAsync(d => d.DefinitionId == definitionId && d.Version == to, cancellationToken);
        if (record is null)
            return new Target(null, Problems.NotFound($"流程定义 '{definitionId}' 没有版本 {to}。Workflow definition '{definitionId}' has no version {to}."), null);
        if (record.Status == DefinitionStatus.Draft)
            return new Target(null, null, TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["to"] = [$"版本 {to} 是草稿，请先发布。Version {to} is a draft; publish it before moving instances onto it."],
            }));
        return new Target(record, null, null);
    }

    private static MigrationCandidate Candidate(MigrationRules.Plan plan, MigrationRules.VersionShape from) =>
        new(plan.Instance.Id, plan.Instance.CorrelationId, plan.Instance.Version, plan.Instance.UpdatedAt,
            [.. plan.WaitingIn.Select(a => new ActivitySummary(a, from.Graph.Nodes.GetValueOrDefault(a)?.Node.Name, from.Graph.Nodes.GetValueOrDefault(a)?.Node.Type ?? "?"))],
            plan.CanMove, plan.Reasons);
}

/// <summary>The draft to preview (null: the latest version), the organization, and optionally the workflow's input.</summary>
public sealed record PreviewRequest(JsonObject? Definition, string? OrganizationId, JsonObject? Input);

/// <summary>Deadlines and reminders in Beijing time; <c>InputSource</c> says where the input came from (request, campaign-2025, campaigns/2025.json).</summary>
public sealed record PreviewResponse(string DefinitionId, string Source, string? OrganizationId, string InputSource,
    IReadOnlyList<PreviewActivity> Activities, IReadOnlyList<string> Problems);

public sealed record PreviewActivity(string Id, string? Name, string Type, DateTimeOffset? Deadline, bool DeadlinePassed,
    IReadOnlyList<PreviewReminder> Reminders, bool HasLadder, string? Error);

/// <summary>One ladder step: its label (before-3, at, after-1, escalation), kind, when, whether it is past, whether the calendar moved it off its nominal day.</summary>
public sealed record PreviewReminder(string Step, string Kind, DateTimeOffset At, bool Past, bool MovedByCalendar);

public sealed record MigrationPlan(string DefinitionId, int To, int Suspended, int Movable, Page<MigrationCandidate> Instances);

public sealed record MigrationCandidate(string InstanceId, string? CorrelationId, int Version, DateTimeOffset UpdatedAt,
    IReadOnlyList<ActivitySummary> WaitingIn, bool CanMove, IReadOnlyList<string> Reasons);

public sealed record MigrateRequest(int? To, IReadOnlyList<string>? InstanceIds, string? Reason);

public sealed record MigrationResult(string DefinitionId, int To, IReadOnlyList<string> Moved, IReadOnlyList<NotMoved> NotMoved);

public sealed record NotMoved(string InstanceId, IReadOnlyList<string> Reasons);
