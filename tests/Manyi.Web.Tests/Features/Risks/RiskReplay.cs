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

    private readonly Dictionary<string, Rated> _levels = new(StringComparer.Ordinal);

    /// <summary>Per organization and look, its open task rated highest then: what the list said of the organization at that moment.</summary>
    private readonly Dictionary<(string Organization, DateTimeOffset Look), Rated> _organizations = [];

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
        foreach (var item in list.Items)
        {
            var rated = new Rated(item.Level, item.Points, string.Join(" + ", item.Reasons.Select(r => $"{r.En} ({r.Points})")), item.Facts);
            if (calendar.At(calendar.AddWorkingDays(Day(calendar, item.DueAt), -WorkingDaysAhead), LookAt) == now) _levels[item.TaskId] = rated;
            // The list is ordered by points: the first row of an organization is its highest.
            _organizations.TryAdd((item.OrganizationId, now), rated);
        }
    }

    /// <summary>
    /// Every organization's task with a deadline: ended late (completed after the deadline, or not completed by it) or on
    /// time, and whether the look before its deadline rated it 高 — or, for a task not yet open then, the organization's
    /// task the list rated highest at that look. Tasks that ended before their deadline without being done (the
    /// organization's year ended otherwise) are counted apart.
    /// </summary>
    private async Task<RiskTally> TallyAsync(RehearsalSandbox sandbox, BusinessCalendar calendar, HabitCast cast, CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var tasks = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
            .Where(t => t.OrganizationId != null && t.DueAt != null)
            .Select(t => new { t.Id, t.OrganizationId, t.Stage, t.Status, t.CreatedAt, t.DueAt, t.ClosedAt }).ToListAsync(cancellationToken);
        var rows = new List<RiskOutcome>();
        var endedOtherwise = 0;
        foreach (var task in tasks)
        {
            var look = calendar.At(calendar.AddWorkingDays(Day(calendar, task.DueAt!.Value), -WorkingDaysAhead), LookAt);
            var completed = task.Status == HumanTaskStatus.Completed;
            // Expired is late (the deadline closed it); cancelled before the deadline is a year that ended for another reason.
            if (task.Status == HumanTaskStatus.Cancelled && task.ClosedAt is { } closed && closed <= task.DueAt)
            {
                endedOtherwise++;
                continue;
            }
            var late = !completed || task.ClosedAt > task.DueAt;
            // A task that opened after its look (the sign-up opens once the headcount is done, the package once the conditions
            // are) is the organization's all the same: it counts, rated as the list rated the organization then (its other open task).
            var openedAfter = task.CreatedAt > look;
            var rated = openedAfter ? _organizations.GetValueOrDefault((task.OrganizationId!, look)) : _levels.GetValueOrDefault(task.Id);
            rows.Add(new RiskOutcome(task.OrganizationId!, task.Stage ?? "", task.DueAt.Value.Year, cast.HabitOf(task.OrganizationId!), late,
                rated?.Level == RiskLevel.High, rated is not null, rated?.Points ?? 0, rated?.Why ?? "", rated?.Facts, openedAfter));
        }
        return new RiskTally(rows, endedOtherwise);
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
internal sealed record RiskOutcome(string OrganizationId, string Stage, int Year, string Habit, bool Late, bool FlaggedHigh, bool Listed, int Points, string Why,
    RiskFacts? Facts, bool OpenedAfterLook);

/// <summary>What the list said of a task or an organization at a look.</summary>
internal sealed record Rated(RiskLevel Level, int Points, string Why, RiskFacts Facts);

/// <summary>The replay's counts: of the tasks that ended late, the share rated 高 (recall); of those rated 高, the share on time.</summary>
internal sealed record RiskTally(IReadOnlyList<RiskOutcome> Outcomes, int EndedOtherwise)
{
    public int Late => Outcomes.Count(o => o.Late);
    public int High => Outcomes.Count(o => o.FlaggedHigh);
    public int LateFlagged => Outcomes.Count(o => o.Late && o.FlaggedHigh);
    public int HighOnTime => Outcomes.Count(o => o.FlaggedHigh && !o.Late);
    public double LateFlaggedShare => Late == 0 ? 0 : (double)LateFlagged / Late;
    public double HighOnTimeShare => High == 0 ? 0 : (double)HighOnTime / High;

    /// <summary>
    /// The most any rule reading the same facts could reach: a rule rates alike the tasks whose facts are alike, so it can
    /// only choose which groups of equal facts to rate 高. Taking the groups with the highest share of late tasks first, as
    /// long as at most <paramref name="maxOnTimeShare"/> of those taken ended on time (the last group in part, which makes
    /// this a bound no rule exceeds), gives the share of late tasks such a rule rates 高. It is loose: many groups hold a task
    /// or two, so taking the ones that happened to end late fits the draw, not anything a rule could know beforehand
    /// (<see cref="HabitCeiling"/> is the bound that matters).
    /// </summary>
    public double BestLateFlaggedShare(double maxOnTimeShare) => Late == 0 ? 0 : BestGroups(maxOnTimeShare).Sum(g => g.Part * g.Late) / Late;

    /// <summary>The groups of equal facts <see cref="BestLateFlaggedShare"/> takes, and how much of each.</summary>
    public IReadOnlyList<(RiskFacts Facts, int Late, int OnTime, double Part)> BestGroups(double maxOnTimeShare) =>
        Best(o => o.Facts!, maxOnTimeShare);

    /// <summary>
    /// The most a rule could reach that knew, besides the facts the list shows, what the app cannot know: each organization's
    /// habit in the replay (<see cref="HabitCast"/>). Groups are the habit and whether anything was done in the task at the look;
    /// in the cast nothing else before a deadline depends on whether the task will end late (each task's lateness is drawn
    /// apart, with its habit's share), so finer groups would only fit the draw. Few, large groups: this is what the replay
    /// allows any rule, not an artefact of small samples. Whole groups, and with the last group split at random.
    /// </summary>
    public (double WholeGroups, double Split) HabitCeiling(double maxOnTimeShare)
    {
        var groups = Best(o => (o.Habit, o.Facts!.HasProgress), maxOnTimeShare);
        return Late == 0 ? (0, 0) : (groups.Where(g => g.Part >= 1).Sum(g => g.Late) / (double)Late, groups.Sum(g => g.Part * g.Late) / Late);
    }

    /// <summary>The groups <see cref="HabitCeiling"/> takes.</summary>
    public IReadOnlyList<((string Habit, bool HasProgress) Group, int Late, int OnTime, double Part)> HabitGroups(double maxOnTimeShare) =>
        Best(o => (o.Habit, o.Facts!.HasProgress), maxOnTimeShare);

    /// <summary>
    /// Groups of the listed outcomes by <paramref name="key"/>, taken by their share of late tasks, highest first, as long as
    /// at most <paramref name="maxOnTimeShare"/> of those taken ended on time (the last one in part).
    /// </summary>
    private List<(TKey Group, int Late, int OnTime, double Part)> Best<TKey>(Func<RiskOutcome, TKey> key, double maxOnTimeShare) where TKey : notnull
    {
        var taken = new List<(TKey, int, int, double)>();
        double late = 0, onTime = 0;
        foreach (var g in Outcomes.Where(o => o.Facts is not null).GroupBy(key)
                     .Select(g => (Group: g.Key, Late: g.Count(o => o.Late), OnTime: g.Count(o => !o.Late)))
                     .OrderByDescending(g => (double)g.Late / (g.Late + g.OnTime)).ThenByDescending(g => g.Late))
        {
            var room = maxOnTimeShare * (late + onTime) - (1 - maxOnTimeShare) * onTime;
            var uses = (1 - maxOnTimeShare) * g.OnTime - maxOnTimeShare * g.Late;
            var part = uses <= 0 ? 1 : Math.Clamp(room / uses, 0, 1);
            if (part <= 0) break;
            (late, onTime) = (late + part * g.Late, onTime + part * g.OnTime);
            taken.Add((g.Group, g.Late, g.OnTime, part));
            if (part < 1) break;
        }
        return taken;
    }

    /// <summary>
    /// What the same points give with another line for 高: per threshold, the late tasks rated 高 and the 高 ones on time.
    /// The price of a higher share of late tasks caught, in 高 flags that end on time.
    /// </summary>
    public IEnumerable<(int HighFrom, int Late, int High, int LateFlagged, int HighOnTime)> AtThresholds(int from, int to)
    {
        for (var threshold = from; threshold <= to; threshold++)
        {
            var high = Outcomes.Where(o => o.Listed && o.Points >= threshold).ToList();
            yield return (threshold, Late, high.Count, high.Count(o => o.Late), high.Count(o => !o.Late));
        }
    }

    public string Report()
    {
        var lines = new List<string>
        {
            $"tasks looked at {Outcomes.Count}, ended late {Late}, rated 高 {High}; late and rated 高 {LateFlagged} ({LateFlaggedShare:P0}); " +
            $"rated 高 and on time {HighOnTime} ({HighOnTimeShare:P0}); listed at the look {Outcomes.Count(o => o.Listed)}; opened after the look {Outcomes.Count(o => o.OpenedAfterLook)} ({Outcomes.Count(o => o.OpenedAfterLook && o.Late)} late, {Outcomes.Count(o => o.OpenedAfterLook && o.Late && o.FlaggedHigh)} of those rated 高 by the organization's other task), ended otherwise {EndedOtherwise}",
            $"  any choice of groups of equal facts, fitted to these outcomes (loose: small groups fit the draw): at most {BestLateFlaggedShare(0.30):P0} of the late tasks rated 高 with at most 30 % of 高 on time, taking:",
        };
        lines.AddRange(BestGroups(0.30).Select(g => $"    {g.Facts}: late {g.Late}, on time {g.OnTime}{(g.Part < 1 ? $" ({g.Part:P0} of it)" : "")}"));
        var (whole, split) = HabitCeiling(0.30);
        lines.Add($"  a rule that also knew each organization's hidden habit: at most {whole:P0} with whole groups ({split:P0} splitting the last one at random) with at most 30 % of 高 on time, taking:");
        lines.AddRange(HabitGroups(0.30).Select(g => $"    {g.Group.Habit}, {(g.Group.HasProgress ? "draft or files" : "nothing done")}: late {g.Late}, on time {g.OnTime}{(g.Part < 1 ? $" ({g.Part:P0} of it)" : "")}"));
        foreach (var g in Outcomes.Where(o => o.Listed).GroupBy(o => (o.Habit, o.Facts!.HasProgress)).OrderBy(g => g.Key))
            lines.Add($"    group {g.Key.Habit}, {(g.Key.HasProgress ? "draft or files" : "nothing done")}: late {g.Count(o => o.Late)}, on time {g.Count(o => !o.Late)} ({(double)g.Count(o => o.Late) / g.Count():P0} late)");
        lines.Add("  the same points with another line for 高:");
        lines.AddRange(AtThresholds(1, 8).Select(t => $"    高 from {t.HighFrom}: rated 高 {t.High}, late and 高 {t.LateFlagged} ({(t.Late == 0 ? 0 : (double)t.LateFlagged / t.Late):P0}), 高 on time {t.HighOnTime} ({(t.High == 0 ? 0 : (double)t.HighOnTime / t.High):P0})"));
        foreach (var year in Outcomes.GroupBy(o => o.Year).OrderBy(g => g.Key))
        {
            var tally = new RiskTally([.. year], 0);
            lines.Add($"  {year.Key}: late {tally.Late}, rated 高 {tally.High}, late and 高 {tally.LateFlagged} ({tally.LateFlaggedShare:P0}), 高 on time {tally.HighOnTime} ({tally.HighOnTimeShare:P0})");
        }
        foreach (var o in Outcomes.Where(o => o.Late && !o.FlaggedHigh).OrderBy(o => o.Year).ThenBy(o => o.Stage, StringComparer.Ordinal))
            lines.Add($"  missed {o.Year} {o.Stage,-12} {o.Habit,-15} {(o.OpenedAfterLook ? "(opened after the look; the organization's other task) " : "")}{o.Facts}: {o.Points} points");
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
