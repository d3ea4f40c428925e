using System.Security.Cryptography;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Timeline;

/// <summary>
/// A person's deadlines as a calendar subscription (iCalendar, in Asia/Shanghai time): <c>GET /calendar/{token}.ics</c>
/// without a sign-in, because calendar programs have none. The token is the user's id and security stamp, encrypted and
/// signed with ASP.NET Core Data Protection: it reveals nobody, cannot be guessed or forged, and a password change (a
/// new security stamp) revokes it. Any token that does not stand for a user's current stamp answers 404.
/// </summary>
public static class CalendarFeed
{
    public const string TimeZone = "Asia/Shanghai";
    private const string Purpose = "Manyi.Timeline.CalendarFeed.v1";

    public static IEndpointRouteBuilder MapCalendarFeed(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/calendar/{token}.ics", Get).AllowAnonymous().WithTags("Timeline").ExcludeFromDescription();
        return routes;
    }

    /// <summary>The user's feed address, relative to the site (<c>/calendar/….ics</c>).</summary>
    public static async Task<string> PathForAsync(IDataProtectionProvider protection, UserManager<ManyiUser> users, string userId)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}.");
        var stamp = await users.GetSecurityStampAsync(user);
        return $"/calendar/{protection.CreateProtector(Purpose).Protect($"{user.Id}\n{stamp}")}.ics";
    }

    public static async Task<Results<ContentHttpResult, NotFound>> Get(
        string token, HttpContext http, [AsParameters] CalendarFeedServices services, CancellationToken cancellationToken)
    {
        if (await UserOfAsync(token, services.Protection, services.Users) is not { } user) return TypedResults.NotFound();
        // Never the request's own host: a forged Host header must not put its address in the feed's links.
        var ics = await IcsAsync(services.Db, services.Timelines, user, services.Options.Value.LinkBase, services.Time.GetUtcNow(), cancellationToken);
        http.Response.Headers.CacheControl = "private, max-age=900";
        return TypedResults.Text(ics, "text/calendar; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>The user the token stands for, if its security stamp is still the user's.</summary>
    public static async Task<ManyiUser?> UserOfAsync(string token, IDataProtectionProvider protection, UserManager<ManyiUser> users)
    {
        string payload;
        try { payload = protection.CreateProtector(Purpose).Unprotect(token); }
        catch (CryptographicException) { return null; }
        catch (FormatException) { return null; }
        if (payload.Split('\n') is not [var id, var stamp] || await users.FindByIdAsync(id) is not { } user) return null;
        var current = await users.GetSecurityStampAsync(user);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stamp), Encoding.UTF8.GetBytes(current)) ? user : null;
    }

    /// <summary>
    /// One event per deadline: each open task of the user's organizations (and of the user's own), ending at its due
    /// instant; and each upcoming stage of their campaign timeline on its planned date. A stage keeps its UID from
    /// planned to open, so a calendar updates the event rather than adding another.
    /// </summary>
    public static async Task<string> IcsAsync(ManyiDbContext db, TimelineService timelines, ManyiUser user, string publicUrl, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var calendar = new Calendar { Method = "PUBLISH", ProductId = "-//Manyi//Manyi 满意//ZH" };
        calendar.AddProperty("X-WR-CALNAME", "满意 Manyi 截止日期 Deadlines");
        calendar.AddProperty("X-WR-TIMEZONE", TimeZone);
        calendar.AddTimeZone(TimeZone);
        var stamp = new CalDateTime(now.UtcDateTime, CalDateTime.UtcTzId);

        var organizations = await db.OrganizationMembers.AsNoTracking().Where(m => m.UserId == user.Id).Select(m => m.OrganizationId)
            .OrderBy(o => o).ToListAsync(cancellationToken);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var organization in organizations)
        {
            if (await timelines.BuildAsync(organization, now, cancellationToken) is not { Year: { } year } timeline) continue;
            foreach (var stage in timeline.Stages)
            {
                var uid = $"manyi-{year}-{organization}-{stage.Stage}@manyi";
                if (stage is { Status: TimelineStatus.Current, DueAt: { } due })
                {
                    if (stage.TaskId is not null) covered.Add(stage.TaskId);
                    calendar.Events.Add(Event(uid, $"截止 Due: {stage.Title} {stage.TitleEn} · {timeline.OrganizationName}", due,
                        stage.TaskId is null ? null : $"{publicUrl}/tasks/{stage.TaskId}", stamp, zone));
                }
                else if (stage is { Status: TimelineStatus.Upcoming, PlannedAt: { } planned } && planned > now)
                    calendar.Events.Add(Event(uid, $"计划 Planned: {stage.Title} {stage.TitleEn} · {timeline.OrganizationName}", planned,
                        $"{publicUrl}/organization/timeline?organization={Uri.EscapeDataString(organization)}", stamp, zone));
            }
        }

        // Open tasks outside the campaign's stages (other workflows), and tasks assigned to the user by name.
        var email = user.Email;
        var open = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == HumanTaskStatus.Open && t.DueAt != null
                && ((t.OrganizationId != null && organizations.Contains(t.OrganizationId)) || t.AssigneeUserId == user.Id || (email != null && t.AssigneeUserId == email)))
            .ToListAsync(cancellationToken);
        var names = await db.Organizations.AsNoTracking().Where(o => organizations.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        foreach (var task in open.Where(t => !covered.Contains(t.Id)).OrderBy(t => t.DueAt))
        {
            var of = task.OrganizationId is { } o ? $" · {names.GetValueOrDefault(o) ?? o}" : "";
            calendar.Events.Add(Event($"manyi-task-{task.Id}@manyi", $"截止 Due: {task.Title}{of}", task.DueAt!.Value, $"{publicUrl}/tasks/{task.Id}", stamp, zone));
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("Ical.Net wrote no calendar.");
    }

    /// <summary>A deadline as a half-hour event that ends at the instant, so that it sits on the last day one may act.</summary>
    private static CalendarEvent Event(string uid, string summary, DateTimeOffset at, string? url, CalDateTime stamp, TimeZoneInfo zone)
    {
        var @event = new CalendarEvent
        {
            Uid = uid,
            Summary = summary,
            DtStart = Local(at.AddMinutes(-30), zone),
            DtEnd = Local(at, zone),
            DtStamp = stamp,
            Description = $"截止时间 Due: {Dates.Beijing(at)}" + (url is null ? "" : $"\n{url}"),
            Transparency = "TRANSPARENT",
        };
        if (url is not null) @event.Url = new Uri(url);
        return @event;
    }

    private static CalDateTime Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        new(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified), TimeZone);
}

/// <summary>What the calendar feed's endpoint reads: the user from the token, their timelines and tasks, the site's address.</summary>
public sealed record CalendarFeedServices(
    ManyiDbContext Db, TimelineService Timelines, UserManager<ManyiUser> Users, IDataProtectionProvider Protection, TimeProvider Time,
    IOptions<ManyiOptions> Options);
