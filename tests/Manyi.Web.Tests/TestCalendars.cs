using System.Globalization;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests;

/// <summary>Holiday files for tests whose deadlines are minutes away: every day of this year and the next a working day.</summary>
internal static class TestCalendars
{
    /// <summary>Writes the two years' files into <paramref name="folder"/> (created when missing) and returns its full path.</summary>
    public static string EveryDayWorking(string folder)
    {
        var calendars = Directory.CreateDirectory(folder).FullName;
        var year = DateTime.UtcNow.Year;
        foreach (var y in new[] { year, year + 1 })
        {
            var weekends = Enumerable.Range(0, DateTime.IsLeapYear(y) ? 366 : 365).Select(d => new DateOnly(y, 1, 1).AddDays(d))
                .Where(d => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Select(d => (JsonNode)d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(calendars, $"all-days-{y}.json"),
                new JsonObject { ["year"] = y, ["source"] = "test: every day a working day", ["daysOff"] = new JsonArray(), ["workingWeekends"] = new JsonArray([.. weekends]) }.ToJsonString());
        }
        return calendars;
    }
}
