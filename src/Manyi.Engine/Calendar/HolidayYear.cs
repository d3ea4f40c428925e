using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Calendar;

/// <summary>
/// One year of public holidays and weekend working days, as kept in <c>calendars/cn-&lt;year&gt;.json</c>:
/// <c>{"year": 2026, "source": "…", "daysOff": ["2026-01-01", {"from": "…", "to": "…"}], "workingWeekends": ["…"]}</c>.
/// Two years are equal when they hold the same days (and the same <see cref="Source"/>).
/// </summary>
public sealed record HolidayYear(int Year, IReadOnlySet<DateOnly> DaysOff, IReadOnlySet<DateOnly> WorkingWeekends)
{
    private static readonly string[] Fields = ["year", "source", "daysOff", "workingWeekends"];
    private static readonly string[] ChineseWeekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    /// <summary>The file's <c>source</c>: the notice the dates come from, e.g. 国务院办公厅关于2025年部分节假日安排的通知.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// Reads a year file, the one check every year passes (files at start-up and reload, the API's request body). A day
    /// off may fall on a weekend (holidays run through them); everything else wrong is a
    /// <see cref="HolidayYearFormatException"/> listing each problem with the entry it is in: not JSON, no four-digit
    /// year, an unknown field, an entry that is not a date or range, a range that ends before it starts, a date outside
    /// the year, a day listed twice, a working weekend that is not a Saturday or Sunday, a day both off and working.
    /// </summary>
    /// <param name="source">What the JSON is, for the message: the file name, or "request body".</param>
    public static HolidayYear Parse(string json, string source)
    {
        var problems = new List<HolidayYearProblem>();
        var year = Read(json, problems);
        return problems.Count == 0 ? year! : throw new HolidayYearFormatException(source, problems);
    }

    /// <summary>This year in the file format, consecutive days off written as one range: what <see cref="Parse"/> reads back.</summary>
    public JsonObject ToJson()
    {
        var daysOff = new JsonArray();
        var days = DaysOff.Order().ToList();
        for (var first = 0; first < days.Count;)
        {
            var last = first;
            while (last + 1 < days.Count && days[last + 1] == days[last].AddDays(1)) last++;
            daysOff.Add(first == last ? Text(days[first]) : new JsonObject { ["from"] = Text(days[first]), ["to"] = Text(days[last]) });
            first = last + 1;
        }
        var json = new JsonObject { ["year"] = Year };
        if (Source is not null) json["source"] = Source;
        json["daysOff"] = daysOff;
        json["workingWeekends"] = new JsonArray([.. WorkingWeekends.Order().Select(d => (JsonNode)Text(d))]);
        return json;
    }

    public bool Equals(HolidayYear? other) =>
        other is not null && Year == other.Year && Source == other.Source
        && DaysOff.SetEquals(other.DaysOff) && WorkingWeekends.SetEquals(other.WorkingWeekends);

    public override int GetHashCode() => HashCode.Combine(Year, Source, DaysOff.Count, WorkingWeekends.Count);

