using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Campaign;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Components;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Manyi.Web.Features.Campaigns;

/// <summary>
/// A year's campaign: one instance of the <c>campaign</c> workflow, correlated as <c>campaign-&lt;year&gt;</c>, started
/// with the year's settings (dates, fee, minimum index, checklist — see <c>campaigns/2025.json</c>). A new year starts
/// from the last one's settings with every date moved on by a year (or re-entered); the old year stays as it was. The
/// rules of <see cref="CampaignsApi"/>, the dashboard's start button and the demo.
/// </summary>
public sealed partial class CampaignService(ManyiDbContext db, IWorkflowStore store, WorkflowRuntime runtime, TimeProvider time)
{
    public const string DefinitionId = "campaign";
    private const string DispatchActivityId = "participants";

    /// <summary>A headcount row's status before the organization's task opened (the others are the task's).</summary>
    public const string NotYetOpen = "NotYetOpen";

    public static string CorrelationId(int year) => $"campaign-{year}";

    public async Task<IReadOnlyList<CampaignSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var instances = await db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == DefinitionId)
            .OrderByDescending(i => i.CorrelationId).ToListAsync(cancellationToken);
        return [.. instances.Select(i => new CampaignSummary(YearOf(i.CorrelationId), i.Id, i.Status, i.Version, i.CreatedAt, i.FinishedAt))];
    }

    /// <summary>
    /// Starts a year: body <c>{"campaign": {"year", "dates", …}, "organizations": [ids] or "all"}</c>. One campaign per
    /// year: a second start of the same year is a conflict. With <c>startingNow=true</c> the calendar is moved on by whole weeks
    /// so that the notice falls in this week (a rehearsal of a past year, as in the demo).
    /// </summary>
    public async Task<Outcome<InstanceResponse>> StartAsync(JsonObject body, bool startingNow, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var settings = body["campaign"] as JsonObject;
        // A rehearsal (the demo): the same calendar, moved on by whole weeks so that its notice is issued this week.
        if (startingNow && settings?["dates"]?["noticeIssued"] is JsonValue issued
            && DateTimeOffset.TryParse(issued.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var noticeIssued))
            settings = (JsonObject)ShiftDates(settings, days: 7 * (int)Math.Ceiling((time.GetUtcNow() - noticeIssued).TotalDays / 7))!;
        int year = 0;
        if (settings is null) errors["campaign"] = ["请给出年度活动设置。The campaign's settings are required (see campaigns/2025.json)."];
        else if (settings["year"] is not JsonValue yearValue || !yearValue.TryGetValue(out year) || year is < 2000 or > 2200)
            errors["campaign.year"] = ["年度无效。The year must be a number such as 2026."];
        else if (settings["dates"] is not JsonObject dates)
            errors["campaign.dates"] = ["请给出各阶段日期。The dates of the stages are required."];
        else
            foreach (var (name, value) in dates)
                if (value is not JsonValue date || !Instant().IsMatch(date.ToString())
                    || !DateTimeOffset.TryParse(date.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    errors[$"campaign.dates.{name}"] = [$"日期无效：{value?.ToJsonString()}。Not an instant with its offset, e.g. 2026-04-30T18:00:00+08:00."];
        if (settings is not null && TrainingSessionsProblem(settings) is { } sessions) errors["campaign.training.sessions"] = [sessions];
        var organizations = await OrganizationsAsync(body["organizations"], errors, cancellationToken);
        if (errors.Count > 0) return new Failure.Invalid(errors);

        if (await db.WorkflowInstances.AnyAsync(i => i.DefinitionId == DefinitionId && i.CorrelationId == CorrelationId(year)
                && i.Status != nameof(WorkflowStatus.Cancelled), cancellationToken))
            return new Failure.Conflict($"{year} 年度活动已经开始。The {year} campaign has already been started.");
        var instance = await runtime.StartAsync(DefinitionId, new StartOptions
        {
            CorrelationId = CorrelationId(year),
            Input = new Dictionary<string, JsonNode?> { ["campaign"] = settings!.DeepClone(), ["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o)]) },
        }, cancellationToken);
        return InstanceResponse.From(instance);
    }

    /// <summary>
    /// Starts the year after <paramref name="year"/> from its settings: every date moves on by a year unless the body
    /// gives it (<c>{"dates": {…}, "organizations": …, "campaign": {…overrides}}</c>).
    /// </summary>
    public async Task<Outcome<InstanceResponse>> NextAsync(int year, JsonObject? body, CancellationToken cancellationToken)
    {
        var previous = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == DefinitionId && i.CorrelationId == CorrelationId(year)).Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (previous is null || await store.FindInstanceAsync(previous, cancellationToken) is not { } instance)
            return NoCampaign(year);
        var settings = (JsonObject)ShiftDates(instance.State.Input["campaign"]!.DeepClone(), years: 1)!;
        settings["year"] = year + 1;
        foreach (var (key, value) in body?["campaign"] as JsonObject ?? [])
            settings[key] = value?.DeepClone();
        if (body?["dates"] is JsonObject dates)
            foreach (var (key, value) in dates)
                ((JsonObject)settings["dates"]!)[key] = value?.DeepClone();
        var next = new JsonObject { ["campaign"] = settings, ["organizations"] = body?["organizations"]?.DeepClone() ?? "all" };
        return await StartAsync(next, startingNow: false, cancellationToken);
    }

    /// <summary>The headcount reports as they stand: per organization its status, trainees and names; the totals and the fee.</summary>
    public async Task<Outcome<HeadcountSummary>> HeadcountAsync(int year, CancellationToken cancellationToken) =>
        await SummaryAsync(year, cancellationToken) is { } summary ? summary : NoCampaign(year);

    /// <summary>The headcount reports as a spreadsheet for people, one row per organization: the stage and the statuses in words.</summary>
    public async Task<Outcome<ExportedFile>> ExportHeadcountAsync(int year, CancellationToken cancellationToken)
    {
        if (await SummaryAsync(year, cancellationToken) is not { } summary) return NoCampaign(year);
        var rows = summary.Rows.Select(o => new Dictionary<string, object?>
        {
            ["编号 Id"] = o.OrganizationId,
            ["名称 Name"] = o.Name,
            ["状态 Status"] = StatusWords(o.Status),
            ["逾期 Overdue"] = o.IsOverdue ? "是 yes" : "",
            ["人数 Trainees"] = o.Trainees,
            ["名单 Names"] = string.Join("、", o.Names),
            ["培训费 Fee (CNY)"] = o.Trainees * summary.FeePerPerson,
            ["报送时间 Reported at"] = o.ReportedAt is { } at ? Dates.Beijing(at) : "",
        }).ToList();
        using var stream = new MemoryStream();
        await stream.SaveAsAsync(rows, sheetName: $"{year} {CampaignStages.Headcount.Zh}", cancellationToken: cancellationToken);
        return new ExportedFile(stream.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"headcount-{year}.xlsx");
    }

    private async Task<HeadcountSummary?> SummaryAsync(int year, CancellationToken cancellationToken)
    {
        var id = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == DefinitionId && i.CorrelationId == CorrelationId(year)).Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is null || await store.FindInstanceAsync(id, cancellationToken) is not { } campaign) return null;
        var children = campaign.State.ActivityOutputs.GetValueOrDefault(DispatchActivityId)?.GetValueOrDefault("Children") as JsonObject ?? [];
        var childIds = children.Select(c => (string)c.Value!).ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => childIds.Contains(t.InstanceId) && t.Stage == "headcount").ToListAsync(cancellationToken);
        var names = await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var fee = campaign.State.Input["campaign"]?["feePerPerson"]?.GetValue<decimal>() ?? 0;
        var rows = children.Select(child =>
        {
            var task = tasks.FirstOrDefault(t => t.InstanceId == (string)child.Value!);
            var data = task?.Data is null ? null : JsonNode.Parse(task.Data);
            return new HeadcountRow(child.Key, names.GetValueOrDefault(child.Key) ?? child.Key, task?.Status.ToString() ?? NotYetOpen, task?.IsOverdue ?? false,
                data?["trainees"]?.GetValue<int>() ?? 0,
                [.. (data?["names"] as JsonArray ?? []).Select(n => (string?)n?["name"] ?? "")], task?.ClosedAt);
        }).OrderBy(r => r.OrganizationId, StringComparer.Ordinal).ToList();
        var reported = rows.Where(r => r.Status == nameof(HumanTaskStatus.Completed)).ToList();
        return new HeadcountSummary(year, rows.Count, reported.Count, rows.Count(r => r.IsOverdue && r.Status != nameof(HumanTaskStatus.Completed)),
            reported.Sum(r => r.Trainees), fee, reported.Sum(r => r.Trainees) * fee, rows);
    }

    private async Task<IReadOnlyList<string>> OrganizationsAsync(JsonNode? given, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var known = await db.Organizations.AsNoTracking().OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        if (given is null || (given is JsonValue all && all.ToString() == "all"))
        {
            if (known.Count == 0) errors["organizations"] = ["还没有参评单位，请先导入。There are no organizations yet: import them first."];
            return known;
        }
        if (given is not JsonArray list || list.Any(i => i is not JsonValue))
        {
            errors["organizations"] = ["请给出参评单位编号列表或 \"all\"。Give a list of organization ids, or \"all\"."];
            return [];
        }
        var ids = list.Select(i => i!.ToString()).Distinct().ToList();
        if (ids.Except(known).ToList() is { Count: > 0 } unknown)
            errors["organizations"] = [$"未知的参评单位：{string.Join("、", unknown)}。Unknown organizations: {string.Join(", ", unknown)}."];
        return ids;
    }

    /// <summary>What is wrong with the training sessions of the settings (each needs an id, names, place, dates and a capacity), or null.</summary>
    private static string? TrainingSessionsProblem(JsonObject settings)
    {
        try
        {
            Manyi.Campaign.Training.TrainingSession.AllIn(settings);
            return null;
        }
        catch (FormatException ex)
        {
            return $"培训班期次设置有误（每期需有编号、名称、地点、报到与培训时间、名额）。{ex.Message}";
        }
    }

    /// <summary>Moves every date and instant in the settings on by whole years (a 29 February becomes the 28th) or by days.</summary>
    private static JsonNode? ShiftDates(JsonNode? node, int years = 0, int days = 0) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, ShiftDates(p.Value?.DeepClone(), years, days)))),
        JsonArray a => new JsonArray([.. a.Select(i => ShiftDates(i?.DeepClone(), years, days))]),
        JsonValue v when v.TryGetValue<string>(out var text) && Instant().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) =>
            instant.AddYears(years).AddDays(days).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var text) && DateOnlyPattern().IsMatch(text) =>
            DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddYears(years).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => node,
    };

    private static string StatusWords(string status)
    {
        if (status == NotYetOpen) return "未开始 Not open yet";
        var (zh, en) = DisplayNames.TaskStatus(status);
        return $"{zh} {en}";
    }

    private static Failure.NotFound NoCampaign(int year) => new($"{year} 年度活动不存在。There is no {year} campaign.");

    private static int? YearOf(string? correlationId) =>
        correlationId?.StartsWith("campaign-", StringComparison.Ordinal) == true && int.TryParse(correlationId[9..], out var year) ? year : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$")]
    private static partial Regex Instant();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateOnlyPattern();
}
