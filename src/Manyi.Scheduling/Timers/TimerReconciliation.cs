using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Email;
using Manyi.Scheduling.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>What one reconciliation pass found and did; <see cref="Skipped"/> when another pass was running.</summary>
public sealed record ReconciliationReport(int TimersWithoutJob, int TimersScheduled, int EmailsPending, int EmailsEnqueued, TimeSpan Elapsed, bool Skipped = false,
    int ChildrenRepaired = 0);

/// <summary>
/// Makes the Hangfire storage agree with the database, which is the truth: every timer bookmark due within the job
/// horizon without a job of this storage's epoch gets one (due ones run at once), every outbox message still pending
/// without a send job gets one, and dispatched child workflows that were never started start (or their parent, never
/// told that they ended, is told). Runs at start-up and as a recurring job. One range query finds the timers and their job
/// ids are stored in batches; Hangfire is asked nothing per job. A pass costs that query plus one job per timer that
/// needs one.
/// </summary>
public sealed class TimerReconciliation(
    TimerBookmarks bookmarks,
    HangfireTimerScheduler scheduler,
    HangfireEmailDispatcher emails,
    SchedulerEpoch epoch,
    JobStorage storage,
    IServiceProvider services,
    ManyiSchedulingOptions options,
    TimeProvider time,
    ILogger<TimerReconciliation> logger)
{
    public const string RecurringJobId = "manyi-reconciliation";

    /// <summary>The most pending e-mails one pass re-enqueues (oldest first); the next pass takes the rest.</summary>
    public const int MaxPendingEmails = 10_000;

    [JobDisplayName("Reconcile timers and outbox")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var connection = storage.GetConnection();
        // One pass at a time across nodes (two would create jobs for the same timers: harmless, but wasted). A pass
        // that finds another running leaves the work to it.
        IDisposable gate;
        try
        {
            gate = connection.AcquireDistributedLock("manyi:reconciliation", TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is DistributedLockTimeoutException or PostgreSqlDistributedLockException)
        {
            logger.LogInformation("Reconciliation skipped: another pass is running.");
            return new ReconciliationReport(0, 0, 0, 0, stopwatch.Elapsed, Skipped: true);
        }
        using var _ = gate;

        var now = time.GetUtcNow();
        var lost = await bookmarks.FindWithoutJobAsync(epoch.Value, options.HorizonFrom(now), now - options.OverdueAfter, cancellationToken);
        var scheduled = await scheduler.ScheduleAsync(lost, cancellationToken);

        var (pending, enqueued) = (0, 0);
        // The e-mail module is optional (tools, tests): without it there is no outbox to look at.
        if (services.GetService<IOutboxSender>() is { } sender)
        {
            var keys = await sender.PendingKeysAsync(MaxPendingEmails, cancellationToken);
            var tracked = connection.GetAllItemsFromSet(TrackedOutboxJobAttribute.Set);
            pending = keys.Count;
            foreach (var key in keys.Where(k => !tracked.Contains(k)))
            {
                emails.Enqueue(key);
                enqueued++;
            }
        }

        int children;
        await using (var scope = services.CreateAsyncScope())
            children = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(cancellationToken);

        var report = new ReconciliationReport(lost.Count, scheduled, pending, enqueued, stopwatch.Elapsed, ChildrenRepaired: children);
        logger.Log(lost.Count + enqueued + children > 0 ? LogLevel.Information : LogLevel.Debug,
            "Reconciliation: {Lost} timer(s) without a job, {Scheduled} scheduled; {Pending} e-mail(s) pending, {Enqueued} enqueued; {Children} child workflow(s) repaired; {Elapsed} ms.",
            report.TimersWithoutJob, report.TimersScheduled, report.EmailsPending, report.EmailsEnqueued, children, (long)report.Elapsed.TotalMilliseconds);
        return report;
    }
}
