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
