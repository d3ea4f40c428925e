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
/// A chat robot's line waits <see cref="RobotDigestDelay"/> first, so that the lines of one send time make one digest.
/// </summary>
public sealed class HangfireEmailDispatcher(IBackgroundJobClient jobs, RobotDigestDelay? robotDelay = null) : IEmailDispatcher
{
    private static readonly MethodInfo SendMethod = typeof(OutboxJob).GetMethod(nameof(OutboxJob.SendAsync))!;

    public Task DispatchAsync(IReadOnlyList<OutgoingEmail> committed, CancellationToken cancellationToken)
    {
        foreach (var email in committed.DistinctBy(e => e.Key, StringComparer.Ordinal))
        {
            if (email.ChannelId is not null && robotDelay is { Value: var delay } && delay > TimeSpan.Zero)
                jobs.Create(new Job(typeof(OutboxJob), SendMethod, email.Key, null!, CancellationToken.None), new ScheduledState(delay));
            else
                Enqueue(email.Key);
        }
        return Task.CompletedTask;
    }

    /// <summary>Enqueues the sending of one outbox message; returns the Hangfire job id.</summary>
    public string Enqueue(string key) =>
        jobs.Create(new Job(typeof(OutboxJob), SendMethod, key, null!, CancellationToken.None), new EnqueuedState());
}
