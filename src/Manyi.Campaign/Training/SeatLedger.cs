using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Campaign.Training;

/// <summary>
/// The training seats of a year (通企〔2025〕90号: 名额有限，按报名先后顺序统筹安排): a sign-up is confirmed while its session
/// has seats for all its attendees and nobody waits before it; otherwise it is wait-listed. Order is the order of
/// receipt (the sign-up task's completion), ties broken by the organization's id, and nobody passes a sign-up that
/// waits. A seat that frees goes to the wait-list in that order. Each change is one transaction under the year's lock,
/// so two sign-ups at once never over-fill a session. Callers tell the instances concerned after commit
/// (<see cref="TrainingSeats"/>).
/// </summary>
public sealed class SeatLedger(ManyiDbContext db)
{
    /// <summary>
    /// Takes seats for an organization's sign-up, or puts it on the wait-list. Idempotent: a sign-up already in the
    /// ledger (a burst run again) gets its standing back unchanged.
    /// </summary>
    public async Task<SeatStanding> TakeAsync(int year, string organizationId, string instanceId, TrainingSession session, int attendees,
        DateTimeOffset receivedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attendees, 1);
        // Instants are stored in UTC (PostgreSQL's timestamptz takes nothing else).
        (receivedAt, now) = (receivedAt.ToUniversalTime(), now.ToUniversalTime());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockTrainingSeatsAsync(year, cancellationToken);
        var seat = await db.TrainingSeats.FirstOrDefaultAsync(s => s.Year == year && s.OrganizationId == organizationId, cancellationToken);
        if (seat is null)
        {
            var rows = await SessionRowsAsync(year, session.Id, cancellationToken);
            var fits = !rows.Any(r => r.Status == SeatStatus.WaitListed) && Taken(rows) + attendees <= session.Capacity;
            seat = new TrainingSeatRecord
            {
                Year = year,
                OrganizationId = organizationId,
                SessionId = session.Id,
                Attendees = attendees,
                Status = fits ? SeatStatus.Confirmed : SeatStatus.WaitListed,
                ReceivedAt = receivedAt,
                InstanceId = instanceId,
                ChangedAt = now,
            };
            db.TrainingSeats.Add(seat);
            await db.SaveChangesAsync(cancellationToken);
        }
        var standing = await StandingAsync(seat, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return standing;
    }

