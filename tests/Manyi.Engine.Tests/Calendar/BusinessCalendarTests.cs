using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

public sealed class BusinessCalendarTests
{
    private static readonly BusinessCalendar Calendar = TestEngine.Calendar2025;

    [Theory]
    [InlineData("2025-04-30", true)]   // Wednesday before May Day
    [InlineData("2025-05-01", false)]  // Labour Day holiday
    [InlineData("2025-05-05", false)]
    [InlineData("2025-05-06", true)]
    [InlineData("2025-04-27", true)]   // a Sunday worked instead (调休)
    [InlineData("2025-05-10", false)]  // an ordinary Saturday
    [InlineData("2025-10-08", false)]  // National Day week
    [InlineData("2025-10-11", true)]   // a Saturday worked instead
    public void Knows_the_2025_holidays_and_weekend_working_days(string day, bool working) =>
        Assert.Equal(working, Calendar.IsWorkingDay(DateOnly.Parse(day)));

    [Fact]
    public void Working_days_skip_the_May_Day_holiday()
    {
        Assert.Equal(new DateOnly(2025, 5, 6), Calendar.AddWorkingDays(new DateOnly(2025, 4, 30), 1));
        Assert.Equal(new DateOnly(2025, 4, 29), Calendar.AddWorkingDays(new DateOnly(2025, 5, 6), -2));
    }

    [Fact]
    public void Outside_working_hours_the_next_working_time_is_nine_o_clock_on_the_next_working_day_in_Shanghai()
    {
        var fridayEvening = DateTimeOffset.Parse("2025-04-30T18:30:00+08:00");

        var next = Calendar.NextWorkingTime(fridayEvening);

        Assert.Equal(DateTimeOffset.Parse("2025-05-06T09:00:00+08:00"), next);
        Assert.Equal(TimeSpan.FromHours(8), Calendar.ToLocal(next).Offset);
        Assert.Equal(DateTimeOffset.Parse("2025-05-06T10:15:00+08:00"), Calendar.NextWorkingTime(DateTimeOffset.Parse("2025-05-06T02:15:00Z")));
    }

    [Fact]
    public void A_year_file_with_a_bad_entry_is_refused_naming_it()
    {
        var error = Assert.Throws<FormatException>(() => HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-02-30"]}""", "cn-2026.json"));
        Assert.Equal("cn-2026.json: daysOff[0] must be a date written yyyy-MM-dd", error.Message);
        var wrongYear = Assert.Throws<FormatException>(() => HolidayYear.Parse("""{"year": 2026, "workingWeekends": ["2025-02-08"]}""", "cn-2026.json"));
        Assert.Contains("not in 2026", wrongYear.Message);
    }

    [Fact]
    public void Due_dates_can_be_absolute_relative_or_in_working_days()
    {
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T18:00:00+08:00"), DueDate.Resolve(System.Text.Json.Nodes.JsonValue.Create("2025-04-30T18:00:00+08:00"), Calendar));
        Assert.Equal(DateTimeOffset.Parse("2025-05-07T09:00:00+08:00"),
            DueDate.Resolve(System.Text.Json.Nodes.JsonNode.Parse("""{"after": "2025-05-14T09:00:00+08:00", "offset": "-7.00:00:00"}"""), Calendar));
        // Five working days after Tuesday 29 April: 30 April, then 6, 7, 8, 9 May (1–5 May are the holiday).
        Assert.Equal(DateTimeOffset.Parse("2025-05-09T18:00:00+08:00"),
            DueDate.Resolve(System.Text.Json.Nodes.JsonNode.Parse("""{"workingDaysAfter": "2025-04-29T10:00:00+08:00", "days": 5, "time": "18:00"}"""), Calendar));
        var unzoned = Assert.Throws<FormatException>(() => DueDate.Resolve(System.Text.Json.Nodes.JsonValue.Create("2025-04-30 18:00"), Calendar));
        Assert.Contains("with its offset", unzoned.Message);
    }
}
