using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Manyi.Engine.Runtime;

namespace Manyi.Scheduling.Email;

/// <summary>
/// After a burst committed e-mails to the outbox, enqueues one Hangfire job per message key; the job
/// (<see cref="OutboxJob"/>) hands the key to the e-mail module's <see cref="IOutboxSender"/> and retries with back-off.
/// </summary>
public sealed class HangfireEmailDispatcher(IBackgroundJobClient jobs) : IEmailDispatcher
{
    private static readonly MethodInfo SendMethod = typeof(OutboxJob).GetMethod(nameof(OutboxJob.SendAsync))!;

    public Task DispatchAsync(IReadOnlyList<OutgoingEmail> committed, CancellationToken cancellationToken)
    {
        foreach (var key in committed.Select(e => e.Key).Distinct(StringComparer.Ordinal))
            Enqueue(key);
        return Task.CompletedTask;
    }

    /// <summary>Enqueues the sending of one outbox message; returns the Hangfire job id.</summary>
    public string Enqueue(string key) =>
        jobs.Create(new Job(typeof(OutboxJob), SendMethod, key, null!, CancellationToken.None), new EnqueuedState());
}
