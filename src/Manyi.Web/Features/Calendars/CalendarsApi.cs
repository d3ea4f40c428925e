using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Calendars;

/// <summary>
/// The business calendar deadlines count working days on: anyone signed in reads it; administrators add or replace
/// a year (public holidays and weekend working days, in the <c>calendars/cn-&lt;year&gt;.json</c> format), which every
/// date computed afterwards uses, without a restart.
/// </summary>
/// <remarks>
/// A saved year is written under the data directory (<c>Manyi:Calendar:SavedDirectory</c>; the shipped
/// <c>Manyi:CalendarDirectory</c> is a read-only base) and put in force on the node that saved it. With several nodes,
/// that folder must be shared (one volume mounted by all): the others pick the year up
/// when they next re-read the folder (<c>Manyi:Calendar:ReloadInterval</c>, 5 minutes by default), or at start-up.
/// </remarks>
public static class CalendarsApi
{
    /// <summary>A year file is about a kilobyte; anything far larger is not one.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapCalendarsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/calendars").WithTags("Calendars");
        group.MapGet("/", Get);
        group.MapGet("/{year:int}", GetYear).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{year:int}", SaveYear).Accepts<JsonObject>("application/json").RequireAuthorization(ManyiPolicies.Administrator);
        return group;
    }

    /// <summary>The calendar's time zone, working hours and the years with holiday data (other years count Monday to Friday).</summary>
    public static Ok<CalendarSummary> Get(BusinessCalendar calendar) =>
        TypedResults.Ok(new CalendarSummary(calendar.TimeZone.Id, calendar.WorkdayStart, calendar.WorkdayEnd, [.. calendar.Years]));

    /// <summary>A year's days off and weekend working days, in the file format.</summary>
    public static Results<Ok<JsonObject>, ProblemHttpResult> GetYear(int year, BusinessCalendar calendar) =>
        calendar.FindYear(year) is { } found
            ? TypedResults.Ok(found.ToJson())
            : Problems.NotFound($"{year} 年没有节假日数据，周一至周五按工作日计算。No holiday data for {year}: Monday to Friday count as working days.");

    /// <summary>
    /// Adds or replaces a year: the body is the year's file (<c>{"year", "source", "daysOff", "workingWeekends"}</c>),
    /// its year the one in the address. It is checked as a file is at start-up (400 naming each entry that is wrong),
    /// written to <c>cn-&lt;year&gt;.json</c>, put in force and recorded in the audit trail.
    /// </summary>
    public static async Task<Results<Ok<JsonObject>, ValidationProblem>> SaveYear(
        int year, HttpRequest request, CalendarFolder folder, BusinessCalendar calendar, AuditTrail audit, ManyiDbContext db,
        CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(request, cancellationToken) is not { } body)
            return Invalid("$", $"请求正文超过 {MaxBodyBytes / 1024} KB，不像年份文件。The request body is over {MaxBodyBytes / 1024} KB; a year file is far smaller.");
        HolidayYear saved;
        try
        {
            saved = HolidayYear.Parse(body, "request body");
        }
        catch (HolidayYearFormatException ex)
        {
            return TypedResults.ValidationProblem(ex.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                detail: "请求正文不是有效的年份文件。The request body is not a valid year file.");
        }
        if (saved.Year != year)
            return Invalid("year", $"正文中的年份 {saved.Year} 与地址中的 {year} 不一致。The body is for {saved.Year}, the address for {year}.");

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
        return TypedResults.Ok(saved.ToJson());
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The body as text, or null when it is larger than a year file can be.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        for (int read; length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0;)
            length += read;
        if (length > MaxBodyBytes) return null;
        var preamble = Encoding.UTF8.Preamble;
        var start = buffer.AsSpan(0, length).StartsWith(preamble) ? preamble.Length : 0;
        return Encoding.UTF8.GetString(buffer, start, length - start);
    }
}

/// <summary>The calendar's time zone (e.g. Asia/Shanghai), working hours and the years that have holiday data.</summary>
public sealed record CalendarSummary(string TimeZone, TimeOnly WorkdayStart, TimeOnly WorkdayEnd, IReadOnlyList<int> Years);
