using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;

namespace Manyi.Email.Outbox;

/// <summary>
/// Sending e-mail from a request (a reminder sent now, an account e-mail): the messages are written to the outbox in
/// the caller's unit of work, so they commit with whatever else it changes (its audit line), and are handed to
/// delivery only after the commit. A workflow's e-mails take the same rows through its burst (<see cref="OutboxRows"/>).
/// </summary>
public sealed class EmailOutbox(ManyiDbContext db, IEmailDispatcher dispatcher, TimeProvider time)
{
    /// <summary>Adds the messages to the unit of work; the caller's <c>SaveChangesAsync</c> commits them, then <see cref="DispatchAsync"/>.</summary>
    public void Queue(IEnumerable<OutgoingEmail> emails)
    {
        var now = time.GetUtcNow();
        foreach (var email in emails) db.OutboxMessages.Add(OutboxRows.From(email, null, now));
    }

    /// <summary>After the commit: delivery (or, if the process stops first, the outbox's own retry) takes the messages.</summary>
    public Task DispatchAsync(IReadOnlyList<OutgoingEmail> committed, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(committed, cancellationToken);

    /// <summary>Queues, commits and dispatches messages that commit with nothing else.</summary>
    public async Task SendAsync(IReadOnlyList<OutgoingEmail> emails, CancellationToken cancellationToken)
    {
        Queue(emails);
        await db.SaveChangesAsync(cancellationToken);
        await DispatchAsync(emails, cancellationToken);
    }
}
