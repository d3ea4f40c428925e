using System.Text;
using Manyi.Engine.Calendar;
using Manyi.Web.Features.Rehearsals;

namespace Manyi.Web.Tests.Features.Risks;

/// <summary>
/// Organizations with habits, drawn with a seed and kept from year to year, as the secretariat describes its units: most
/// act well before a deadline and are rarely late (<see cref="Punctual"/>); some start in the last week, save a draft
/// and finish in the last days, now and then too late (<see cref="LastMinute"/>); a few do nothing until reminded and are
/// mostly late (<see cref="Procrastinating"/>). Each task's draw depends only on the seed, the organization, the stage and
/// the deadline, so a replay gives the same year twice. The secretariat and the reviewers act when a task reaches them;
/// every organization's task with a deadline is looked at <see cref="RiskReplay.WorkingDaysAhead"/> working days before it.
/// </summary>
internal sealed class HabitCast : IRehearsalCast
{
    public const string Punctual = "punctual";
    public const string LastMinute = "last-minute";
    public const string Procrastinating = "procrastinating";

    /// <summary>The share of a punctual, last-minute and procrastinating organization's tasks that end late.</summary>
    public static readonly IReadOnlyDictionary<string, double> LateShare = new Dictionary<string, double>
    {
        [Punctual] = 0.03, [LastMinute] = 0.20, [Procrastinating] = 0.60,
    };

    private static readonly TimeOnly ActsAt = ScenarioCast.ActsAt;
    private static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    private readonly BusinessCalendar _calendar;
    private readonly int _seed;
    private readonly Dictionary<string, string> _habits = new(StringComparer.Ordinal);

    /// <summary>10 % of the organizations procrastinate and 20 % act at the last minute (rounded), the rest are punctual.</summary>
    public HabitCast(BusinessCalendar calendar, IReadOnlyList<string> organizations, int seed)
    {
        _calendar = calendar;
        _seed = seed;
        var random = new Random(seed);
        var shuffled = organizations.Order(StringComparer.Ordinal).OrderBy(_ => random.Next()).ToList();
        var procrastinating = (int)Math.Round(shuffled.Count * 0.10);
        var lastMinute = (int)Math.Round(shuffled.Count * 0.20);
        for (var i = 0; i < shuffled.Count; i++)
            _habits[shuffled[i]] = i < procrastinating ? Procrastinating : i < procrastinating + lastMinute ? LastMinute : Punctual;
    }

    public string HabitOf(string organization) => _habits.GetValueOrDefault(organization, Punctual);

    public IEnumerable<RehearsalMove> MovesFor(RehearsalTask task)
    {
        if (task.OrganizationId is not { } organization) return [new RehearsalMove(task.Opened, RehearsalMoveKind.Complete)];
        var opened = Day(task.Opened);
        if (task.Due is not { } due)
            return [new RehearsalMove(ScenarioCast.Later(task.Opened, _calendar.At(_calendar.AddWorkingDays(opened, 1), ActsAt)), RehearsalMoveKind.Complete)];

        var random = new Random(Seed(organization, task.Stage, due));
        var deadline = Day(due);
        var habit = HabitOf(organization);
        var late = random.NextDouble() < LateShare[habit];
        var moves = new List<RehearsalMove> { new(_calendar.At(_calendar.AddWorkingDays(deadline, -RiskReplay.WorkingDaysAhead), RiskReplay.LookAt), RehearsalMoveKind.Observe) };
        if (habit == LastMinute)
        {
            var draft = _calendar.At(_calendar.AddWorkingDays(deadline, -5), ActsAt);
            moves.Add(new RehearsalMove(ScenarioCast.Later(task.Opened + TimeSpan.FromMinutes(1), draft), RehearsalMoveKind.SaveDraft));
        }
        DateTimeOffset completes;
        if (late)
            completes = _calendar.At(_calendar.AddWorkingDays(deadline, random.Next(1, habit == Procrastinating ? 4 : 3)), ActsAt);
        else
        {
            var day = habit switch
            {
                LastMinute => _calendar.AddWorkingDays(deadline, -random.Next(0, 3)),
                Procrastinating => deadline,
                _ => WorkingDayBetween(random, _calendar.AddWorkingDays(opened, 1), _calendar.AddWorkingDays(deadline, -4)),
            };
            var at = _calendar.At(day, ActsAt);
            completes = at < due - Margin ? at : due - Margin;
        }
        moves.Add(new RehearsalMove(ScenarioCast.Later(task.Opened + TimeSpan.FromMinutes(2), completes), RehearsalMoveKind.Complete));
        return moves;
    }

    /// <summary>A working day drawn evenly from <paramref name="first"/> to <paramref name="last"/>; the first when the span is empty.</summary>
    private DateOnly WorkingDayBetween(Random random, DateOnly first, DateOnly last)
    {
        var days = new List<DateOnly>();
        for (var day = first; day <= last; day = day.AddDays(1))
            if (_calendar.IsWorkingDay(day)) days.Add(day);
        return days.Count == 0 ? first : days[random.Next(days.Count)];
    }

    private DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(_calendar.ToLocal(instant).DateTime);

    /// <summary>FNV-1a of the seed, organization, stage and deadline: stable across processes, unlike string hash codes.</summary>
    private int Seed(string organization, string? stage, DateTimeOffset due)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes($"{_seed}/{organization}/{stage}/{due.UtcTicks}"))
            hash = (hash ^ b) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }
}
