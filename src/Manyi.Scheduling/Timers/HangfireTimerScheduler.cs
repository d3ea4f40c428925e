using Hangfire;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Storage;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// Timers for the engine: a timer is its bookmark row and nothing else until it is due, however far out; then the
/// <see cref="TimerDispatcher"/> claims it and enqueues a Hangfire job that carries only its ids and runs
/// <see cref="TimerJob"/>. After a commit the runtime tells this which timers appeared (a timer due before the
/// dispatcher's next look wakes it) and which went (a job already enqueued for one is deleted).
/// </summary>
public sealed class HangfireTimerScheduler(
    IBackgroundJobClient jobs,
    SchedulerEpoch epoch,
    TimerDispatcher dispatcher,
    ManyiSchedulingOptions options,
    TimeProvider time,
    ILogger<HangfireTimerScheduler> logger) : ITimerScheduler
{
    public Task ScheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken)
    {
        var soon = time.GetUtcNow() + options.TimerPollInterval;
        if (timers.Any(t => t.ResumeAt < soon)) dispatcher.Wake();
        return Task.CompletedTask;
    }

    public Task UnscheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken)
    {
        var current = epoch.Value;
        foreach (var timer in timers)
        {
            // A job of another epoch went with its storage; the firing timer's own job is running this very call.
            if (!TimerJobId.TryParse(timer.JobId, out var id) || id.Epoch != current || timer.Id == TimerJob.FiringBookmarkId)
                continue;
            jobs.Delete(id.HangfireJobId);
            logger.LogDebug("Timer {BookmarkId} of instance {InstanceId} went; job {JobId} deleted.", timer.Id, timer.InstanceId, id.HangfireJobId);
        }
        return Task.CompletedTask;
    }
}
