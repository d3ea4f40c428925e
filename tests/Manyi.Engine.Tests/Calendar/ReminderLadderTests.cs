using System.Text.Json;
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

    private static readonly ReminderLadder TwoAndOne = new() { Before = [2, 1], AtDeadline = true };

    [Fact]
    public void A_ladder_over_the_May_Day_week_counts_working_days_and_sends_at_nine_in_Shanghai()
    {
        // Training sign-up is due Wednesday 7 May 2025 18:00; 1–5 May are holidays, Sunday 27 April is worked.
        var deadline = DateTimeOffset.Parse("2025-05-07T18:00:00+08:00");

        var steps = Ladder.Schedule(deadline, DateTimeOffset.Parse("2025-04-21T09:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(
        [
            ("before-7", ReminderKind.Reminder, "2025-04-24T09:00:00+08:00"),
            ("before-3", ReminderKind.Reminder, "2025-04-29T09:00:00+08:00"),
            ("before-1", ReminderKind.Reminder, "2025-05-06T09:00:00+08:00"),
            ("at", ReminderKind.Reminder, "2025-05-07T09:00:00+08:00"),
            ("after-1", ReminderKind.Overdue, "2025-05-08T09:00:00+08:00"),
            ("after-2", ReminderKind.Overdue, "2025-05-09T09:00:00+08:00"),
            ("escalation", ReminderKind.Escalation, "2025-05-12T09:00:00+08:00"),
        ], Shown(steps));
        Assert.All(steps, s => Assert.Null(s.Moved));
    }

    [Fact]
    public void Two_and_one_working_days_before_a_Monday_deadline_at_six_are_Thursday_and_Friday_and_at_the_deadline_is_Monday_morning()
    {
        var steps = TwoAndOne.Steps(DateTimeOffset.Parse("2025-05-12T18:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(
        [
            ("before-2", ReminderKind.Reminder, "2025-05-08T09:00:00+08:00"),
            ("before-1", ReminderKind.Reminder, "2025-05-09T09:00:00+08:00"),
            ("at", ReminderKind.Reminder, "2025-05-12T09:00:00+08:00"),
        ], Shown(steps));
        Assert.All(steps, s => Assert.Equal((null, null), (s.Moved, s.MergedInto)));
    }

    [Fact]
    public void The_same_ladder_in_calendar_days_moves_both_weekend_steps_to_Friday_and_says_one_is_merged()
    {
        var ladder = TwoAndOne with { Days = ReminderLadder.CalendarDays };
        var deadline = DateTimeOffset.Parse("2025-05-12T18:00:00+08:00");

        var steps = ladder.Steps(deadline, TestEngine.Calendar2025);

        Assert.Equal(["2025-05-09T09:00:00+08:00", "2025-05-09T09:00:00+08:00", "2025-05-12T09:00:00+08:00"], Shown(steps).Select(s => s.At));
        var (two, one) = (steps[0], steps[1]);
        Assert.Equal(("before-2", new StepMove(new DateOnly(2025, 5, 10), MoveReason.NotWorkingDay), "before-1"), (two.Label, two.Moved, two.MergedInto));
        Assert.Equal(("before-1", new StepMove(new DateOnly(2025, 5, 11), MoveReason.NotWorkingDay), (string?)null), (one.Label, one.Moved, one.MergedInto));
        // The runtime sends one message on Friday.
        Assert.Equal(["before-1", "at"], ladder.Schedule(deadline, DateTimeOffset.MinValue, TestEngine.Calendar2025).Select(s => s.Label));
    }

    [Fact]
    public void At_the_deadline_for_a_deadline_at_the_send_time_goes_out_the_working_day_before_and_takes_the_place_of_that_days_step()
    {
        var steps = TwoAndOne.Steps(DateTimeOffset.Parse("2025-05-12T09:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(
        [
            ("before-2", ReminderKind.Reminder, "2025-05-08T09:00:00+08:00"),
            ("before-1", ReminderKind.Reminder, "2025-05-09T09:00:00+08:00"),
            ("at", ReminderKind.Reminder, "2025-05-09T09:00:00+08:00"),
        ], Shown(steps));
        Assert.Equal("at", steps[1].MergedInto);
        Assert.Equal(new StepMove(new DateOnly(2025, 5, 12), MoveReason.DeadlineBeforeSendTime), steps[2].Moved);
    }

    [Fact]
    public void A_deadline_on_a_holiday_gets_its_at_the_deadline_step_on_the_last_working_day_before()
    {
        // Saturday 31 May 2025 is the first day of the Dragon Boat holiday.
        var steps = TwoAndOne.Steps(DateTimeOffset.Parse("2025-05-31T18:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(["before-2", "before-1", "at"], steps.Select(s => s.Label));
        Assert.Equal(["2025-05-29T09:00:00+08:00", "2025-05-30T09:00:00+08:00", "2025-05-30T09:00:00+08:00"], Shown(steps).Select(s => s.At));
        Assert.Equal(new StepMove(new DateOnly(2025, 5, 31), MoveReason.NotWorkingDay), steps[2].Moved);
        Assert.Equal("at", steps[1].MergedInto);
    }

    [Fact]
    public void A_worked_weekend_counts_as_a_working_day_in_both_units()
    {
        // Sunday 27 April 2025 is a make-up working day (调休) before May Day.
        var deadline = DateTimeOffset.Parse("2025-04-28T18:00:00+08:00");

        var working = TwoAndOne.Steps(deadline, TestEngine.Calendar2025);
        var calendarDays = (TwoAndOne with { Days = ReminderLadder.CalendarDays }).Steps(deadline, TestEngine.Calendar2025);

        Assert.Equal(["2025-04-25T09:00:00+08:00", "2025-04-27T09:00:00+08:00", "2025-04-28T09:00:00+08:00"], Shown(working).Select(s => s.At));
        Assert.Equal(["2025-04-25T09:00:00+08:00", "2025-04-27T09:00:00+08:00", "2025-04-28T09:00:00+08:00"], Shown(calendarDays).Select(s => s.At));
        Assert.Equal(new StepMove(new DateOnly(2025, 4, 26), MoveReason.NotWorkingDay), calendarDays[0].Moved);
        Assert.Null(calendarDays[1].Moved);
    }

    [Fact]
    public void Overdue_steps_in_calendar_days_move_past_the_weekend_and_merge()
    {
        var ladder = new ReminderLadder { Days = ReminderLadder.CalendarDays, After = new RepeatAfter(1, 3), Escalate = true };

        var steps = ladder.Steps(DateTimeOffset.Parse("2025-05-09T18:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(
        [
            ("after-1", ReminderKind.Overdue, "2025-05-12T09:00:00+08:00"),
            ("after-2", ReminderKind.Overdue, "2025-05-12T09:00:00+08:00"),
            ("after-3", ReminderKind.Overdue, "2025-05-12T09:00:00+08:00"),
            ("escalation", ReminderKind.Escalation, "2025-05-13T09:00:00+08:00"),
        ], Shown(steps));
        Assert.Equal(["after-3", "after-3", null, null], steps.Select(s => s.MergedInto));
        Assert.Equal(new StepMove(new DateOnly(2025, 5, 10), MoveReason.NotWorkingDay), steps[0].Moved);
    }

    [Fact]
    public void A_deadline_at_midnight_belongs_to_the_day_before_as_people_read_it()
    {
        // 2025-09-11 00:00 reads 2025年9月10日 周三 24:00.
        var steps = TwoAndOne.Steps(DateTimeOffset.Parse("2025-09-11T00:00:00+08:00"), TestEngine.Calendar2025);

        Assert.Equal(["2025-09-08T09:00:00+08:00", "2025-09-09T09:00:00+08:00", "2025-09-10T09:00:00+08:00"], Shown(steps).Select(s => s.At));
        Assert.All(steps, s => Assert.Equal((null, null), (s.Moved, s.MergedInto)));
    }

    [Fact]
    public void Steps_already_past_are_left_out_of_the_schedule_but_not_out_of_the_steps()
    {
        var deadline = DateTimeOffset.Parse("2025-05-07T18:00:00+08:00");
        var now = DateTimeOffset.Parse("2025-05-06T10:00:00+08:00");

        Assert.Equal(["at", "after-1", "after-2", "escalation"], Ladder.Schedule(deadline, now, TestEngine.Calendar2025).Select(s => s.Label));
        Assert.Equal(7, Ladder.Steps(deadline, TestEngine.Calendar2025).Count);
    }

    [Fact]
    public void A_ladder_written_without_its_unit_counts_working_days()
    {
        var ladder = JsonSerializer.Deserialize<ReminderLadder>("""{"before": [2, 1], "atDeadline": true}""", JsonSerializerOptions.Web)!;

        Assert.Null(ladder.Days);
        Assert.Empty(ladder.Problems());
        Assert.Equal(Shown(TwoAndOne.Steps(DateTimeOffset.Parse("2025-05-12T18:00:00+08:00"), TestEngine.Calendar2025)),
            Shown(ladder.Steps(DateTimeOffset.Parse("2025-05-12T18:00:00+08:00"), TestEngine.Calendar2025)));
        Assert.Empty((ladder with { Days = ReminderLadder.WorkingDays }).Problems());
        // Stored (an instance's changed ladder, the audit trail) as written: the unit once, no derived flag.
        Assert.Equal("""{"days":"calendar","before":[2,1],"atDeadline":true,"after":null,"escalate":false,"sendAt":null}""",
            JsonSerializer.Serialize(ladder with { Days = ReminderLadder.CalendarDays }, JsonSerializerOptions.Web));
    }

    [Fact]
    public void Negative_offsets_bad_times_and_an_unknown_unit_are_problems()
    {
        var problems = new ReminderLadder { Days = "weeks", Before = [3, -1], After = new RepeatAfter(0, 2), SendAt = "9am" }.Problems().ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("'days'") && p.Contains("(got 'weeks')"));
        Assert.Contains(problems, p => p.Contains("must be positive (got -1)"));
        Assert.Contains(problems, p => p.Contains("everyDays"));
        Assert.Contains(problems, p => p.Contains("'9am'"));
    }

    private static List<(string Label, ReminderKind Kind, string At)> Shown(IEnumerable<ReminderStep> steps) =>
        [.. steps.Select(s => (s.Label, s.Kind, s.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz")))];
}
