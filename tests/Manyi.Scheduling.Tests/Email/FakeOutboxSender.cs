using System.Collections.Concurrent;
using Manyi.Engine.Runtime;

namespace Manyi.Scheduling.Tests.Email;

/// <summary>Stands in for the e-mail module: counts attempts, fails the keys it is told to, reports what is pending.</summary>
public sealed class FakeOutboxSender : IOutboxSender
{
    public ConcurrentDictionary<string, int> Attempts { get; } = new();
    public ConcurrentDictionary<string, int> Sent { get; } = new();
    public ConcurrentDictionary<string, bool> Pending { get; } = new();
    public ConcurrentDictionary<string, bool> MarkedFailed { get; } = new();
    public Func<string, bool> Fails { get; set; } = _ => false;

    public Task SendAsync(string key, CancellationToken cancellationToken)
    {
        Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (Fails(key)) throw new IOException($"421 4.3.2 Service not available, closing transmission channel ({key})");
        Sent.AddOrUpdate(key, 1, (_, n) => n + 1);
        Pending.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(string key, CancellationToken cancellationToken)
    {
        MarkedFailed[key] = true;
        Pending.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> PendingKeysAsync(int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Pending.Keys.Order().Take(max).ToList());
}
