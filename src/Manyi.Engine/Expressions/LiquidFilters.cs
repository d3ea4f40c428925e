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

    public static void Register(FilterCollection filters, TimeZoneInfo zone)
    {
        filters.AddFilter("zh_date", (input, _, _) => Date(input, zone, d => ChineseDate(d)));
        filters.AddFilter("zh_datetime", (input, _, _) => Date(input, zone, ChineseDateTime));
        filters.AddFilter("en_date", (input, _, _) => Date(input, zone, d => d.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)));
        filters.AddFilter("en_datetime", (input, _, _) => Date(input, zone, EnglishDateTime));
        filters.AddFilter("http_url", (input, _, _) =>
        {
            var text = input.ToStringValue();
            var ok = Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
            return new ValueTask<FluidValue>(new StringValue(ok ? text : ""));
        });
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
