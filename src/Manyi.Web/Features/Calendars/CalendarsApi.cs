using System.Text;
using System.Text.Json.Nodes;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
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
    public static Ok<CalendarSummary> Get(CalendarService calendars) => TypedResults.Ok(calendars.Summary());

    /// <summary>A year's days off and weekend working days, in the file format.</summary>
    public static Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult> GetYear(int year, CalendarService calendars) => calendars.Year(year).ToOk();

    /// <summary>
    /// Adds or replaces a year: the body is the year's file (<c>{"year", "source", "daysOff", "workingWeekends"}</c>),
    /// its year the one in the address. 400 naming each entry that is wrong.
    /// </summary>
    public static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> SaveYear(
        int year, HttpRequest request, CalendarService calendars, CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(request, cancellationToken) is not { } body)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["$"] = [$"请求正文超过 {MaxBodyBytes / 1024} KB，不像年份文件。The request body is over {MaxBodyBytes / 1024} KB; a year file is far smaller."],
            });
        return (await calendars.SaveYearAsync(year, body, cancellationToken)).ToOk();
    }

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
