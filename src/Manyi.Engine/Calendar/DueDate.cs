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
    /// <summary>
    /// The instants a workflow, a deadline or a timer may name: years 2000 to 2199. Anything else is a typo (a year
    /// 9999 overflows the calendar's day arithmetic), refused when it is saved.
    /// </summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The longest wait, delay, timer interval or deadline offset: ten years.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3653);

    /// <summary>The most working days a deadline may count (about four years).</summary>
    public const int MaxWorkingDays = 1_000;

    /// <summary>Why an instant is out of range, naming the field, or null.</summary>
    public static string? OutOfRange(DateTimeOffset instant, string field) =>
        instant >= Earliest && instant < Latest ? null
            : $"'{field}' must fall between 2000 and 2199 (got {instant:yyyy-MM-dd}).";

    /// <summary>Why a duration is out of range, naming the field, or null.</summary>
    public static string? OutOfRange(TimeSpan duration, string field) =>
        duration.Duration() <= MaxDuration ? null
            : $"'{field}' must be at most {MaxDuration.TotalDays:0} days (ten years) long (got {duration.TotalDays:0} days).";

    public static DateTimeOffset Resolve(JsonNode? spec, BusinessCalendar calendar)
    {
        var due = Unchecked(spec, calendar);
        return OutOfRange(due, "deadline") is { } problem ? throw new FormatException(problem) : due;
    }

    private static DateTimeOffset Unchecked(JsonNode? spec, BusinessCalendar calendar) => spec switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => Instant(text, "deadline"),
        JsonValue value when value.TryGetValue<DateTimeOffset>(out var instant) => OutOfRange(instant, "deadline") is { } problem ? throw new FormatException(problem) : instant,
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
        if (days is < 0 or > MaxWorkingDays) throw new FormatException($"'days' must be between 0 and {MaxWorkingDays} working days (got {days}).");
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
        : TimeSpan.TryParse(Text(node, "offset"), CultureInfo.InvariantCulture, out var offset)
            ? OutOfRange(offset, "offset") is { } problem ? throw new FormatException(problem) : offset
        : throw new FormatException("'offset' must be a duration such as 7.00:00:00 or -1.00:00:00.");

    private static DateTimeOffset Instant(string text, string field) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && HasOffset(text)
            ? OutOfRange(instant, field) is { } problem ? throw new FormatException(problem) : instant
            : throw new FormatException($"'{field}' must be an instant with its offset, e.g. 2025-04-30T18:00:00+08:00 (got '{text}').");

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10;

    private static string Text(JsonNode node, string field) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"'{field}' must be a string.");
}