    /// <summary>
    /// Withdraws an organization's sign-up and gives the seats it held to the wait-list of its session, in order. Returns
    /// the withdrawn sign-up and those that moved up; null when the organization has no sign-up that stands.
    /// </summary>
    /// <exception cref="InvalidOperationException">Its session has begun.</exception>
    public async Task<SeatChange?> WithdrawAsync(int year, string organizationId, IReadOnlyList<TrainingSession> sessions, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockTrainingSeatsAsync(year, cancellationToken);
        var seat = await db.TrainingSeats.FirstOrDefaultAsync(s => s.Year == year && s.OrganizationId == organizationId, cancellationToken);
        if (seat is null || seat.Status == SeatStatus.Withdrawn) return null;
        now = now.ToUniversalTime();
        var session = sessions.FirstOrDefault(s => s.Id == seat.SessionId);
        if (session is not null && now >= session.Start)
            throw new InvalidOperationException("培训已开始，报名不能再退出。The session has begun: the sign-up can no longer be withdrawn.");
        seat.Status = SeatStatus.Withdrawn;
        seat.ChangedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        var moved = session is null ? [] : await FillAsync(year, session, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SeatChange(new SeatMove(seat.OrganizationId, seat.InstanceId, seat.SessionId), moved);
    }

    /// <summary>
    /// Offers another session to everyone on the wait-list of <paramref name="from"/>: they join <paramref name="to"/>
    /// in their order of receipt, and take its seats while there are some. Returns those confirmed there.
    /// </summary>
    public async Task<IReadOnlyList<SeatMove>> OfferAsync(int year, TrainingSession from, TrainingSession to, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        now = now.ToUniversalTime();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockTrainingSeatsAsync(year, cancellationToken);
        var waiting = await db.TrainingSeats.Where(s => s.Year == year && s.SessionId == from.Id && s.Status == SeatStatus.WaitListed)
            .ToListAsync(cancellationToken);
        foreach (var seat in waiting)
        {
            seat.SessionId = to.Id;
            seat.ChangedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        var moved = await FillAsync(year, to, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return moved;
    }

    /// <summary>Each session's seats as they stand: capacity, taken, left, and who holds or waits for them, in order of receipt.</summary>
    public async Task<IReadOnlyList<SessionSeats>> SeatsAsync(int year, IReadOnlyList<TrainingSession> sessions, CancellationToken cancellationToken)
    {
        var rows = await db.TrainingSeats.AsNoTracking().Where(s => s.Year == year).ToListAsync(cancellationToken);
        return [.. sessions.Select(session =>
        {
            var own = InOrder(rows.Where(r => r.SessionId == session.Id)).ToList();
            var waiting = own.Where(r => r.Status == SeatStatus.WaitListed).ToList();
            var taken = Taken(own);
            return new SessionSeats(session, taken, Math.Max(0, session.Capacity - taken), waiting.Sum(r => r.Attendees),
                [.. own.Where(r => r.Status != SeatStatus.Withdrawn)
                    .Select(r => new SeatHolder(r.OrganizationId, r.Attendees, r.Status, r.Status == SeatStatus.WaitListed ? waiting.IndexOf(r) + 1 : 0, r.ReceivedAt))]);
        })];
    }

    /// <summary>
    /// Confirms the session's wait-list in order while the next sign-up fits whole; nobody passes one that does not. Once
    /// the session has begun nobody moves up: a seat then is of no use.
    /// </summary>
    private async Task<IReadOnlyList<SeatMove>> FillAsync(int year, TrainingSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now >= session.Start) return [];
        var rows = await db.TrainingSeats.Where(s => s.Year == year && s.SessionId == session.Id && s.Status != SeatStatus.Withdrawn)
            .ToListAsync(cancellationToken);
        var taken = Taken(rows);
        var moved = new List<SeatMove>();
        foreach (var seat in InOrder(rows.Where(r => r.Status == SeatStatus.WaitListed)))
        {
            if (taken + seat.Attendees > session.Capacity) break;
            seat.Status = SeatStatus.Confirmed;
            seat.ChangedAt = now;
            taken += seat.Attendees;
            moved.Add(new SeatMove(seat.OrganizationId, seat.InstanceId, seat.SessionId));
        }
        await db.SaveChangesAsync(cancellationToken);
        return moved;
    }

    private async Task<SeatStanding> StandingAsync(TrainingSeatRecord seat, CancellationToken cancellationToken)
    {
        if (seat.Status != SeatStatus.WaitListed) return new SeatStanding(seat.Status, seat.SessionId, 0);
        var waiting = InOrder(await db.TrainingSeats
            .Where(s => s.Year == seat.Year && s.SessionId == seat.SessionId && s.Status == SeatStatus.WaitListed)
            .ToListAsync(cancellationToken)).ToList();
        return new SeatStanding(seat.Status, seat.SessionId, waiting.FindIndex(s => s.OrganizationId == seat.OrganizationId) + 1);
    }

    private async Task<List<TrainingSeatRecord>> SessionRowsAsync(int year, string sessionId, CancellationToken cancellationToken) =>
        await db.TrainingSeats.Where(s => s.Year == year && s.SessionId == sessionId && s.Status != SeatStatus.Withdrawn).ToListAsync(cancellationToken);

    private static int Taken(IEnumerable<TrainingSeatRecord> rows) => rows.Where(r => r.Status == SeatStatus.Confirmed).Sum(r => r.Attendees);

    /// <summary>The order of receipt: the time the sign-up arrived, then the organization's id, so that a tie always breaks the same way.</summary>
    private static IOrderedEnumerable<TrainingSeatRecord> InOrder(IEnumerable<TrainingSeatRecord> rows) =>
        rows.OrderBy(r => r.ReceivedAt).ThenBy(r => r.OrganizationId, StringComparer.Ordinal);
}

/// <summary>Where a sign-up stands: confirmed, or wait-listed at <see cref="Place"/> (1 is next); withdrawn.</summary>
public sealed record SeatStanding(SeatStatus Status, string SessionId, int Place);

/// <summary>A sign-up whose standing changed, with the instance to tell.</summary>
public sealed record SeatMove(string OrganizationId, string InstanceId, string SessionId);

/// <summary>A withdrawal: the sign-up withdrawn and those that moved up into its seats.</summary>
public sealed record SeatChange(SeatMove Withdrawn, IReadOnlyList<SeatMove> MovedUp);

/// <summary>A session's seats: taken and left of its capacity, the attendees waiting, and the sign-ups in order of receipt.</summary>
public sealed record SessionSeats(TrainingSession Session, int Taken, int Left, int Waiting, IReadOnlyList<SeatHolder> SignUps);

/// <summary>One organization's sign-up in a session: its attendees, its status and, when wait-listed, its place.</summary>
public sealed record SeatHolder(string OrganizationId, int Attendees, SeatStatus Status, int Place, DateTimeOffset ReceivedAt);
