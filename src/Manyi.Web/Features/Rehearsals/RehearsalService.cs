using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// Rehearses a campaign year (<see cref="RehearsalRequest"/>) in a <see cref="RehearsalSandbox"/> and keeps the result
/// in the rehearsals table: the rules of <see cref="RehearsalsApi"/> and of the rehearsal page. The real database is only
/// read (workflow versions, settings, organizations and contacts, chat channels) and gets the one rehearsals row.
/// </summary>
public sealed class RehearsalService(
    ManyiDbContext db, IWorkflowStore store, BusinessCalendar calendar, RehearsalGate gate, CurrentUser user, IConfiguration configuration,
    IHostEnvironment environment, TimeProvider time)
{
    public const string CampaignDefinitionId = CampaignService.DefinitionId;
    public const string ParticipantDefinitionId = "participant";

    public async Task<Outcome<RehearsalResult>> RunAsync(RehearsalRequest? request, CancellationToken cancellationToken)
    {
        if (request is null) return new Failure.Invalid("body", "请给出演练的设置。The rehearsal's definitions, settings and scenario are required.");
        var errors = new Dictionary<string, string[]>();
        var definitions = await DefinitionsAsync(request.Definitions, errors, cancellationToken);
        var settings = await SettingsAsync(request, errors, cancellationToken);
        var names = await db.Organizations.AsNoTracking().OrderBy(o => o.Id).ToDictionaryAsync(o => o.Id, o => o.Name, StringComparer.Ordinal, cancellationToken);
        var organizations = Organizations(request.Organizations, names, errors);
        var plan = Plan(request.Scenario, organizations, names, errors);
        if (errors.Count > 0) return new Failure.Invalid(errors);

        var started = Stopwatch.StartNew();
        var findings = RehearsalSettings.Check(settings!, calendar);
        RehearsalReportData report;
        if (RehearsalSettings.CanRun(settings!))
        {
            // One at a time on a node: a year is a few seconds of both cores.
            using var turn = await gate.EnterAsync(cancellationToken);
            var organizationRecords = await db.Organizations.AsNoTracking().Include(o => o.Contacts).Where(o => plan!.Organizations.Contains(o.Id))
                .ToListAsync(cancellationToken);
            var channels = await db.NotificationChannels.AsNoTracking().ToListAsync(cancellationToken);
            report = await new RehearsalRun(configuration, calendar).RunAsync(definitions, organizationRecords, channels, settings!, plan!, findings, cancellationToken);
        }
        else report = RehearsalReportData.Empty;

        var id = Guid.NewGuid().ToString("N");
        var result = new RehearsalResult(id, RehearsalSettings.Year(settings!) ?? 0, time.GetUtcNow(), user.IsSignedIn ? user.Name : null, started.ElapsedMilliseconds,
            Summary(plan!), report.Definitions, findings, [.. plan!.Organizations.Select(o => new RehearsalOrganization(o, plan.NameOf(o)))],
            report.Deadlines, report.Messages, report.Ends);
        db.Rehearsals.Add(new RehearsalRecord
        {
            Id = id, CreatedAt = result.CreatedAt, CreatedByUserId = user.IsSignedIn ? user.Id : "", CreatedByName = result.CreatedBy, Year = result.Year,
            Request = JsonSerializer.Serialize(request with { Settings = settings }, JsonSerializerOptions.Web),
            Result = JsonSerializer.Serialize(result, JsonSerializerOptions.Web), ElapsedMilliseconds = result.ElapsedMilliseconds,
        });
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    public async Task<Outcome<RehearsalResult>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await db.Rehearsals.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return record is null ? NotFound(id) : JsonSerializer.Deserialize<RehearsalResult>(record.Result, JsonSerializerOptions.Web)!;
    }

    /// <summary>The request a run was made with (its settings as they were), to run it again after an edit.</summary>
    public async Task<RehearsalRequest?> RequestOfAsync(string id, CancellationToken cancellationToken)
    {
        var json = await db.Rehearsals.AsNoTracking().Where(r => r.Id == id).Select(r => r.Request).FirstOrDefaultAsync(cancellationToken);
        return json is null ? null : JsonSerializer.Deserialize<RehearsalRequest>(json, JsonSerializerOptions.Web);
    }

    /// <summary>The versions of the workflows a year runs (the campaign and the participant's), newest first, for choosing one.</summary>
    public async Task<IReadOnlyList<RehearsalDefinition>> VersionsAsync(CancellationToken cancellationToken)
    {
        string[] ids = [CampaignDefinitionId, ParticipantDefinitionId];
        var versions = await db.WorkflowDefinitions.AsNoTracking().Where(d => ids.Contains(d.DefinitionId))
            .Select(d => new { d.DefinitionId, d.Name, d.Version, d.Status }).ToListAsync(cancellationToken);
        return [.. versions.OrderBy(v => v.DefinitionId, StringComparer.Ordinal).ThenByDescending(v => v.Version)
            .Select(v => new RehearsalDefinition(v.DefinitionId, v.Name, v.Version, v.Status.ToString()))];
    }

    /// <summary>The organizations by name, for naming late or returned ones.</summary>
    public async Task<IReadOnlyList<RehearsalOrganization>> OrganizationsAsync(CancellationToken cancellationToken) =>
        await db.Organizations.AsNoTracking().OrderBy(o => o.Id).Select(o => new RehearsalOrganization(o.Id, o.Name)).ToListAsync(cancellationToken);

    /// <summary>The latest runs, newest first.</summary>
    public async Task<IReadOnlyList<RehearsalListItem>> ListAsync(int take, CancellationToken cancellationToken)
    {
        var records = await db.Rehearsals.AsNoTracking().OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(take, 1, 100)).ToListAsync(cancellationToken);
        return [.. records.Select(r => ListItem(JsonSerializer.Deserialize<RehearsalResult>(r.Result, JsonSerializerOptions.Web)!))];
    }

    public async Task<Outcome<RehearsalComparison>> CompareAsync(string first, string second, CancellationToken cancellationToken)
    {
        var a = await GetAsync(first, cancellationToken);
        if (a.Value is not { } one) return a.Failure!;
        var b = await GetAsync(second, cancellationToken);
        if (b.Value is not { } two) return b.Failure!;
        return RehearsalCompare.Of(one, two);
    }

    public static RehearsalListItem ListItem(RehearsalResult r) =>
        new(r.Id, r.Year, r.CreatedAt, r.CreatedBy, r.Scenario.Zh, r.Scenario.En, r.Messages.Count, r.Findings.Count(f => f.Severity == RehearsalFinding.ErrorSeverity));

    /// <summary>Every published workflow, with the versions asked for in their place; an unknown definition or version is an error naming it.</summary>
    private async Task<IReadOnlyList<WorkflowDefinitionRecord>> DefinitionsAsync(Dictionary<string, int>? asked, Dictionary<string, string[]> errors,
        CancellationToken cancellationToken)
    {
        var published = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.Status == DefinitionStatus.Published).ToListAsync(cancellationToken);
        var chosen = published.ToDictionary(d => d.DefinitionId, StringComparer.Ordinal);
        foreach (var (definitionId, version) in asked ?? [])
        {
            var record = await db.WorkflowDefinitions.AsNoTracking().FirstOrDefaultAsync(d => d.DefinitionId == definitionId && d.Version == version, cancellationToken);
            if (record is null)
                errors[$"definitions.{definitionId}"] = [$"流程 '{definitionId}' 没有第 {version} 版。Workflow '{definitionId}' has no version {version}."];
            else chosen[definitionId] = record;
        }
        return [.. chosen.Values];
    }

    /// <summary>The edited settings given, else the saved year's: its campaign's, else the campaigns folder's file of that year.</summary>
    private async Task<JsonObject?> SettingsAsync(RehearsalRequest request, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (request.Settings is { } given) return (JsonObject)given.DeepClone();
        if (request.Year is not { } year)
        {
            errors["settings"] = ["请给出年度活动设置或年度。Give the year's settings, or a year whose saved settings to use."];
            return null;
        }
        var instance = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == CampaignDefinitionId && i.CorrelationId == CampaignService.CorrelationId(year))
            .OrderByDescending(i => i.CreatedAt).Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (instance is not null && await store.FindInstanceAsync(instance, cancellationToken) is { } campaign
            && campaign.State.Input.GetValueOrDefault("campaign") is JsonObject saved)
            return (JsonObject)saved.DeepClone();
        var file = Path.Combine(RepositoryFolders.Resolve(configuration["Manyi:CampaignsDirectory"], "campaigns", environment.ContentRootPath), $"{year}.json");
        if (File.Exists(file) && JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken))?["campaign"] is JsonObject fromFile)
            return (JsonObject)fromFile.DeepClone();
        errors["year"] = [$"没有 {year} 年度的设置。There are no saved settings of {year}."];
        return null;
    }

    private static IReadOnlyList<string> Organizations(List<string>? asked, Dictionary<string, string> names, Dictionary<string, string[]> errors)
    {
        if (asked is null or []) return [.. names.Keys];
        var unknown = asked.Where(o => !names.ContainsKey(o)).ToList();
        if (unknown.Count > 0) errors["organizations"] = [$"未知的参评单位：{string.Join("、", unknown)}。Unknown organizations: {string.Join(", ", unknown)}."];
        return [.. asked.Distinct()];
    }

    private static RehearsalPlan? Plan(RehearsalScenario? scenario, IReadOnlyList<string> organizations, Dictionary<string, string> names,
        Dictionary<string, string[]> errors)
    {
        var year = organizations.Where(names.ContainsKey).ToDictionary(o => o, o => names[o], StringComparer.Ordinal);
        if (year.Count == 0 && !errors.ContainsKey("organizations"))
            errors["organizations"] = ["还没有参评单位，请先导入。There are no organizations yet: import them first."];
        IReadOnlyList<string> late = [];
        IReadOnlyList<string> stages = [];
        var days = 0;
        if (scenario?.Late is { } l)
        {
            stages = [.. (l.Stages ?? []).Distinct()];
            var lateable = LateScenario.LateableStages.Select(s => s.Id).ToList();
            if (stages.Count == 0 || stages.Any(s => !lateable.Contains(s)))
                errors["scenario.late.stages"] = [$"请选择参评单位自己办理的阶段：{string.Join("、", LateScenario.LateableStages.Select(s => s.Zh))}。" +
                    $"Choose stages the organizations do themselves: {string.Join(", ", LateScenario.LateableStages.Select(s => s.En))}."];
            if (l.WorkingDays is < 1 or > LateScenario.MaxWorkingDays)
                errors["scenario.late.workingDays"] = [$"逾期工作日应在 1 到 {LateScenario.MaxWorkingDays} 之间。Working days late must be 1 to {LateScenario.MaxWorkingDays}."];
            days = l.WorkingDays;
            if (l.Organizations is { Count: > 0 } chosen)
            {
                if (chosen.Where(o => !year.ContainsKey(o)).ToList() is { Count: > 0 } unknown)
                    errors["scenario.late.organizations"] = [$"不在本次演练的参评单位中：{string.Join("、", unknown)}。Not among the organizations rehearsed: {string.Join(", ", unknown)}."];
                late = [.. chosen.Distinct()];
            }
            else if (l.Count is { } count && count >= 1 && count <= year.Count) late = RehearsalPlan.Draw([.. year.Keys], count, l.Seed);
            else errors["scenario.late.count"] = [$"逾期单位数应在 1 到 {year.Count} 之间，或列出单位。Give 1 to {year.Count} late organizations, or name them."];
        }
        if (scenario?.OnTimeWorkingDaysBefore is < 1 or > RehearsalScenario.MaxWorkingDaysBefore)
            errors["scenario.onTimeWorkingDaysBefore"] = [$"按时单位提前的工作日应在 1 到 {RehearsalScenario.MaxWorkingDaysBefore} 之间，或留空。" +
                $"Working days before the deadline must be 1 to {RehearsalScenario.MaxWorkingDaysBefore}, or empty."];
        var returned = string.IsNullOrWhiteSpace(scenario?.Returned) ? null : scenario.Returned.Trim();
        if (returned is not null && !year.ContainsKey(returned))
            errors["scenario.returned"] = [$"不在本次演练的参评单位中：{returned}。Not among the organizations rehearsed: {returned}."];
        return new RehearsalPlan(year, late, stages, days, returned, scenario?.OnTimeWorkingDaysBefore);
    }

    private static RehearsalScenarioSummary Summary(RehearsalPlan plan)
    {
        var zh = new List<string>();
        var en = new List<string>();
        if (plan.Late.Count > 0)
        {
            var stages = plan.LateStages.Select(s => Manyi.Web.Components.DisplayNames.Stage(s)).ToList();
            zh.Add($"{plan.Late.Count} 家单位在「{string.Join("、", stages.Select(s => s.Zh))}」逾期 {plan.WorkingDays} 个工作日");
            en.Add($"{plan.Late.Count} organizations {plan.WorkingDays} working day{(plan.WorkingDays == 1 ? "" : "s")} late at {string.Join(", ", stages.Select(s => s.En))}");
        }
        if (plan.OnTimeWorkingDaysBefore is { } before)
        {
            zh.Add($"{(plan.Late.Count > 0 ? "其余" : "全部")}单位在截止前 {before} 个工作日办理");
            en.Add($"{(plan.Late.Count > 0 ? "the others" : "everyone")} acting {before} working day{(before == 1 ? "" : "s")} before the deadline");
        }
        if (plan.Returned is { } returned)
        {
            zh.Add($"{plan.NameOf(returned)}的申报材料退回一次");
            en.Add($"{plan.NameOf(returned)}'s package returned once");
        }
        if (zh.Count == 0)
        {
            zh.Add("全部按时");
            en.Add("everyone on time");
        }
        return new RehearsalScenarioSummary(string.Join("；", zh), string.Join("; ", en), plan.Late, plan.LateStages, plan.WorkingDays, plan.Returned);
    }

    private static Failure NotFound(string id) => new Failure.NotFound($"演练 {id} 不存在。There is no rehearsal {id}.");
}

/// <summary>What a sandboxed run left behind, as the result lists it.</summary>
public sealed record RehearsalReportData(IReadOnlyList<RehearsalDefinition> Definitions, IReadOnlyList<RehearsalDeadline> Deadlines,
    IReadOnlyList<RehearsalMessage> Messages, IReadOnlyList<RehearsalEnd> Ends)
{
    public static readonly RehearsalReportData Empty = new([], [], [], []);
}

/// <summary>One rehearsal at a time on a node: a queued one waits for its turn.</summary>
public sealed class RehearsalGate
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) turn.Release();
        }
    }
}
