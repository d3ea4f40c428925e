using System.Text.Json.Nodes;
using Manyi.Campaign.Activities;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;

namespace Manyi.Campaign.Training;

/// <summary>
/// What the secretariat does with the seats: withdraws a sign-up (the organization cancelled it), so that the first on
/// the wait-list moves up, and offers another session to the wait-listed. The ledger changes in one transaction; then
/// each organization concerned is told through its own workflow (<see cref="AwaitSeat"/>), which sends the e-mail its
/// definition says.
/// </summary>
public sealed class TrainingSeats(SeatLedger ledger, WorkflowRuntime runtime, TimeProvider time)
{
    /// <summary>Withdraws the organization's sign-up; null when it has none that stands.</summary>
    /// <exception cref="InvalidOperationException">The session has already begun (the message says so in Chinese and English).</exception>
    public async Task<SeatChange?> WithdrawAsync(int year, string organizationId, JsonNode? campaign, CancellationToken cancellationToken)
    {
        var sessions = TrainingSession.AllIn(campaign);
        var now = time.GetUtcNow();
        var change = await ledger.WithdrawAsync(year, organizationId, sessions, now, cancellationToken);
        if (change is null) return null;
        await TellAsync(change.Withdrawn, SeatStatus.Withdrawn, cancellationToken);
        foreach (var moved in change.MovedUp) await TellAsync(moved, SeatStatus.Confirmed, cancellationToken);
        return change;
    }

    /// <summary>Offers session <paramref name="toId"/> to the wait-list of <paramref name="fromId"/>; returns those confirmed there.</summary>
    public async Task<IReadOnlyList<SeatMove>> OfferAsync(int year, string fromId, string toId, JsonNode? campaign, CancellationToken cancellationToken)
    {
        var sessions = TrainingSession.AllIn(campaign);
        var from = sessions.FirstOrDefault(s => s.Id == fromId) ?? throw new ArgumentException($"No training session '{fromId}'.", nameof(fromId));
        var to = sessions.FirstOrDefault(s => s.Id == toId) ?? throw new ArgumentException($"No training session '{toId}'.", nameof(toId));
        var moved = await ledger.OfferAsync(year, from, to, time.GetUtcNow(), cancellationToken);
        foreach (var move in moved) await TellAsync(move, SeatStatus.Confirmed, cancellationToken);
        return moved;
    }

    /// <summary>
    /// Resumes the organization's <see cref="AwaitSeat"/>. A stimulus that finds nothing waiting yet (the sign-up's burst
    /// has not committed) is queued for a while, as every stimulus is.
    /// </summary>
    private Task TellAsync(SeatMove move, SeatStatus status, CancellationToken cancellationToken) =>
        runtime.SendStimulusAsync(new Stimulus(AwaitSeat.BookmarkName, move.OrganizationId)
        {
            WorkflowInstanceId = move.InstanceId,
            Input = { ["status"] = status.ToString(), ["session"] = move.SessionId },
        }, cancellationToken);
}
