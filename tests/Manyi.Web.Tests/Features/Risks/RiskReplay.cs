using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Serialization;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Features.Rehearsals;
using Manyi.Web.Features.Risks;
using Manyi.Web.Tests.Campaign;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Tests.Features.Risks;

/// <summary>
/// Replays campaign years in the rehearsal sandbox (the product's engine, workflows and campaign activities on a virtual
/// clock) with organizations that behave as <see cref="HabitCast"/> draws them, and looks at the risk list
/// (<see cref="CampaignRisks"/>, the dashboard's) <see cref="WorkingDaysAhead"/> working days before each deadline: which
/// open tasks it rates 高 then, and which of them end late. The years share one database, so a later year sees the
/// earlier one's late finishes as the dashboard would.
/// </summary>
internal sealed class RiskReplay(RiskRule rule, int seed)
{
    /// <summary>How long before each deadline the list is read: 3 working days before the deadline's day, at 10:30 (after the morning's reminders).</summary>
    public const int WorkingDaysAhead = 3;

    public static readonly TimeOnly LookAt = new(10, 30);

    private static readonly TimeSpan Overrun = TimeSpan.FromDays(90);

    private readonly Dictionary<string, (RiskLevel Level, int Points, string Why)> _levels = new(StringComparer.Ordinal);

    /// <summary>Plays the 2025 settings and the same year a year later (every date 52 weeks on, so weekdays stay), then tallies.</summary>
    public async Task<RiskTally> RunAsync(CancellationToken cancellationToken)
    {
        var calendar = BusinessCalendar.FromFolder(CampaignSimulation.RepositoryFile("calendars"));
        var first = JsonNode.Parse(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), cancellationToken))!["campaign"]!.AsObject();
        JsonObject[] years = [first, Shifted(first, 1)];
        var organizations = Organizations();
        var names = organizations.ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
        var cast = new HabitCast(calendar, [.. names.Keys], seed);

        await using var sandbox = await RehearsalSandbox.CreateAsync(new ConfigurationBuilder().Build(), calendar,
            RehearsalSettings.NoticeIssued(first)!.Value, cancellationToken);
        var findings = new List<RehearsalFinding>();
        await RehearsalRun.SeedAsync(sandbox, Definitions(), organizations, [], findings, cancellationToken);
        foreach (var settings in years)
        {
            var plan = new RehearsalPlan(names, [], [], 0, null);
            var year = settings["year"]!.GetValue<int>();
            sandbox.Clock.MoveTo(RehearsalSettings.NoticeIssued(settings)!.Value);
            await new RehearsalYear(sandbox, calendar, settings, plan, findings, cast, ct => LookAsync(sandbox, calendar, year, ct))
                .PlayAsync(plan.Organizations, RehearsalSettings.LastDate(settings) + Overrun, cancellationToken);
        }
        if (findings.FirstOrDefault(f => f.Severity == RehearsalFinding.ErrorSeverity) is { } error)
            throw new InvalidOperationException($"The replay could not play its years: {error.En}");
        return await TallyAsync(sandbox, calendar, cast, cancellationToken);
    }

    /// <summary>The risk list as the dashboard shows it now; each open task keeps the level it had at the look before its deadline.</summary>
    private async Task LookAsync(RehearsalSandbox sandbox, BusinessCalendar calendar, int year, CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var dashboard = ActivatorUtilities.CreateInstance<CampaignDashboard>(services);
        var risks = new CampaignRisks(services.GetRequiredService<ManyiDbContext>(), dashboard, calendar, Options.Create(rule), sandbox.Clock);
        var list = (await risks.ListAsync(year, cancellationToken)).Value ?? throw new InvalidOperationException($"No {year} campaign in the replay.");
        var now = calendar.ToLocal(sandbox.Clock.GetUtcNow());
        foreach (var item in list.Items.Where(i => calendar.At(calendar.AddWorkingDays(Day(calendar, i.DueAt), -WorkingDaysAhead), LookAt) == now))
            _levels[item.TaskId] = (item.Level, item.Points, string.Join(" + ", item.Reasons.Select(r => $"{r.En} ({r.Points})")));
    }

    /// <summary>
    /// Every organization's task with a deadline that existed at its look: ended late (completed after the deadline, or not
    /// completed by it) or on time, and whether the look rated it 高. Tasks that opened after their look, or that ended
    /// before their deadline without being done (the organization's year ended otherwise), are counted apart.
    /// </summary>
    private async Task<RiskTally> TallyAsync(RehearsalSandbox sandbox, BusinessCalendar calendar, HabitCast cast, CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var tasks = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
            .Where(t => t.OrganizationId != null && t.DueAt != null)
            .Select(t => new { t.Id, t.OrganizationId, t.Stage, t.Status, t.CreatedAt, t.DueAt, t.ClosedAt }).ToListAsync(cancellationToken);
        var rows = new List<RiskOutcome>();
        var openedLater = 0;
        var endedOtherwise = 0;
        foreach (var task in tasks)
        {
            var look = calendar.At(calendar.AddWorkingDays(Day(calendar, task.DueAt!.Value), -WorkingDaysAhead), LookAt);
            if (task.CreatedAt > look)
            {
                openedLater++;
                continue;
            }
            var completed = task.Status == nameof(HumanTaskStatus.Completed);
            // Expired is late (the deadline closed it); cancelled before the deadline is a year that ended for another reason.
            if (task.Status == nameof(HumanTaskStatus.Cancelled) && task.ClosedAt is { } closed && closed <= task.DueAt)
            {
                endedOtherwise++;
                continue;
            }
            var late = !completed || task.ClosedAt > task.DueAt;
            rows.Add(new RiskOutcome(task.OrganizationId!, task.Stage ?? "", task.DueAt.Value.Year, cast.HabitOf(task.OrganizationId!), late,
                _levels.TryGetValue(task.Id, out var rated) && rated.Level == RiskLevel.High, _levels.ContainsKey(task.Id), rated.Points, rated.Why ?? ""));
        }
        return new RiskTally(rows, openedLater, endedOtherwise);
    }

    private static DateOnly Day(BusinessCalendar calendar, DateTimeOffset instant) => DateOnly.FromDateTime(calendar.ToLocal(instant).DateTime);

    /// <summary>The settings <paramref name="years"/> years on: every date 52 weeks later per year (same weekday), the year number with them.</summary>
    private static JsonObject Shifted(JsonObject settings, int years)
    {
        var shifted = (JsonObject)settings.DeepClone();
        Shift(shifted, TimeSpan.FromDays(364 * years));
        shifted["year"] = settings["year"]!.GetValue<int>() + years;
        return shifted;
    }

    private static void Shift(JsonNode node, TimeSpan by)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (value is JsonValue v && v.TryGetValue<string>(out var text) && Moved(text, by) is { } moved) o[key] = moved;
                    else if (value is not null) Shift(value, by);
                break;
            case JsonArray a:
                foreach (var item in a) if (item is not null) Shift(item, by);
                break;
        }
    }

    private static string? Moved(string text, TimeSpan by) =>
        text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.AddDays((int)by.TotalDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : text.Length >= 20 && text[4] == '-' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
                ? (instant + by).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)
                : null;

    private static List<WorkflowDefinitionRecord> Definitions() =>
        [.. Directory.GetFiles(CampaignSimulation.RepositoryFile("workflows"), "*.json").Select(file =>
        {
            var json = File.ReadAllText(file);
            var definition = ElsaJson.Read(json);
            return new WorkflowDefinitionRecord
            {
                Id = definition.Id, DefinitionId = definition.DefinitionId, Version = Math.Max(1, definition.Version), Name = definition.Name,
                Status = DefinitionStatus.Published, Json = json, ContentHash = "", SourcePath = Path.GetFileName(file),
            };
        })];

    /// <summary>The 58 organizations of the 2025 list, each with one contact under example.org (reminders go to contacts).</summary>
    private static List<OrganizationRecord> Organizations() =>
        [.. File.ReadLines(CampaignSimulation.RepositoryFile("campaigns/2025-organizations.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(line => line.Split(',')).Select(cells => new OrganizationRecord
            {
                Id = cells[0], Name = cells[1], Operator = cells[2], City = cells[3],
                Contacts = [new OrganizationContactRecord { OrganizationId = cells[0], Name = "联系人", Email = $"contact.{cells[0]}@example.org" }],
            })];
}

