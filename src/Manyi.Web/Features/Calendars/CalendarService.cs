using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure.Services;

namespace Manyi.Web.Features.Calendars;

/// <summary>
/// The business calendar deadlines count working days on: read it, read a year, add or replace a year (public
/// holidays and weekend working days, in the <c>calendars/cn-&lt;year&gt;.json</c> format). The rules of <see cref="CalendarsApi"/>.
/// </summary>
public sealed class CalendarService(BusinessCalendar calendar, CalendarFolder folder, AuditTrail audit, ManyiDbContext db)
{
    /// <summary>The calendar's time zone, working hours and the years with holiday data (other years count Monday to Friday).</summary>
    public CalendarSummary Summary() => new(calendar.TimeZone.Id, calendar.WorkdayStart, calendar.WorkdayEnd, [.. calendar.Years]);

    /// <summary>A year's days off and weekend working days, in the file format.</summary>
    public Outcome<JsonObject> Year(int year) =>
        calendar.FindYear(year) is { } found
            ? found.ToJson()
            : new Failure.NotFound($"{year} 年没有节假日数据，周一至周五按工作日计算。No holiday data for {year}: Monday to Friday count as working days.");

    /// <summary>
    /// Adds or replaces a year from its file's text, the year the one in <paramref name="year"/>. It is checked as a file
    /// is at start-up (each wrong entry named), written to <c>cn-&lt;year&gt;.json</c>, put in force and recorded in the audit trail.
    /// </summary>
    public async Task<Outcome<JsonObject>> SaveYearAsync(int year, string text, CancellationToken cancellationToken)
    {
        HolidayYear saved;
        try
        {
            saved = HolidayYear.Parse(text, "request body");
        }
        catch (HolidayYearFormatException ex)
        {
            return new Failure.Invalid(ex.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                "请求正文不是有效的年份文件。The request body is not a valid year file.");
        }
        if (saved.Year != year)
            return new Failure.Invalid("year", $"正文中的年份 {saved.Year} 与地址中的 {year} 不一致。The body is for {saved.Year}, the address for {year}.");

        var replaced = calendar.FindYear(year);
        await folder.SaveAsync(saved, cancellationToken);
        // The year is in force once saved; the audit line follows it (a file and a database commit cannot be one transaction).
        audit.Record(AuditActions.CalendarYearSaved, AuditSubjects.Calendar, year.ToString(CultureInfo.InvariantCulture), new
        {
            year,
            replaced = replaced is not null,
            unchanged = replaced == saved,
            daysOff = saved.DaysOff.Count,
            workingWeekends = saved.WorkingWeekends.Count,
            saved.Source,
        });
        await db.SaveChangesAsync(cancellationToken);
        return saved.ToJson();
    }
}