    private static HolidayYear? Read(string json, List<HolidayYearProblem> problems)
    {
        JsonObject root;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject parsed)
            {
                Problem("$", "应为 JSON 对象，如 {\"year\": 2026, \"daysOff\": […], \"workingWeekends\": […]}。",
                    "Must be a JSON object such as {\"year\": 2026, \"daysOff\": […], \"workingWeekends\": […]}.");
                return null;
            }
            root = parsed;
        }
        catch (JsonException ex)
        {
            Problem("$", "不是有效的 JSON。", $"Not valid JSON: {ex.Message}");
            return null;
        }

        foreach (var (name, _) in root.Where(p => !Fields.Contains(p.Key, StringComparer.Ordinal)))
            Problem(name, $"未知字段 '{name}'，可用：year、source、daysOff、workingWeekends。",
                $"Unknown field '{name}'; the fields are year, source, daysOff and workingWeekends.");
        int? year = root["year"] is JsonValue y && y.TryGetValue<int>(out var number) ? number : null;
        if (year is null)
            Problem("year", "'year' 缺失或不是整数。", "'year' is missing or not a whole number.");
        else if (year is < 1000 or > 9999)
        {
            Problem("year", $"'year' 应为四位数的年份（现为 {year}）。", $"'year' must be a four-digit year (got {year}).");
            year = null;
        }
        string? notice = null;
        if (root["source"] is { } sourceNode && !(sourceNode is JsonValue s && s.TryGetValue(out notice)))
            Problem("source", "'source' 应为文本。", "'source' must be text.");

        var daysOff = new Dictionary<DateOnly, string>();
        foreach (var (entry, index) in List("daysOff").Select((e, i) => (e, i)))
        {
            var path = $"daysOff[{index}]";
            var (from, to) = entry switch
            {
                JsonValue single when Date(single, path) is { } day => (day, day),
                JsonValue => (null, null),
                JsonObject range => (Date(range["from"], path + ".from"), Date(range["to"], path + ".to")),
                _ => Invalid(path),
            };
            if (from is not { } start || to is not { } end) continue;
            if (end < start)
            {
                Problem(path, $"{path} 的结束日期 {Text(end)} 早于开始日期 {Text(start)}。", $"{path} ends ({Text(end)}) before it starts ({Text(start)}).");
                continue;
            }
            for (var day = start; day <= end; day = day.AddDays(1))
                if (!daysOff.TryAdd(day, path))
                {
                    Problem(path, $"{path} 的 {Text(day)} 已在 {daysOff[day]} 中。", $"{path}: {Text(day)} is already in {daysOff[day]}.");
                    break;
                }
        }

        var workingWeekends = new Dictionary<DateOnly, string>();
        foreach (var (entry, index) in List("workingWeekends").Select((e, i) => (e, i)))
        {
            var path = $"workingWeekends[{index}]";
            if (Date(entry, path) is not { } day) continue;
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                Problem(path, $"{path} 的 {Text(day)} 是{ChineseWeekdays[(int)day.DayOfWeek]}，不是周末。",
                    $"{path}: {Text(day)} is a {day.DayOfWeek}, not a Saturday or Sunday.");
            else if (daysOff.TryGetValue(day, out var off))
                Problem(path, $"{path} 的 {Text(day)} 同时是 {off} 中的休息日。", $"{path}: {Text(day)} is also a day off ({off}).");
            else if (!workingWeekends.TryAdd(day, path))
                Problem(path, $"{path} 的 {Text(day)} 已在 {workingWeekends[day]} 中。", $"{path}: {Text(day)} is already in {workingWeekends[day]}.");
        }

        return problems.Count > 0 ? null
            : new HolidayYear(year!.Value, daysOff.Keys.ToFrozenSet(), workingWeekends.Keys.ToFrozenSet()) { Source = notice };

        IEnumerable<JsonNode?> List(string name)
        {
            if (root[name] is null) return [];
            if (root[name] is JsonArray array) return array;
            Problem(name, $"'{name}' 应为列表。", $"'{name}' must be a list.");
            return [];
        }

        (DateOnly?, DateOnly?) Invalid(string path)
        {
            Problem(path, $"{path} 应为日期或 {{\"from\", \"to\"}}。", $"{path} must be a date or {{\"from\", \"to\"}}.");
            return (null, null);
        }

        DateOnly? Date(JsonNode? node, string path)
        {
            string? text = null;
            if (node is JsonValue v && v.TryGetValue(out text)
                && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                if (year is null || date.Year == year) return date;
                Problem(path, $"{path} 的 {text} 不在 {year} 年内。", $"{path}: {text} is not in {year}.");
                return null;
            }
            var got = text is null ? node?.ToJsonString() ?? "nothing" : $"'{text}'";
            Problem(path, $"{path} 应为 yyyy-MM-dd 格式的日期（现为 {got}）。", $"{path} must be a date written yyyy-MM-dd (got {got}).");
            return null;
        }

        void Problem(string field, string chinese, string english) => problems.Add(new HolidayYearProblem(field, chinese + english));
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One thing wrong in a year file: the entry (<c>year</c>, <c>daysOff[2].to</c>, <c>$</c> for the whole) and what is wrong, in Chinese then English.</summary>
public sealed record HolidayYearProblem(string Field, string Message);

/// <summary>A year file that <see cref="HolidayYear.Parse"/> refuses; the message names the source and every problem.</summary>
public sealed class HolidayYearFormatException(string source, IReadOnlyList<HolidayYearProblem> problems)
    : FormatException($"{source}: {string.Join(" ", problems.Select(p => p.Message))}")
{
    /// <summary>What was read: the file name, or "request body".</summary>
    public string Origin { get; } = source;
    public IReadOnlyList<HolidayYearProblem> Problems { get; } = problems;
}
