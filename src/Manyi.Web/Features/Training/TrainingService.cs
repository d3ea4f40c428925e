using System.Text.Json.Nodes;
using Manyi.Campaign.Training;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Training;

/// <summary>
/// The year's training seats for the secretariat, for the dashboard's panel and the API alike: per session the seats
/// taken and left and the sign-ups in order of receipt; withdrawing an organization's sign-up (the first on the wait-list
/// moves up); offering another session to a session's wait-list. The sessions are the year's settings
/// (<c>training.sessions</c>) as the campaign started with them.
/// </summary>
public sealed class TrainingService(ManyiDbContext db, CampaignDashboard campaigns, SeatLedger ledger, TrainingSeats seats)
{
    public async Task<Outcome<TrainingSeatsView>> SeatsAsync(int year, CancellationToken cancellationToken) =>
        await SettingsAsync(year, cancellationToken) is { } settings ? await ViewAsync(year, settings, cancellationToken) : NoCampaign(year);

    /// <summary>Withdraws the organization's sign-up; its seats go to the wait-list in order, and each organization concerned is told.</summary>
    public async Task<Outcome<TrainingSeatsView>> WithdrawAsync(int year, string organizationId, CancellationToken cancellationToken)
    {
        if (await SettingsAsync(year, cancellationToken) is not { } settings) return NoCampaign(year);
        try
        {
            if (await seats.WithdrawAsync(year, organizationId, settings, cancellationToken) is null)
                return new Failure.NotFound("该参评单位没有可以退出的培训报名。The organization has no training sign-up to withdraw.");
        }
        catch (InvalidOperationException ex)
        {
            return new Failure.Conflict(ex.Message);
        }
        return await ViewAsync(year, settings, cancellationToken);
    }

    /// <summary>
    /// Offers session <paramref name="sessionId"/> to the wait-list of session <paramref name="from"/> (the first session when
    /// not given): those waiting join it in their order of receipt and take its seats while there are some.
    /// </summary>
    public async Task<Outcome<TrainingSeatsView>> OfferAsync(int year, string sessionId, string? from, CancellationToken cancellationToken)
    {
        if (await SettingsAsync(year, cancellationToken) is not { } settings) return NoCampaign(year);
        var sessions = TrainingSession.AllIn(settings);
        var fromId = string.IsNullOrWhiteSpace(from) ? sessions[0].Id : from.Trim();
        var errors = new Dictionary<string, string[]>();
        if (sessions.All(s => s.Id != sessionId)) errors["sessionId"] = ["没有这一期培训班。There is no such training session."];
        if (sessions.All(s => s.Id != fromId)) errors["from"] = ["没有这一期培训班。There is no such training session."];
        else if (fromId == sessionId) errors["from"] = ["请选择另一期培训班。Choose another session than the one offered."];
        if (errors.Count > 0) return new Failure.Invalid(errors);
        await seats.OfferAsync(year, fromId, sessionId, settings, cancellationToken);
        return await ViewAsync(year, settings, cancellationToken);
    }

    private async Task<TrainingSeatsView> ViewAsync(int year, JsonNode settings, CancellationToken cancellationToken)
    {
        var sessions = await ledger.SeatsAsync(year, TrainingSession.AllIn(settings), cancellationToken);
        var ids = sessions.SelectMany(s => s.SignUps).Select(s => s.OrganizationId).Distinct().ToList();
        var names = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        return new TrainingSeatsView(year, [.. sessions.Select(s => new SessionView(s.Session.Id, s.Session.Zh, s.Session.En, s.Session.Location,
            s.Session.Start, s.Session.End, s.Session.Capacity, s.Taken, s.Left, s.Waiting,
            [.. s.SignUps.Select(u => new SignUpView(u.OrganizationId, names.GetValueOrDefault(u.OrganizationId) ?? u.OrganizationId, u.Attendees,
                u.Status, u.Place, u.ReceivedAt))]))]);
    }

    /// <summary>The settings the year's campaign started with, or null when there is no such campaign.</summary>
    private async Task<JsonNode?> SettingsAsync(int year, CancellationToken cancellationToken) =>
        await campaigns.ParticipantsAsync(year, cancellationToken) is { } participants ? participants.Campaign.State.Input.GetValueOrDefault("campaign") : null;

    private static Failure.NotFound NoCampaign(int year) => new($"{year} 年度活动不存在。There is no {year} campaign.");
}

public sealed record TrainingSeatsView(int Year, IReadOnlyList<SessionView> Sessions);

/// <summary>A session's seats: its capacity, those taken and left, the attendees waiting, and the sign-ups in order of receipt.</summary>
public sealed record SessionView(string Id, string Zh, string En, string Location, DateTimeOffset Start, DateTimeOffset End, int Capacity, int Taken,
    int Left, int Waiting, IReadOnlyList<SignUpView> SignUps);

/// <summary>An organization's sign-up: attendees, status and, when wait-listed, its place (1 is next).</summary>
public sealed record SignUpView(string OrganizationId, string Name, int Attendees, SeatStatus Status, int Place, DateTimeOffset ReceivedAt);
