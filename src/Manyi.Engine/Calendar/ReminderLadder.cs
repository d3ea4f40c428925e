namespace Manyi.Engine.Calendar;

/// <summary>
/// When to remind someone of a deadline, as data on the waiting activity: days before it, at it, repeating after
/// it, then an escalation to administrators. E.g. <c>{"before": [7, 3, 1], "atDeadline": true,
/// "after": {"everyDays": 1, "times": 3}, "escalate": true, "sendAt": "09:00"}</c>.
/// </summary>
public sealed record ReminderLadder
{
    public IReadOnlyList<int> Before { get; init; } = [];
    public bool AtDeadline { get; init; }
    public RepeatAfter? After { get; init; }
    public bool Escalate { get; init; }

    /// <summary>The local time reminders go out on working days (default 09:00).</summary>
    public string? SendAt { get; init; }

    public IEnumerable<string> Problems()
    {
        foreach (var days in Before.Where(d => d <= 0))
            yield return $"'before' offsets are whole days before the deadline and must be positive (got {days})";
        if (After is { EveryDays: <= 0 } || After is { Times: < 0 })
            yield return "'after' needs everyDays ≥ 1 and times ≥ 0";
        if (SendAt is not null && !TimeOnly.TryParseExact(SendAt, "HH:mm", out _))
            yield return $"'sendAt' must be a local time written HH:mm (got '{SendAt}')";
    }

    /// <summary>
    /// The steps for a deadline, in time order, each on a working day: before-steps move to the previous working
    /// day, steps on or after the deadline to the next; steps already past at <paramref name="now"/> are left out,
    /// and of two steps on the same instant only the later one (the more urgent message) is sent.
    /// </summary>
    public IReadOnlyList<ReminderStep> Schedule(DateTimeOffset deadline, DateTimeOffset now, BusinessCalendar calendar)
    {
        var sendAt = SendAt is null ? calendar.WorkdayStart : TimeOnly.ParseExact(SendAt, "HH:mm");
        var deadlineDay = DateOnly.FromDateTime(calendar.ToLocal(deadline).DateTime);
        var steps = new List<ReminderStep>();
        foreach (var days in Before.Where(d => d > 0).Distinct().OrderDescending())
        {
            var at = calendar.At(calendar.PreviousWorkingDay(deadlineDay.AddDays(-days)), sendAt);
            if (at < deadline) steps.Add(new ReminderStep($"before-{days}", ReminderKind.Reminder, at));
        }
        if (AtDeadline)
            steps.Add(new ReminderStep("at", ReminderKind.Reminder, calendar.NextWorkingTime(deadline)));
        var lastDay = deadlineDay;
        if (After is { EveryDays: > 0, Times: > 0 } after)
            for (var k = 1; k <= after.Times; k++)
            {
                lastDay = calendar.AddWorkingDays(deadlineDay, k * after.EveryDays);
                steps.Add(new ReminderStep($"after-{k}", ReminderKind.Overdue, calendar.At(lastDay, sendAt)));
            }
        if (Escalate)
            steps.Add(new ReminderStep("escalation", ReminderKind.Escalation, calendar.At(calendar.AddWorkingDays(lastDay, 1), sendAt)));

        return steps.Where(s => s.At > now)
            .GroupBy(s => s.At)
            .Select(g => g.Last())
            .OrderBy(s => s.At)
            .ToList();
    }
}

public sealed record RepeatAfter(int EveryDays, int Times);

public sealed record ReminderStep(string Label, ReminderKind Kind, DateTimeOffset At);

public enum ReminderKind
{
    Reminder,
    Overdue,
    Escalation,
}
