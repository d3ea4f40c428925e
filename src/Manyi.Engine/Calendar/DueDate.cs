using System.Globalization;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Calendar;

/// <summary>
/// A deadline as a workflow states it: an instant (<c>"2025-04-30T18:00:00+08:00"</c> or <c>{"at": …}</c>), an
/// offset from another instant (<c>{"after": "2025-05-14T09:00:00+08:00", "offset": "-7.00:00:00"}</c>), or working
/// or calendar days after an instant at a local time (<c>{"workingDaysAfter": "…", "days": 5, "time": "18:00"}</c>,
/// <c>{"calendarDaysAfter": …}</c>). The instant counted from may be an anchor known when the workflow runs
/// (<see cref="DueDateAnchors"/>): <c>{"workflowStart": true}</c> or <c>{"campaignSetting": "dates.headcountDue"}</c>.
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

    public static DateTimeOffset Resolve(JsonNode? spec, BusinessCalendar calendar, DueDateAnchors? anchors = null)
    {
        var due = Unchecked(spec, calendar, anchors);
        return OutOfRange(due, "deadline") is { } problem ? throw new FormatException(problem) : due;
    }

    /// <summary>Whether the deadline counts from an anchor (the workflow's start, a campaign setting) rather than a written instant.</summary>
    public static bool IsAnchored(JsonNode? spec) => spec is JsonObject o && (o["workingDaysAfter"] ?? o["calendarDaysAfter"]) is JsonObject;

    private static DateTimeOffset Unchecked(JsonNode? spec, BusinessCalendar calendar, DueDateAnchors? anchors) => spec switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => Instant(text, "deadline"),
        JsonValue value when value.TryGetValue<DateTimeOffset>(out var instant) => OutOfRange(instant, "deadline") is { } problem ? throw new FormatException(problem) : instant,
        JsonObject o when o["at"] is { } at => Instant(Text(at, "at"), "at"),
        JsonObject o when o["after"] is { } after => Instant(Text(after, "after"), "after") + Offset(o["offset"]),
        JsonObject o when o["workingDaysAfter"] is { } from => DaysAfter(calendar, From(from, "workingDaysAfter", anchors), o, working: true),
        JsonObject o when o["calendarDaysAfter"] is { } from => DaysAfter(calendar, From(from, "calendarDaysAfter", anchors), o, working: false),
        null => throw new FormatException("The deadline is empty."),
        _ => throw new FormatException($"The deadline {spec.ToJsonString()} is neither an instant nor {{\"at\"}}, {{\"after\", \"offset\"}}, {{\"workingDaysAfter\", \"days\", \"time\"}} or {{\"calendarDaysAfter\", \"days\", \"time\"}}."),
    };

    /// <summary>The instant counted from: a written instant, or an anchor.</summary>
    private static DateTimeOffset From(JsonNode node, string field, DueDateAnchors? anchors)
    {
        if (node is not JsonObject anchor) return Instant(Text(node, field), field);
        if (anchor["workflowStart"] is not null)
            return anchors?.WorkflowStart ?? throw new FormatException($"'{field}': the workflow's start is known only when it runs.");
        if (anchor["campaignSetting"] is { } path)
        {
            var name = Text(path, "campaignSetting");
            if (name.Length == 0) throw new FormatException($"'{field}': name the campaign setting, e.g. dates.headcountDue.");
            if (anchors is null) throw new FormatException($"'{field}': the campaign setting '{name}' is known only when the workflow runs.");
            if (anchors.AnySetting) return anchors.WorkflowStart;
            var value = name.Split('.').Aggregate(anchors.Campaign, (node, key) => (node as JsonObject)?[key]);
            return value is null
                ? throw new FormatException($"The campaign has no setting '{name}'.")
                : Instant(Text(value, $"campaign.{name}"), $"campaign.{name}");
        }
        throw new FormatException($"'{field}' must be an instant, {{\"workflowStart\": true}} or {{\"campaignSetting\": \"…\"}}.");
    }

    private static DateTimeOffset DaysAfter(BusinessCalendar calendar, DateTimeOffset from, JsonObject spec, bool working)
    {
        var unit = working ? "working days" : "days";
        var days = spec["days"] is JsonValue d && d.TryGetValue<int>(out var n) ? n
            : throw new FormatException($"'days' must be a whole number of {unit}.");
        if (days is < 0 or > MaxWorkingDays) throw new FormatException($"'days' must be between 0 and {MaxWorkingDays} {unit} (got {days}).");
        var time = spec["time"] is { } t
            ? TimeOnly.TryParseExact(Text(t, "time"), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                ? parsed
                : throw new FormatException("'time' must be written HH:mm, e.g. 18:00.")
            : calendar.WorkdayEnd;
        var start = DateOnly.FromDateTime(calendar.ToLocal(from).DateTime);
        return calendar.At(working ? calendar.AddWorkingDays(start, days) : start.AddDays(days), time);
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

/// <summary>
/// What a deadline's anchors stand for in one workflow instance: when it started, and its input <c>campaign</c> (the
/// campaign's settings) for <c>{"campaignSetting": "dates.headcountDue"}</c>.
/// </summary>
public sealed record DueDateAnchors(DateTimeOffset WorkflowStart, JsonNode? Campaign)
{
    /// <summary>For checking a deadline's shape when it is saved, before any instance runs: every anchor is <paramref name="now"/>.</summary>
    public static DueDateAnchors Checking(DateTimeOffset now) => new(now, null) { AnySetting = true };

    internal bool AnySetting { get; private init; }
}
