using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

public sealed class HolidayYearTests
{
    [Fact]
    public void The_shipped_2025_file_reads_and_writes_back_as_it_is()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "calendars", "cn-2025.json"));

        var year = HolidayYear.Parse(text, "cn-2025.json");

        Assert.Equal(2025, year.Year);
        Assert.Equal(5, year.WorkingWeekends.Count);
        Assert.StartsWith("State Council notice", year.Source);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(text), year.ToJson()), year.ToJson().ToJsonString());
        Assert.Equal(year, HolidayYear.Parse(year.ToJson().ToJsonString(), "written back"));
    }

    [Fact]
    public void Consecutive_days_off_are_written_as_one_range()
    {
        var year = HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-05-02", "2026-05-01", {"from": "2026-05-03", "to": "2026-05-05"}, "2026-06-19"]}""", "test");

        Assert.Equal("""{"year":2026,"daysOff":[{"from":"2026-05-01","to":"2026-05-05"},"2026-06-19"],"workingWeekends":[]}""", year.ToJson().ToJsonString());
    }

    [Fact]
    public void Years_with_the_same_days_are_equal_however_they_are_written()
    {
        var ranges = HolidayYear.Parse("""{"year": 2026, "daysOff": [{"from": "2026-05-01", "to": "2026-05-02"}], "workingWeekends": ["2026-05-09"]}""", "a");
        var singles = HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-05-02", "2026-05-01"], "workingWeekends": ["2026-05-09"]}""", "b");

        Assert.Equal(ranges, singles);
        Assert.NotEqual(ranges, singles with { Source = "another notice" });
        Assert.NotEqual(ranges, HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-05-01"], "workingWeekends": ["2026-05-09"]}""", "c"));
    }

    [Fact]
    public void A_day_off_may_fall_on_a_weekend()
    {
        var year = HolidayYear.Parse("""{"year": 2026, "daysOff": ["2026-01-03", {"from": "2026-02-14", "to": "2026-02-15"}]}""", "test");

        Assert.Equal(3, year.DaysOff.Count);
    }

    [Theory]
    [InlineData("""{"year": 2026, "daysOff": ["2026-02-30"]}""", "daysOff[0]", "daysOff[0] must be a date written yyyy-MM-dd (got '2026-02-30').")]
    [InlineData("""{"year": 2026, "daysOff": [20260101]}""", "daysOff[0]", "daysOff[0] must be a date written yyyy-MM-dd (got 20260101).")]
    [InlineData("""{"year": 2026, "daysOff": [{"from": "2026-05-01"}]}""", "daysOff[0].to", "daysOff[0].to must be a date written yyyy-MM-dd (got nothing).")]
    [InlineData("""{"year": 2026, "daysOff": [["2026-05-01"]]}""", "daysOff[0]", "daysOff[0] must be a date or {\"from\", \"to\"}.")]
    [InlineData("""{"year": 2026, "workingWeekends": ["2025-02-08"]}""", "workingWeekends[0]", "workingWeekends[0]: 2025-02-08 is not in 2026.")]
    [InlineData("""{"year": 2026, "daysOff": ["2026-01-01", {"from": "2026-12-31", "to": "2027-01-02"}]}""", "daysOff[1].to", "daysOff[1].to: 2027-01-02 is not in 2026.")]
    [InlineData("""{"year": 2026, "daysOff": [{"from": "2026-05-05", "to": "2026-05-01"}]}""", "daysOff[0]", "daysOff[0] ends (2026-05-01) before it starts (2026-05-05).")]
    [InlineData("""{"year": 2026, "daysOff": [{"from": "2026-05-01", "to": "2026-05-05"}, "2026-05-03"]}""", "daysOff[1]", "daysOff[1]: 2026-05-03 is already in daysOff[0].")]
    [InlineData("""{"year": 2026, "workingWeekends": ["2026-02-16"]}""", "workingWeekends[0]", "workingWeekends[0]: 2026-02-16 is a Monday, not a Saturday or Sunday.")]
    [InlineData("""{"year": 2026, "daysOff": [{"from": "2026-02-14", "to": "2026-02-15"}], "workingWeekends": ["2026-02-14"]}""", "workingWeekends[0]", "workingWeekends[0]: 2026-02-14 is also a day off (daysOff[0]).")]
    [InlineData("""{"year": 2026, "workingWeekends": ["2026-02-14", "2026-02-14"]}""", "workingWeekends[1]", "workingWeekends[1]: 2026-02-14 is already in workingWeekends[0].")]
    [InlineData("""{"year": 2026, "workingWeekend": ["2026-02-14"]}""", "workingWeekend", "Unknown field 'workingWeekend'; the fields are year, source, daysOff and workingWeekends.")]
    [InlineData("""{"year": 2026, "daysOff": "2026-05-01"}""", "daysOff", "'daysOff' must be a list.")]
    [InlineData("""{"year": 2026, "source": 7}""", "source", "'source' must be text.")]
    [InlineData("""{"year": "2026"}""", "year", "'year' is missing or not a whole number.")]
    [InlineData("""{"year": 26, "daysOff": ["2026-05-01"]}""", "year", "'year' must be a four-digit year (got 26).")]
    [InlineData("""["2026-05-01"]""", "$", "Must be a JSON object such as")]
    [InlineData("""{"year": 2026,""", "$", "Not valid JSON:")]
    public void A_year_with_a_wrong_entry_is_refused_naming_the_entry_and_the_problem(string json, string field, string english)
    {
        var error = Assert.Throws<HolidayYearFormatException>(() => HolidayYear.Parse(json, "cn-2026.json"));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(field, problem.Field);
        var englishAt = problem.Message.IndexOf(english, StringComparison.Ordinal);
        Assert.True(englishAt > 0, problem.Message);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.Message[..englishAt]); // Chinese first, then English
        Assert.StartsWith("cn-2026.json: ", error.Message);
        Assert.Contains(english, error.Message);
    }

    [Fact]
    public void Every_problem_of_a_year_is_named_at_once()
    {
        var error = Assert.Throws<HolidayYearFormatException>(() => HolidayYear.Parse(
            """{"year": 2026, "daysOff": ["2026-13-01", "2027-01-01"], "workingWeekends": ["2026-02-16"]}""", "request body"));

        Assert.Equal(["daysOff[0]", "daysOff[1]", "workingWeekends[0]"], error.Problems.Select(p => p.Field));
        Assert.Equal(
            "request body: daysOff[0] 应为 yyyy-MM-dd 格式的日期（现为 '2026-13-01'）。daysOff[0] must be a date written yyyy-MM-dd (got '2026-13-01'). "
            + "daysOff[1] 的 2027-01-01 不在 2026 年内。daysOff[1]: 2027-01-01 is not in 2026. "
            + "workingWeekends[0] 的 2026-02-16 是周一，不是周末。workingWeekends[0]: 2026-02-16 is a Monday, not a Saturday or Sunday.",
            error.Message);
    }
}
