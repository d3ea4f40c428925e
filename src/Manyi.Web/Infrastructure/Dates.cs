using System.Globalization;

namespace Manyi.Web.Infrastructure;

/// <summary>Instants as people here read them: in Asia/Shanghai, e.g. 2025年4月30日 周三 18:00.</summary>
public static class Dates
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly string[] Weekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    public static string Beijing(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Shanghai);
        return string.Create(CultureInfo.InvariantCulture, $"{local.Year}年{local.Month}月{local.Day}日 {Weekdays[(int)local.DayOfWeek]} {local:HH:mm}");
    }
}