/// <summary>One organization's task at one deadline: how it ended and whether the look before the deadline rated it 高.</summary>
internal sealed record RiskOutcome(string OrganizationId, string Stage, int Year, string Habit, bool Late, bool FlaggedHigh, bool Listed, int Points, string Why);

/// <summary>The replay's counts: of the tasks that ended late, the share rated 高 (recall); of those rated 高, the share on time.</summary>
internal sealed record RiskTally(IReadOnlyList<RiskOutcome> Outcomes, int OpenedAfterLook, int EndedOtherwise)
{
    public int Late => Outcomes.Count(o => o.Late);
    public int High => Outcomes.Count(o => o.FlaggedHigh);
    public int LateFlagged => Outcomes.Count(o => o.Late && o.FlaggedHigh);
    public int HighOnTime => Outcomes.Count(o => o.FlaggedHigh && !o.Late);
    public double LateFlaggedShare => Late == 0 ? 0 : (double)LateFlagged / Late;
    public double HighOnTimeShare => High == 0 ? 0 : (double)HighOnTime / High;

    public string Report()
    {
        var lines = new List<string>
        {
            $"tasks looked at {Outcomes.Count}, ended late {Late}, rated 高 {High}; late and rated 高 {LateFlagged} ({LateFlaggedShare:P0}); " +
            $"rated 高 and on time {HighOnTime} ({HighOnTimeShare:P0}); listed at the look {Outcomes.Count(o => o.Listed)}; opened after the look {OpenedAfterLook}, ended otherwise {EndedOtherwise}",
        };
        foreach (var g in Outcomes.GroupBy(o => (o.Year, o.Stage)).OrderBy(g => g.Key.Year).ThenBy(g => g.Min(o => o.Stage)))
            lines.Add($"  {g.Key.Year} {g.Key.Stage,-12} looked {g.Count(),3}  late {g.Count(o => o.Late),3}  高 {g.Count(o => o.FlaggedHigh),3}  " +
                $"late&高 {g.Count(o => o.Late && o.FlaggedHigh),3}  高&on time {g.Count(o => o.FlaggedHigh && !o.Late),3}");
        foreach (var g in Outcomes.Where(o => o.Listed).GroupBy(o => (o.Late, o.Habit, o.Year, o.Why)).OrderBy(g => g.Key))
            lines.Add($"  listed {(g.Key.Late ? "late" : "on time"),-8} {g.Key.Habit} {g.Key.Year} {g.Key.Why}: {g.Count()}");
        foreach (var g in Outcomes.GroupBy(o => o.Habit).OrderBy(g => g.Key, StringComparer.Ordinal))
            lines.Add($"  habit {g.Key,-14} tasks {g.Count(),3}  late {g.Count(o => o.Late),3}  高 {g.Count(o => o.FlaggedHigh),3}  late&高 {g.Count(o => o.Late && o.FlaggedHigh),3}");
        return string.Join(Environment.NewLine, lines);
    }
}
