using System.Text.Json.Serialization;

namespace Manyi.Engine.Calendar;

/// <summary>
/// When to remind someone of a deadline, as data on the waiting activity: days before it, at it, repeating after
/// it, then an escalation to administrators. E.g. <c>{"days": "working", "before": [7, 3, 1], "atDeadline": true,
/// "after": {"everyDays": 1, "times": 3}, "escalate": true, "sendAt": "09:00"}</c>.
/// </summary>
/// <remarks>
/// <see cref="Days"/> says how the numbers count. Working days (the default, also for a ladder written before the
/// key existed: that is how the secretariat counts): "2 days before" a Monday deadline is the Thursday, a weekend
/// working day (调休) counts, a holiday does not. Calendar days: the day N days before, moved to the previous working
/// day when it is a weekend or a holiday (after the deadline: to the next), so two steps may fall on one day.
/// </remarks>
public sealed record ReminderLadder
{
    public const string WorkingDays = "working";
    public const string CalendarDays = "calendar";

    /// <summary>How <see cref="Before"/> and <see cref="RepeatAfter.EveryDays"/> count: <c>"working"</c> (null means the same) or <c>"calendar"</c>.</summary>
    public string? Days { get; init; }

    public IReadOnlyList<int> Before { get; init; } = [];
    public bool AtDeadline { get; init; }
    public RepeatAfter? After { get; init; }
    public bool Escalate { get; init; }

    /// <summary>The local time reminders go out on working days (default 09:00).</summary>
    public string? SendAt { get; init; }

    /// <summary>Whether the ladder counts calendar days (not written out: <see cref="Days"/> says it).</summary>
    [JsonIgnore]
    public bool InCalendarDays => Days == CalendarDays;

    public IEnumerable<string> Problems()
    {
        if (Days is not (null or WorkingDays or CalendarDays))
            yield return $"'days' 只能是 \"working\"（工作日）或 \"calendar\"（自然日）。'days' must be \"working\" or \"calendar\" (got '{Days}')";
        foreach (var days in Before.Where(d => d <= 0))
            yield return $"'before' offsets are whole days before the deadline and must be positive (got {days})";
        if (After is { EveryDays: <= 0 } || After is { Times: < 0 })
            yield return "'after' needs everyDays ≥ 1 and times ≥ 0";
        if (SendAt is not null && !TimeOnly.TryParseExact(SendAt, "HH:mm", out _))
            yield return $"'sendAt' must be a local time written HH:mm (got '{SendAt}')";
    }

    /// <summary>
    /// The steps the runtime sends for a deadline, in time order: every step of <see cref="Steps"/> that is not merged
    /// into another and falls after <paramref name="now"/>.
    /// </summary>
    public IReadOnlyList<ReminderStep> Schedule(DateTimeOffset deadline, DateTimeOffset now, BusinessCalendar calendar) =>
        [.. Steps(deadline, calendar).Where(s => s.MergedInto is null && s.At > now)];

