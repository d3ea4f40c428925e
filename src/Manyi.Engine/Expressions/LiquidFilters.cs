using System.Globalization;
using Fluid;
using Fluid.Values;

namespace Manyi.Engine.Expressions;

/// <summary>
/// Liquid filters of workflow texts and e-mail templates alike: dates in the calendar's time zone, in Chinese
/// (<c>2025年4月30日 周三 18:00</c>) and English (<c>Wed 30 Apr 2025 18:00</c>), and links restricted to http(s).
/// </summary>
public static class LiquidFilters
{
    private static readonly string[] ChineseWeekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    /// <summary>
    /// The filters, registered from this table alone, so that what the designer offers (<see cref="Names"/>) is what
    /// runs; each is made for the calendar's time zone.
    /// </summary>
    private static readonly (ScriptFunction Filter, Func<TimeZoneInfo, FilterDelegate> Make)[] Filters =
    [
        (new("zh_date", "{{ x | zh_date }}", "中文日期，如 2025年4月30日 周三", "A date in Chinese"),
            zone => (input, _, _) => Date(input, zone, d => ChineseDate(d))),
        (new("zh_datetime", "{{ x | zh_datetime }}", "中文日期和时间，如 2025年4月30日 周三 18:00", "A date and time in Chinese"),
            zone => (input, _, _) => Date(input, zone, ChineseDateTime)),
        (new("en_date", "{{ x | en_date }}", "英文日期，如 Wed 30 Apr 2025", "A date in English"),
            zone => (input, _, _) => Date(input, zone, d => d.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture))),
        (new("en_datetime", "{{ x | en_datetime }}", "英文日期和时间", "A date and time in English"),
            zone => (input, _, _) => Date(input, zone, EnglishDateTime)),
        (new("http_url", "{{ x | http_url }}", "只保留 http(s) 链接，其它为空", "Keeps only an http(s) link"),
            _ => (input, _, _) =>
            {
                var text = input.ToStringValue();
                var ok = Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
                return new ValueTask<FluidValue>(new StringValue(ok ? text : ""));
            }),
    ];

    /// <summary>Manyi's own filters, for the designer's completion (Fluid's standard ones come besides).</summary>
    public static IReadOnlyList<ScriptFunction> Names { get; } = [.. Filters.Select(f => f.Filter)];

    public static void Register(FilterCollection filters, TimeZoneInfo zone)
    {
        foreach (var (filter, make) in Filters) filters.AddFilter(filter.Name, make(zone));
    }

    public static string ChineseDate(DateTimeOffset local) =>
        $"{local.Year}年{local.Month}月{local.Day}日 {ChineseWeekdays[(int)local.DayOfWeek]}";

    /// <summary>
    /// <c>2025年4月30日 周三 18:00</c>; an instant at midnight is the end of the day before, <c>2025年9月10日 周三 24:00</c>:
    /// a deadline "received by 10 September" is 11 September 00:00, and people read it by the day it ends.
    /// </summary>
    public static string ChineseDateTime(DateTimeOffset local) =>
        local.TimeOfDay == TimeSpan.Zero ? $"{ChineseDate(local.AddDays(-1))} 24:00" : $"{ChineseDate(local)} {local:HH:mm}";

    /// <summary><c>Wed 30 Apr 2025 18:00</c>; midnight as the end of the day before, <c>Wed 10 Sep 2025 24:00</c>.</summary>
    public static string EnglishDateTime(DateTimeOffset local) =>
        local.TimeOfDay == TimeSpan.Zero
            ? local.AddDays(-1).ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture) + " 24:00"
            : local.ToString("ddd d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A date value, or a text such as <c>2025-04-30T18:00:00+08:00</c>, shown in <paramref name="zone"/>; anything else as it is.</summary>
    private static ValueTask<FluidValue> Date(FluidValue input, TimeZoneInfo zone, Func<DateTimeOffset, string> format)
    {
        DateTimeOffset? instant = input.ToObjectValue() switch
        {
            DateTimeOffset d => d,
            DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d),
            string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d,
            _ => null,
        };
        if (instant is null) return new ValueTask<FluidValue>(input);
        return new ValueTask<FluidValue>(new StringValue(format(TimeZoneInfo.ConvertTime(instant.Value, zone))));
    }
}
