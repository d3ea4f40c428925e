using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Storage;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// Gives each timer bookmark due within the job horizon a Hangfire job that carries only its ids and runs
/// <see cref="TimerJob"/> at the timer's <c>ResumeAt</c>; the job's id goes onto the bookmark row, and the job is deleted
/// by that id when the bookmark goes. A timer further out gets its job from the reconciliation pass that finds it inside
/// the horizon. The runtime calls this after each commit; <see cref="TimerJob"/> and <see cref="TimerReconciliation"/>
/// use it too.
/// </summary>
public sealed class HangfireTimerScheduler(
    IBackgroundJobClient jobs,
    SchedulerEpoch epoch,
    TimerBookmarks bookmarks,
    ManyiSchedulingOptions options,
    TimeProvider time,
    ILogger<HangfireTimerScheduler> logger) : ITimerScheduler
{
    private static readonly MethodInfo RunMethod = typeof(TimerJob).GetMethod(nameof(TimerJob.RunAsync))!;

    /// <summary>Above this many timers, jobs are created by several threads (a PostgreSQL storage waits on each).</summary>
    private const int ParallelAbove = 32;

    public Task ScheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken)
    {
        var horizon = options.HorizonFrom(time.GetUtcNow());
        return ScheduleAsync([.. timers.Where(t => t.ResumeAt < horizon)
            .Select(t => new TimerBookmark(t.Id, t.InstanceId, t.Name, t.Key, t.ResumeAt!.Value, t.JobId))], cancellationToken);
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

    /// <summary>
    /// Creates a job per timer (enqueued at once when due, else scheduled for <c>ResumeAt</c>) and stores the job ids
    /// on the bookmarks that still carry the job id given in <see cref="TimerBookmark.JobId"/>. A job whose bookmark
    /// went, or that another scheduler beat, is deleted again unless it is due (then it runs and does nothing).
    /// Returns how many bookmarks got their job.
    /// </summary>
    public async Task<int> ScheduleAsync(IReadOnlyList<TimerBookmark> timers, CancellationToken cancellationToken)
    {
        if (timers.Count == 0) return 0;
        var current = epoch.Value;
        var now = time.GetUtcNow();
        var created = new string[timers.Count];
        if (timers.Count > ParallelAbove)
            Parallel.For(0, timers.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2, CancellationToken = cancellationToken },
                i => created[i] = Create(timers[i], now));
        else
            for (var i = 0; i < timers.Count; i++) created[i] = Create(timers[i], now);

        // Once the jobs exist, their ids are stored even if the caller gave up meanwhile.
        var changes = timers.Select((t, i) => new JobIdChange(t.Id, t.JobId, new TimerJobId(current, created[i]).ToString())).ToList();
        var stored = await bookmarks.SetJobIdsAsync(changes, CancellationToken.None);
        for (var i = 0; i < timers.Count; i++)
        {
            if (stored.Contains(timers[i].Id)) continue;
            var due = timers[i].ResumeAt <= now;
            if (!due) jobs.Delete(created[i]);
            logger.LogDebug("Timer {BookmarkId} went or got a job from another scheduler meanwhile; job {JobId} {Fate}.",
                timers[i].Id, created[i], due ? "left to find nothing" : "deleted");
        }
        return stored.Count;
    }

    /// <summary>
    /// For a timer job that ran before its timer was due: a new job for <c>ResumeAt</c>, whose id replaces whatever the
    /// bookmark holds. Never deleted here: the running job is about to end, so its successor must live even where the
    /// bookmark still names an older job (which then only finds nothing to do).
    /// </summary>
    public async Task RescheduleAsync(TimerBookmark timer)
    {
        var id = Create(timer, time.GetUtcNow());
        if (!await bookmarks.ReplaceJobIdAsync(timer.Id, new TimerJobId(epoch.Value, id).ToString(), CancellationToken.None))
            logger.LogDebug("Timer {BookmarkId} went meanwhile; job {JobId} will find nothing to do.", timer.Id, id);
    }

    private string Create(TimerBookmark timer, DateTimeOffset now)
    {
        var job = new Job(typeof(TimerJob), RunMethod, timer.Id, timer.InstanceId, CancellationToken.None);
        IState state = timer.ResumeAt <= now ? new EnqueuedState() : new ScheduledState(WholeSecondAfter(timer.ResumeAt).UtcDateTime);
        return jobs.Create(job, state);
    }

    /// <summary>
    /// Hangfire scores scheduled jobs in whole seconds and enqueues one once its second has begun, up to a second before
    /// its instant. Scheduled for the next whole second, a timer's job never runs early (on one clock).
    /// </summary>
    public static DateTimeOffset WholeSecondAfter(DateTimeOffset instant)
    {
        var remainder = instant.UtcTicks % TimeSpan.TicksPerSecond;
        return remainder == 0 ? instant : instant.AddTicks(TimeSpan.TicksPerSecond - remainder);
    }
}
