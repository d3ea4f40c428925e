namespace Manyi.Engine.Runtime;

/// <summary>Delivers e-mails that a burst committed to the outbox; an implementation sends them in the background, with retries.</summary>
public interface IEmailDispatcher
{
    Task DispatchAsync(IReadOnlyList<OutgoingEmail> committed, CancellationToken cancellationToken);
}

/// <summary>No delivery: e-mails stay in the outbox (engine tests, tools).</summary>
public sealed class NoEmailDispatcher : IEmailDispatcher
{
    public Task DispatchAsync(IReadOnlyList<OutgoingEmail> committed, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Sends what the outbox holds. Implemented by the e-mail module (MailKit); called by the scheduler's background
/// job, which retries with back-off when <see cref="SendAsync"/> throws.
/// </summary>
public interface IOutboxSender
{
    /// <summary>Sends one outbox message; does nothing when it was sent already; records a failed attempt and throws.</summary>
    Task SendAsync(string key, CancellationToken cancellationToken);

    /// <summary>Gives up on a message after its last attempt failed: it is marked Failed, its last server reply kept.</summary>
    Task MarkFailedAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys of messages still waiting to be sent, oldest first (for reconciliation after a restart).</summary>
    Task<IReadOnlyList<string>> PendingKeysAsync(int max, CancellationToken cancellationToken);
}
