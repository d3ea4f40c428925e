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

    [Fact]
    public void A_year_set_at_run_time_counts_for_every_date_computed_afterwards()
    {
        var calendar = new BusinessCalendar([]);
        Assert.Equal(new DateOnly(2026, 5, 1), calendar.AddWorkingDays(new DateOnly(2026, 4, 30), 1));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 2, 14)));

        calendar.SetYear(HolidayYears.Official2026);

        // 1–5 May 2026 are the Labour Day holiday; Saturday 9 May is worked instead.
        Assert.Equal(new DateOnly(2026, 5, 6), calendar.AddWorkingDays(new DateOnly(2026, 4, 30), 1));
        Assert.Equal(new DateOnly(2026, 5, 9), calendar.AddWorkingDays(new DateOnly(2026, 5, 8), 1));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 2, 14)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 2, 16)));
        Assert.True(calendar.HasDataFor(2026));
        Assert.Equal([2026], calendar.Years);
        Assert.Equal(DateTimeOffset.Parse("2026-05-06T09:00:00+08:00"), calendar.NextWorkingTime(DateTimeOffset.Parse("2026-04-30T18:30:00+08:00")));
    }

    [Fact]
    public void Setting_a_year_again_replaces_it_and_leaves_the_other_years()
    {
        var calendar = new BusinessCalendar([HolidayYears.Official2026]);
        var fewer = HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-05-01"]}""", "cn-2026.json");

        calendar.SetYear(HolidayYear.Parse("""{"year": 2027, "daysOff": ["2027-01-01"]}""", "cn-2027.json"));
        calendar.SetYear(fewer);

        Assert.Same(fewer, calendar.FindYear(2026));
        Assert.Equal(new DateOnly(2026, 5, 4), calendar.AddWorkingDays(new DateOnly(2026, 4, 30), 1));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 2, 14)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2027, 1, 1)));
        Assert.Equal([2026, 2027], calendar.Years);
        Assert.Null(calendar.FindYear(2028));
    }

    [Fact]
    public async Task Years_set_from_many_threads_at_once_are_all_kept_while_others_read()
    {
        var calendar = new BusinessCalendar([]);
        var years = Enumerable.Range(2100, 200).Select(y => HolidayYear.Parse($$"""{"year": {{y}}, "daysOff": ["{{y}}-05-01"]}""", $"cn-{y}.json")).ToList();
        var ct = TestContext.Current.CancellationToken;

        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++) calendar.AddWorkingDays(new DateOnly(2100 + i % 200, 4, 28), 5);
        }, ct);
        await Task.WhenAll(years.Select(y => Task.Run(() => calendar.SetYear(y), ct)));
        await reader;

        Assert.Equal(Enumerable.Range(2100, 200), calendar.Years);
        Assert.All(years, y => Assert.Same(y, calendar.FindYear(y.Year)));
    }

    [Fact]
    public void A_folder_with_two_files_of_one_year_is_refused_naming_both()
    {
        var folder = Directory.CreateTempSubdirectory("manyi-calendar-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "cn-2026.json"), """{"year": 2026}""");
            File.WriteAllText(Path.Combine(folder, "copy.json"), """{"year": 2026}""");

            var error = Assert.Throws<FormatException>(() => BusinessCalendar.FromFolder(folder));

            Assert.Contains("cn-2026.json", error.Message);
            Assert.Contains("copy.json", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
