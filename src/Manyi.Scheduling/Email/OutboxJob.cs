using Hangfire;
using Hangfire.Server;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Email;

/// <summary>
/// Sends one outbox message through the e-mail module. A failed attempt (the sender records it and throws) is retried by
/// Hangfire: 6 attempts in all, the retries after 1 min, 5 min, 15 min, 1 h and 3 h (about 4 h 21 min from the first
/// to the last). When the last one fails, the message is marked Failed and the job ends Failed.
/// </summary>
public sealed class OutboxJob(IOutboxSender sender, ILogger<OutboxJob> logger)
{
    /// <summary>Retries after the first attempt.</summary>
    public const int Retries = 5;

    [JobDisplayName("E-mail {0}")]
    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [60, 300, 900, 3600, 10800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [TrackedOutboxJob]
    public async Task SendAsync(string key, PerformContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(key, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (context?.GetJobParameter<int>("RetryCount") ?? 0) >= Retries)
        {
            await sender.MarkFailedAsync(key, CancellationToken.None);
            logger.LogError(ex, "E-mail {Key} failed {Attempts} times; marked Failed.", key, Retries + 1);
            throw;
        }
    }
}
