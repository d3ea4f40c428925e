using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Features.Demo;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// What the designer asks of a definition's versions besides editing them: compare two versions, preview the dates a
/// version or an unsaved draft would give its tasks and reminders for one organization, and move suspended instances
/// of older versions onto a newer one (a dry run first). The rules of <see cref="DefinitionServicesApi"/> and of the
/// compare, preview and migration pages.
/// </summary>
public sealed class WorkflowToolsService(
    ManyiDbContext db, IWorkflowStore store, WorkflowRuntime runtime, WorkflowGraphCache graphs, DeadlinePreviewer previewer, BusinessCalendar calendar,
    AuditTrail audit, CurrentUser user, IHostEnvironment environment, TimeProvider time)
{
    /// <summary>What changed from version <paramref name="from"/> to version <paramref name="to"/>.</summary>
    public async Task<Outcome<VersionComparison>> CompareAsync(string definitionId, int? from, int? to, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (from is null) errors["from"] = ["请给出要比较的旧版本号。The version to compare from is required, e.g. ?from=1&to=2."];
        if (to is null) errors["to"] = ["请给出要比较的新版本号。The version to compare to is required, e.g. ?from=1&to=2."];
        if (errors.Count > 0) return new Failure.Invalid(errors);
        var versions = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId && (d.Version == from || d.Version == to))
            .ToListAsync(cancellationToken);
        if (versions.Count == 0 && !await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId, cancellationToken))
            return NoDefinition(definitionId);
        var missing = new[] { from!.Value, to!.Value }.Distinct().Where(v => versions.All(d => d.Version != v)).ToList();
        if (missing.Count > 0)
            return new Failure.NotFound($"流程定义 '{definitionId}' 没有版本 {string.Join("、", missing)}。" +
                $"Workflow definition '{definitionId}' has no version {string.Join(" or ", missing)}.");
        var definition = (int v) => ElsaJson.Read(versions.First(d => d.Version == v).Json);
        return VersionComparison.Of(definition(from.Value), definition(to.Value));
    }

    // ---- Preview -------------------------------------------------------------------------------------------------

    /// <summary>
    /// The dates of every task and reminder of a draft (<c>definition</c>, Elsa 3 JSON) or of the latest version, for
    /// one organization, on the working-day calendar. The input defaults to the running campaign's settings (else
    /// <c>campaigns/2025.json</c>) with the organization as <c>item</c>.
    /// </summary>
    public async Task<Outcome<PreviewResponse>> PreviewAsync(string definitionId, PreviewRequest? body, CancellationToken cancellationToken)
    {
        Manyi.Engine.Model.WorkflowDefinition definition;
        string source;
        if (body?.Definition is JsonObject draft)
        {
            definition = ElsaJson.Read(draft.ToJsonString());
            if (!string.IsNullOrEmpty(definition.DefinitionId) && definition.DefinitionId != definitionId)
                return new Failure.Invalid("definition",
                    $"草稿属于 '{definition.DefinitionId}'，不是 '{definitionId}'。The draft is of '{definition.DefinitionId}', not '{definitionId}'.");
            if (string.IsNullOrEmpty(definition.DefinitionId)) definition.DefinitionId = definitionId;
            if (string.IsNullOrEmpty(definition.Id)) definition.Id = "draft";
            source = "draft";
        }
        else
        {
            var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
                .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
            if (latest is null) return NoDefinition(definitionId);
            definition = ElsaJson.Read(latest.Json);
            source = $"version {latest.Version}";
        }

        var organizationId = string.IsNullOrWhiteSpace(body?.OrganizationId) ? null : body.OrganizationId.Trim();
        if (organizationId is not null && !await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return new Failure.Invalid("organizationId", $"参评单位 '{organizationId}' 不存在。There is no organization '{organizationId}'.");

        string inputSource;
        Dictionary<string, JsonNode?> input;
        if (body?.Input is { } given)
        {
            input = given.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
            inputSource = "request";
        }
        else
        {
            (var settings, inputSource) = await CampaignSettingsAsync(cancellationToken);
            input = new Dictionary<string, JsonNode?> { ["campaign"] = settings?.DeepClone() };
            if (organizationId is not null) input["organizations"] = new JsonArray(organizationId);
        }
        if (organizationId is not null) input.TryAdd("item", organizationId);

        var preview = await previewer.PreviewAsync(definition, input, cancellationToken);
        var now = time.GetUtcNow();
        return new PreviewResponse(definitionId, source, organizationId, inputSource,
            [.. preview.Activities.Select(a => new PreviewActivity(a.ActivityId, a.Name, a.Type,
                a.Deadline is { } d ? calendar.ToLocal(d) : null, a.Deadline is { } due && due <= now,
                [.. a.Reminders.Select(r => new PreviewReminder(r.Label, r.Kind.ToString(), calendar.ToLocal(r.At), r.At <= now,
                    r.Moved?.From, r.Moved?.Reason.ToString(), r.MergedInto))],
                a.Ladder is null ? null : a.Ladder.InCalendarDays ? ReminderLadder.CalendarDays : ReminderLadder.WorkingDays, a.Error))],
            [.. preview.Problems.Select(p => p.ToString())]);
    }

    /// <summary>
    /// The campaign settings a deadline can count from (<c>{"campaignSetting": "dates.headcountDue"}</c>): every setting
    /// holding an instant, by its path, with that instant, from the same settings the preview uses.
    /// </summary>
    public async Task<IReadOnlyList<(string Path, DateTimeOffset At)>> DateSettingsAsync(CancellationToken cancellationToken)
    {
        var (settings, _) = await CampaignSettingsAsync(cancellationToken);
        var found = new List<(string, DateTimeOffset)>();
        Collect(settings, "");
        return found;

        void Collect(JsonNode? node, string path)
        {
            if (node is JsonObject o)
                foreach (var (key, value) in o) Collect(value, path.Length == 0 ? key : $"{path}.{key}");
            else if (node is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 16 && text[10] == 'T'
                     && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
                found.Add((path, calendar.ToLocal(at)));
        }
    }

    /// <summary>The settings of the latest campaign still running, else the repository's <c>campaigns/2025.json</c>.</summary>
    private async Task<(JsonNode? Settings, string Source)> CampaignSettingsAsync(CancellationToken cancellationToken)
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
    public async Task<Outcome<MigrationPlan>> MigrationDryRunAsync(string definitionId, int? to, bool? movable, int page, int pageSize,
        CancellationToken cancellationToken)
    {
        var target = await TargetAsync(definitionId, to, cancellationToken);
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
        return new MigrationPlan(definitionId, target.Record!.Version, plans.Count, plans.Count(p => p.CanMove),
            new Page<MigrationCandidate>(items, filtered.Count, page, pageSize));
    }

    /// <summary>Moves the given instances that can move, each in its own transaction; says of the others why not.</summary>
    public async Task<Outcome<MigrationResult>> MigrateAsync(string definitionId, MigrateRequest body, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.InstanceIds is not { Count: > 0 }) errors["instanceIds"] = ["请选择要迁移的实例。Choose the instances to move."];
        if (string.IsNullOrWhiteSpace(body.Reason)) errors["reason"] = ["请说明迁移原因。Say why the instances move; the journal and the audit trail record it."];
        var target = await TargetAsync(definitionId, body.To, cancellationToken);
        if (target.Problem is not null) return target.Problem;
        if (target.Invalid is not null) foreach (var (key, value) in target.Invalid.Errors) errors[key] = value;
        if (errors.Count > 0) return new Failure.Invalid(errors);

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
        return new MigrationResult(definitionId, to.Version, moved, notMoved);
    }

    private sealed record Target(WorkflowDefinitionRecord? Record, Failure.NotFound? Problem, Failure.Invalid? Invalid);

    /// <summary>The version to move to: it must exist and be published or retracted (a draft may still change).</summary>
    private async Task<Target> TargetAsync(string definitionId, int? to, CancellationToken cancellationToken)
    {
        if (!await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId, cancellationToken))
            return new Target(null, NoDefinition(definitionId), null);
        if (to is null)
            return new Target(null, null, new Failure.Invalid("to", "请给出目标版本号。The version to move to is required, e.g. ?to=2."));
        var record = await db.WorkflowDefinitions.AsNoTracking().FirstOrDefaultAsync(d => d.DefinitionId == definitionId && d.Version == to, cancellationToken);
        if (record is null)
            return new Target(null, new Failure.NotFound($"流程定义 '{definitionId}' 没有版本 {to}。Workflow definition '{definitionId}' has no version {to}."), null);
        if (record.Status == DefinitionStatus.Draft)
            return new Target(null, null, new Failure.Invalid("to", $"版本 {to} 是草稿，请先发布。Version {to} is a draft; publish it before moving instances onto it."));
        return new Target(record, null, null);
    }

    private static Failure.NotFound NoDefinition(string definitionId) =>
        new($"流程定义 '{definitionId}' 不存在。Workflow definition '{definitionId}' does not exist.");

    private static MigrationCandidate Candidate(MigrationRules.Plan plan, MigrationRules.VersionShape from) =>
        new(plan.Instance.Id, plan.Instance.CorrelationId, plan.Instance.Version, plan.Instance.UpdatedAt,
            [.. plan.WaitingIn.Select(a => new ActivitySummary(a, from.Graph.Nodes.GetValueOrDefault(a)?.Node.Name, from.Graph.Nodes.GetValueOrDefault(a)?.Node.Type ?? "?"))],
            plan.CanMove, plan.Reasons);
}
