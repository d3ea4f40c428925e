using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Manyi.Scheduling.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// Fires due timers: every <see cref="ManyiSchedulingOptions.TimerPollInterval"/> (sooner when a commit made a timer due
/// now) it claims the due timer bookmarks in the database and enqueues a Hangfire job per timer, which runs, retries
/// and shows in the dashboard like any job. Scheduling a timer therefore costs its bookmark row and nothing more,
/// however many there are and however near or far they fall due. Each node runs one; the claims keep two nodes from
/// firing one timer, and the claim of a node that died before its timer fired expires and is taken again.
/// </summary>
public sealed class TimerDispatcher(
    TimerBookmarks bookmarks,
    IBackgroundJobClient jobs,
    SchedulerEpoch epoch,
    ManyiSchedulingOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<TimerDispatcher> logger) : BackgroundService
{
    private static readonly MethodInfo RunMethod = typeof(TimerJob).GetMethod(nameof(TimerJob.RunAsync))!;

    /// <summary>Above this many timers, jobs are created by several threads (a PostgreSQL storage waits on each).</summary>
    private const int ParallelAbove = 32;

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Makes the dispatcher look now instead of at its next poll (a commit made a timer due).</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Woken already.
        }
    }

    /// <summary>
    /// One look: claims the timers due now (at most <see cref="ManyiSchedulingOptions.TimerBatch"/>) and enqueues their
    /// jobs. Returns how many it claimed.
    /// </summary>
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = await bookmarks.ClaimDueAsync(now, now + options.TimerClaimDuration, options.TimerBatch, cancellationToken);
        await EnqueueAsync(claimed);
        if (claimed.Count > 0) logger.LogDebug("Timers: {Claimed} due timer(s) claimed and enqueued.", claimed.Count);
        return claimed.Count;
    }

    /// <summary>
    /// Enqueues a job for each claimed timer and stores the job ids on the bookmarks (without one, as the claim left
    /// them). Then a job of an expired claim (<see cref="TimerBookmark.JobId"/>, of this epoch) is deleted: it is stuck in
    /// its retries or ran on a node that died, and the new job replaces it. Deleting waits for the job's lock, which a dead
    /// node may hold until <see cref="ManyiSchedulingOptions.DistributedLockTimeout"/>, so it comes last and a failure is
    /// only logged: a job left behind finds its bookmark gone (the new job fired it) or fires it once (the instance's
    /// revision settles a race). A job whose bookmark went meanwhile finds nothing to do. Claimed is claimed: this goes on
    /// whatever the caller.
    /// </summary>
    private async Task EnqueueAsync(IReadOnlyList<TimerBookmark> claimed)
    {
        if (claimed.Count == 0) return;
        var current = epoch.Value;
        var created = new string[claimed.Count];
        if (claimed.Count > ParallelAbove)
            Parallel.For(0, claimed.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2 },
                i => created[i] = Create(claimed[i]));
        else
            for (var i = 0; i < claimed.Count; i++) created[i] = Create(claimed[i]);

        var stored = await bookmarks.SetJobIdsAsync(
            [.. claimed.Select((t, i) => new JobIdChange(t.Id, null, new TimerJobId(current, created[i]).ToString()))], CancellationToken.None);
        if (stored.Count < claimed.Count)
            logger.LogDebug("{Gone} of {Claimed} claimed timer(s) went before their job id was stored.", claimed.Count - stored.Count, claimed.Count);

        foreach (var timer in claimed)
        {
            if (!TimerJobId.TryParse(timer.JobId, out var previous) || previous.Epoch != current) continue;
            try
            {
                jobs.Delete(previous.HangfireJobId);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Timer {BookmarkId}: its replaced job {JobId} could not be deleted; the new job fires the timer.",
                    timer.Id, previous.HangfireJobId);
            }
        }
    }

    private string Create(TimerBookmark timer) =>
        jobs.Create(new Job(typeof(TimerJob), RunMethod, timer.Id, timer.InstanceId, CancellationToken.None), new EnqueuedState());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Like Hangfire's server: nothing before the host started, so that the schemas are migrated or found up to date.
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            var started = new TaskCompletionSource();
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await using (stoppingToken.Register(() => started.TrySetCanceled()))
                try
                {
                    await started.Task;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A full batch means more are due: look again at once.
                if (await DispatchAsync(stoppingToken) >= options.TimerBatch) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database or the storage away for a moment: the timers wait in their rows; the next look takes them.
                logger.LogWarning(ex, "Timers: the dispatcher could not claim or enqueue due timers; trying again.");
            }
            try
            {
                await _wake.WaitAsync(options.TimerPollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
