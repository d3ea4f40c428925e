using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

public sealed class ReminderLadderTests
{
    private static readonly ReminderLadder Ladder = new()
    {
        Before = [7, 3, 1],
        AtDeadline = true,
        After = new RepeatAfter(EveryDays: 1, Times: 2),
        Escalate = true,
    };

    [Fact]
    public void A_ladder_over_the_May_Day_week_sends_on_working_days_at_nine_in_Shanghai()
    {
        // Training sign-up is due Wednesday 7 May 2025 18:00; 1–5 May are holidays.
        var deadline = DateTimeOffset.Parse("2025-05-07T18:00:00+08:00");

        var steps = Ladder.Schedule(deadline, DateTimeOffset.Parse("2025-04-21T09:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(
        [
            // 7 days before is 30 April; 3 days before is 4 May, a holiday, so it moves back to 30 April too: sent once.
            ("before-3", ReminderKind.Reminder, "2025-04-30T09:00:00+08:00"),
            ("before-1", ReminderKind.Reminder, "2025-05-06T09:00:00+08:00"),
            // 18:00 is outside working hours, and the first overdue notice falls on the same morning: the later step is sent.
            ("after-1", ReminderKind.Overdue, "2025-05-08T09:00:00+08:00"),
            ("after-2", ReminderKind.Overdue, "2025-05-09T09:00:00+08:00"),
            ("escalation", ReminderKind.Escalation, "2025-05-12T09:00:00+08:00"),
        ], steps.Select(s => (s.Label, s.Kind, s.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz"))));
    }

    [Fact]
    public void Steps_already_past_are_left_out()
    {
        var deadline = DateTimeOffset.Parse("2025-05-07T18:00:00+08:00");

        var steps = Ladder.Schedule(deadline, DateTimeOffset.Parse("2025-05-06T10:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(["after-1", "after-2", "escalation"], steps.Select(s => s.Label));
    }

    [Fact]
    public void Negative_offsets_and_bad_times_are_problems()
    {
        var problems = new ReminderLadder { Before = [3, -1], After = new RepeatAfter(0, 2), SendAt = "9am" }.Problems().ToList();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("must be positive (got -1)"));
        Assert.Contains(problems, p => p.Contains("everyDays"));
        Assert.Contains(problems, p => p.Contains("'9am'"));
    }
}
