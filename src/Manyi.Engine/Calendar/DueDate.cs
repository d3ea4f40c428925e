using System.Globalization;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Calendar;

/// <summary>
/// A deadline as a workflow states it: an instant (<c>"2025-04-30T18:00:00+08:00"</c> or <c>{"at": …}</c>), an
/// offset from another instant (<c>{"after": "2025-05-14T09:00:00+08:00", "offset": "-7.00:00:00"}</c>), or working
/// days after an instant at a local time (<c>{"workingDaysAfter": "…", "days": 5, "time": "18:00"}</c>).
/// </summary>
public static class DueDate
{
    public static DateTimeOffset Resolve(JsonNode? spec, BusinessCalendar calendar) => spec switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => Instant(text, "deadline"),
        JsonValue value when value.TryGetValue<DateTimeOffset>(out var instant) => instant,
        JsonObject o when o["at"] is { } at => Instant(Text(at, "at"), "at"),
        JsonObject o when o["after"] is { } after => Instant(Text(after, "after"), "after") + Offset(o["offset"]),
        JsonObject o when o["workingDaysAfter"] is { } from => WorkingDays(calendar, Instant(Text(from, "workingDaysAfter"), "workingDaysAfter"), o),
        null => throw new FormatException("The deadline is empty."),
        _ => throw new FormatException($"The deadline {spec.ToJsonString()} is neither an instant nor {{\"at\"}}, {{\"after\", \"offset\"}} or {{\"workingDaysAfter\", \"days\", \"time\"}}."),
    };

    private static DateTimeOffset WorkingDays(BusinessCalendar calendar, DateTimeOffset from, JsonObject spec)
    {
        var days = spec["days"] is JsonValue d && d.TryGetValue<int>(out var n) ? n
            : throw new FormatException("'days' must be a whole number of working days.");
        if (days < 0) throw new FormatException($"'days' must not be negative ({days}).");
        var time = spec["time"] is { } t
            ? TimeOnly.TryParseExact(Text(t, "time"), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                ? parsed
                : throw new FormatException("'time' must be written HH:mm, e.g. 18:00.")
            : calendar.WorkdayEnd;
        var start = DateOnly.FromDateTime(calendar.ToLocal(from).DateTime);
        return calendar.At(calendar.AddWorkingDays(start, days), time);
    }

    private static TimeSpan Offset(JsonNode? node) =>
        node is null ? TimeSpan.Zero
        : TimeSpan.TryParse(Text(node, "offset"), CultureInfo.InvariantCulture, out var offset) ? offset
        : throw new FormatException("'offset' must be a duration such as 7.00:00:00 or -1.00:00:00.");

    private static DateTimeOffset Instant(string text, string field) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && HasOffset(text)
            ? instant
            : throw new FormatException($"'{field}' must be an instant with its offset, e.g. 2025-04-30T18:00:00+08:00 (got '{text}').");

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10;

    private static string Text(JsonNode node, string field) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"'{field}' must be a string.");
}
