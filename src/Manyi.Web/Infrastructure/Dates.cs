using Manyi.Engine.Expressions;
using Manyi.Web.Components;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// Instants as people here read them: in Asia/Shanghai, e.g. 2025年4月30日 周三 18:00 (midnight as the day before's 24:00);
/// on a page in English mode (<see cref="UiLanguage.IsEnglishHere"/>) Wed 30 Apr 2025 18:00.
/// </summary>
public static class Dates
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static string Beijing(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Shanghai);
        return UiLanguage.IsEnglishHere ? LiquidFilters.EnglishDateTime(local) : LiquidFilters.ChineseDateTime(local);
    }

    /// <summary>A day as 2025年5月3日 周六.</summary>
    public static string BeijingDay(DateOnly day) => LiquidFilters.ChineseDate(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    /// <summary>A day as Sat 3 May 2025.</summary>
    public static string EnglishDay(DateOnly day) => day.ToString("ddd d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
