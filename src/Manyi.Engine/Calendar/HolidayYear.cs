using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Calendar;

/// <summary>One year of public holidays and weekend working days, as kept in <c>calendars/cn-&lt;year&gt;.json</c>.</summary>
public sealed record HolidayYear(int Year, IReadOnlySet<DateOnly> DaysOff, IReadOnlySet<DateOnly> WorkingWeekends)
{
    /// <summary>Reads a year file; a malformed one is an error naming the entry.</summary>
    public static HolidayYear Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("the file is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON: {ex.Message}", ex);
        }
        var year = root["year"] is JsonValue y && y.TryGetValue<int>(out var number) ? number
            : throw new FormatException($"{source}: 'year' is missing or not a number");

        var daysOff = new HashSet<DateOnly>();
        foreach (var (entry, index) in (root["daysOff"] as JsonArray ?? []).Select((e, i) => (e, i)))
        {
            var (from, to) = entry switch
            {
                JsonValue single => (Date(single, $"daysOff[{index}]"), Date(single, $"daysOff[{index}]")),
                JsonObject range => (Date(range["from"], $"daysOff[{index}].from"), Date(range["to"], $"daysOff[{index}].to")),
                _ => throw new FormatException($"{source}: daysOff[{index}] must be a date or {{\"from\", \"to\"}}"),
            };
            if (to < from) throw new FormatException($"{source}: daysOff[{index}] ends before it starts");
            for (var day = from; day <= to; day = day.AddDays(1)) daysOff.Add(day);
        }
        var workingWeekends = (root["workingWeekends"] as JsonArray ?? [])
            .Select((e, i) => Date(e, $"workingWeekends[{i}]")).ToHashSet();

        foreach (var day in daysOff.Concat(workingWeekends).Where(d => d.Year != year))
            throw new FormatException($"{source}: {day:yyyy-MM-dd} is not in {year}");
        return new HolidayYear(year, daysOff, workingWeekends);

        DateOnly Date(JsonNode? node, string path) =>
            node is JsonValue v && v.TryGetValue<string>(out var text)
            && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw new FormatException($"{source}: {path} must be a date written yyyy-MM-dd");
    }
}