    /// <summary>
    /// Every step of the ladder for a deadline, in time order, each at <see cref="SendAt"/> on a working day and
    /// saying what happened to it: <see cref="ReminderStep.Moved"/> off the day its rule names, or
    /// <see cref="ReminderStep.MergedInto"/> the later step on the same instant (one message per instant, the more
    /// urgent one). "At the deadline" goes out on the deadline's day when the deadline comes after the send time on
    /// a working day; otherwise (a deadline at or before the send time, or on a weekend or holiday) on the last
    /// working day before, so it always comes before the deadline.
    /// </summary>
    public IReadOnlyList<ReminderStep> Steps(DateTimeOffset deadline, BusinessCalendar calendar)
    {
        var sendAt = SendAt is null ? calendar.WorkdayStart : TimeOnly.ParseExact(SendAt, "HH:mm");
        // A deadline at midnight is the end of the day before, as people read it (2025年9月10日 24:00): that is its day.
        var local = calendar.ToLocal(deadline);
        var deadlineDay = DateOnly.FromDateTime(local.DateTime).AddDays(local.TimeOfDay == TimeSpan.Zero ? -1 : 0);
        var steps = new List<ReminderStep>();

        foreach (var days in Before.Where(d => d > 0).Distinct().OrderDescending())
            steps.Add(InCalendarDays
                ? OnWorkingDay($"before-{days}", ReminderKind.Reminder, deadlineDay.AddDays(-days), forward: false)
                : new ReminderStep($"before-{days}", ReminderKind.Reminder, calendar.At(calendar.AddWorkingDays(deadlineDay, -days), sendAt)));

        if (AtDeadline) steps.Add(AtTheDeadline());

        var lastDay = deadlineDay;
        if (After is { EveryDays: > 0, Times: > 0 } after)
            for (var k = 1; k <= after.Times; k++)
            {
                var step = InCalendarDays
                    ? OnWorkingDay($"after-{k}", ReminderKind.Overdue, deadlineDay.AddDays(k * after.EveryDays), forward: true)
                    : new ReminderStep($"after-{k}", ReminderKind.Overdue, calendar.At(calendar.AddWorkingDays(deadlineDay, k * after.EveryDays), sendAt));
                lastDay = DateOnly.FromDateTime(calendar.ToLocal(step.At).DateTime);
                steps.Add(step);
            }
        if (Escalate)
            steps.Add(new ReminderStep("escalation", ReminderKind.Escalation, calendar.At(calendar.AddWorkingDays(lastDay, 1), sendAt)));

        // Of the steps on one instant only the last in ladder order is sent; the others say which one that is.
        var sent = steps.GroupBy(s => s.At).ToDictionary(g => g.Key, g => g.Last().Label);
        return [.. steps.Select(s => sent[s.At] == s.Label ? s : s with { MergedInto = sent[s.At] }).OrderBy(s => s.At)];

        ReminderStep AtTheDeadline()
        {
            var sameDay = calendar.At(deadlineDay, sendAt);
            var workingDay = calendar.IsWorkingDay(deadlineDay);
            if (workingDay && sameDay < deadline) return new ReminderStep("at", ReminderKind.Reminder, sameDay);
            var dayBefore = calendar.PreviousWorkingDay(deadlineDay, includingToday: false);
            return new ReminderStep("at", ReminderKind.Reminder, calendar.At(dayBefore, sendAt))
            {
                Moved = new StepMove(deadlineDay, workingDay ? MoveReason.DeadlineBeforeSendTime : MoveReason.NotWorkingDay),
            };
        }

        ReminderStep OnWorkingDay(string label, ReminderKind kind, DateOnly day, bool forward)
        {
            if (calendar.IsWorkingDay(day)) return new ReminderStep(label, kind, calendar.At(day, sendAt));
            var moved = forward ? calendar.NextWorkingDay(day) : calendar.PreviousWorkingDay(day);
            return new ReminderStep(label, kind, calendar.At(moved, sendAt)) { Moved = new StepMove(day, MoveReason.NotWorkingDay) };
        }
    }
}

public sealed record RepeatAfter(int EveryDays, int Times);

/// <summary>
/// One step of a ladder: before-N, at, after-k or escalation, and when it goes out. <see cref="Moved"/> says the
/// day its rule names and why it is sent on another; <see cref="MergedInto"/> names the step sent instead on the
/// same instant (this one then is not sent).
/// </summary>
public sealed record ReminderStep(string Label, ReminderKind Kind, DateTimeOffset At)
{
    public StepMove? Moved { get; init; }
    public string? MergedInto { get; init; }
}

/// <summary>The day a step would have gone out on, and why it goes out on another.</summary>
public sealed record StepMove(DateOnly From, MoveReason Reason);

public enum MoveReason
{
    /// <summary>The day is a weekend or a holiday.</summary>
    NotWorkingDay,

    /// <summary>"At the deadline": the deadline is at or before the send time of its day.</summary>
    DeadlineBeforeSendTime,
}

public enum ReminderKind
{
    Reminder,
    Overdue,
    Escalation,
}

/// <summary>
/// A reminder step's kind as the outbox, the e-mail templates and the robots name it (<c>reminder</c>, <c>overdue</c>,
/// <c>escalation</c>): the one place that spells the kinds of message that chase a task.
/// </summary>
public static class ReminderKinds
{
    /// <summary>Every kind that chases a task, in ladder order.</summary>
    public static readonly IReadOnlyList<string> All = [.. Enum.GetValues<ReminderKind>().Select(Name)];

    public static string Name(this ReminderKind kind) => kind.ToString().ToLowerInvariant();
}
