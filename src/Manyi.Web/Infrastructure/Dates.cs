using Manyi.Engine.Expressions;

namespace Manyi.Web.Infrastructure;

/// <summary>Instants as people here read them: in Asia/Shanghai, e.g. 2025年4月30日 周三 18:00.</summary>
public static class Dates
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static string Beijing(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Shanghai);
        return $"{LiquidFilters.ChineseDate(local)} {local:HH:mm}";
    }
}
