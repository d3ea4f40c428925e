using Manyi.Campaign.Training;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Campaign.Tests.CampaignHarness;

namespace Manyi.Campaign.Tests.Training;

public sealed class SeatLedgerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Noon = new(2025, 4, 28, 12, 0, 0, TimeSpan.FromHours(8));

    private static TrainingSession Session(string id, int capacity, DateTimeOffset? start = null) =>
        new(id, $"第{id}期培训班", $"session {id}", "济南", Noon.AddDays(14), Noon.AddDays(14).AddHours(6),
            start ?? Noon.AddDays(15), (start ?? Noon.AddDays(15)).AddDays(2), capacity);

    private static Task<SeatStanding> TakeAsync(CampaignHarness campaign, string organization, TrainingSession session, int attendees, DateTimeOffset at) =>
        campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().TakeAsync(2025, organization, "instance-" + organization, session, attendees, at, at, Ct));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Twenty_sign_ups_at_once_never_over_fill_a_session_of_ten(string provider)
    {
        await using var campaign = await StartAsync(provider);
        var session = Session("1", 10);

        // Each in its own scope and connection, all started together.
        var standings = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => TakeAsync(campaign, $"org-{i:D2}", session, 1, Noon), Ct)));

        Assert.Equal(10, standings.Count(s => s.Status == SeatStatus.Confirmed));
        var seats = Assert.Single(await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().SeatsAsync(2025, [session], Ct)));
        Assert.Equal((10, 0, 10), (seats.Taken, seats.Left, seats.Waiting));
        // All received at the same instant: the wait-list is in the order of the organizations' ids, places 1 to 10.
        var waiting = seats.SignUps.Where(u => u.Status == SeatStatus.WaitListed).ToList();
        Assert.Equal(Enumerable.Range(1, 10), waiting.Select(u => u.Place));
        Assert.Equal(waiting.Select(u => u.OrganizationId).Order(StringComparer.Ordinal), waiting.Select(u => u.OrganizationId));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Seats_go_in_order_of_receipt_nobody_passes_a_waiting_sign_up_and_a_freed_seat_goes_to_the_wait_list_in_order(string provider)
    {
        await using var campaign = await StartAsync(provider);
        var session = Session("1", 3);

        Assert.Equal(SeatStatus.Confirmed, (await TakeAsync(campaign, "b-first", session, 2, Noon)).Status);
        // Two seats for b-first leave one: a sign-up of two waits, and the one of one after it waits behind it.
        Assert.Equal(new SeatStanding(SeatStatus.WaitListed, "1", 1), await TakeAsync(campaign, "c-second", session, 2, Noon.AddMinutes(1)));
        Assert.Equal(new SeatStanding(SeatStatus.WaitListed, "1", 2), await TakeAsync(campaign, "d-third", session, 1, Noon.AddMinutes(2)));
        // Received at the same instant as d-third: the organization's id breaks the tie.
        Assert.Equal(new SeatStanding(SeatStatus.WaitListed, "1", 2), await TakeAsync(campaign, "a-tied", session, 1, Noon.AddMinutes(2)));
        // A burst run again asks again: the same answer, nothing taken twice.
        Assert.Equal(new SeatStanding(SeatStatus.WaitListed, "1", 1), await TakeAsync(campaign, "c-second", session, 2, Noon.AddMinutes(9)));

        var change = await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().WithdrawAsync(2025, "b-first", [session], Noon.AddDays(1), Ct));
        Assert.NotNull(change);
        Assert.Equal("b-first", change.Withdrawn.OrganizationId);
        Assert.Equal(["c-second", "a-tied"], change.MovedUp.Select(m => m.OrganizationId));
        Assert.Equal("instance-c-second", change.MovedUp[0].InstanceId);

        var seats = Assert.Single(await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().SeatsAsync(2025, [session], Ct)));
        Assert.Equal((3, 0, 1), (seats.Taken, seats.Left, seats.Waiting));
        Assert.Equal(["c-second Confirmed 0", "a-tied Confirmed 0", "d-third WaitListed 1"], seats.SignUps.Select(u => $"{u.OrganizationId} {u.Status} {u.Place}"));
        Assert.Null(await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().WithdrawAsync(2025, "b-first", [session], Noon.AddDays(1), Ct)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Another_session_offered_to_the_wait_list_seats_it_in_order_and_a_begun_session_keeps_its_seats(string provider)
    {
        await using var campaign = await StartAsync(provider);
        var first = Session("1", 1);
        var second = Session("2", 3, start: Noon.AddDays(50));
        await TakeAsync(campaign, "a", first, 1, Noon);
        await TakeAsync(campaign, "b", first, 2, Noon.AddMinutes(1));
        await TakeAsync(campaign, "c", first, 2, Noon.AddMinutes(2));

        var moved = await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().OfferAsync(2025, first, second, Noon.AddDays(1), Ct));
        Assert.Equal([("b", "2")], moved.Select(m => (m.OrganizationId, m.SessionId)));
        var seats = await campaign.InScopeAsync(s => s.GetRequiredService<SeatLedger>().SeatsAsync(2025, [first, second], Ct));
        Assert.Equal(["1: a Confirmed 0", "2: b Confirmed 0", "2: c WaitListed 1"],
            seats.SelectMany(x => x.SignUps.Select(u => $"{x.Session.Id}: {u.OrganizationId} {u.Status} {u.Place}")));

        // Once the first session has begun, its sign-ups can no longer be withdrawn.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => campaign.InScopeAsync(s =>
            s.GetRequiredService<SeatLedger>().WithdrawAsync(2025, "a", [first, second], first.Start, Ct)));
        Assert.StartsWith("培训已开始", refused.Message, StringComparison.Ordinal);
        Assert.Equal(SeatStatus.Confirmed, await campaign.InDbAsync(db => db.TrainingSeats.Where(s => s.OrganizationId == "a").Select(s => s.Status).SingleAsync(Ct)));
    }
}
