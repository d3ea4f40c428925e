using Hangfire;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// The Hangfire job of one timer bookmark, enqueued by the <see cref="TimerDispatcher"/> that claimed it; it carries only
/// the ids. The bookmark row decides: gone → nothing to do; not yet due (this node's clock behind the dispatcher's, a job
/// of an older version scheduled early) → the claim is given back, for the dispatcher to take again when due; due → the
/// timer's stimulus goes to the runtime, which resumes the instance once: a second run of the same job, or a duplicate
/// job, finds the bookmark gone (the instance's revision check settles a race between two nodes).
/// </summary>
/// <remarks>
/// Hangfire stores this job as its type, method and arguments: renaming either strands the jobs already stored (a test
/// pins the shape). Resolved in a DI scope of its own per run.
/// </remarks>
public sealed class TimerJob(
    TimerBookmarks bookmarks,
    WorkflowRuntime runtime,
    TimeProvider time,
    ILogger<TimerJob> logger)
{
    private static readonly AsyncLocal<string?> Firing = new();

    /// <summary>The bookmark whose stimulus this flow is delivering; its own job must not be deleted when the bookmark goes.</summary>
    internal static string? FiringBookmarkId => Firing.Value;

    [JobDisplayName("Timer {0} of instance {1}")]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [10, 60, 300, 900, 3600])]
    public async Task RunAsync(string bookmarkId, string instanceId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(LogScope.Of("WorkflowInstanceId", instanceId, "BookmarkId", bookmarkId));
        var timer = await bookmarks.FindAsync(bookmarkId, instanceId, cancellationToken);
        if (timer is null)
        {
            logger.LogDebug("Timer {BookmarkId} of instance {InstanceId} is gone; nothing to do.", bookmarkId, instanceId);
            return;
        }

        var now = time.GetUtcNow();
        if (timer.ResumeAt > now)
        {
            await bookmarks.ReleaseAsync(bookmarkId, CancellationToken.None);
            logger.LogInformation("Timer {BookmarkId} of instance {InstanceId} ran {Early} early; given back to fire at {ResumeAt:O}.",
                bookmarkId, instanceId, timer.ResumeAt - now, timer.ResumeAt);
            return;
        }

        Firing.Value = bookmarkId;
        var result = await runtime.SendStimulusAsync(
            new Stimulus(timer.Name, timer.Key) { BookmarkId = bookmarkId, WorkflowInstanceId = instanceId }, cancellationToken);
        TimerTelemetry.Ran(timer.Name, now - timer.ResumeAt, result.Resumed.Count > 0);
        logger.LogDebug("Timer {BookmarkId} of instance {InstanceId}, due {ResumeAt:O}, fired {Lateness} late; {Resumed} resumed.",
            bookmarkId, instanceId, timer.ResumeAt, now - timer.ResumeAt, result.Resumed.Count);
    }
}
