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
public sealed record ReconciliationReport(int TimerClaimsReleased, int EmailsPending, int EmailsEnqueued, TimeSpan Elapsed, bool Skipped = false,
    int ChildrenRepaired = 0);

/// <summary>
/// Makes the Hangfire storage agree with the database, which is the truth: timers claimed for a job of another epoch
/// (lost with its storage) are given back to the dispatcher at once instead of when their claims expire, every outbox
/// message still pending without a send job gets one, and dispatched child workflows that were never started start (or
/// their parent, never told that they ended, is told). Runs at start-up and as a recurring job. Timers need nothing
/// else: the dispatcher claims each one when it is due, from its row.
/// </summary>
public sealed class TimerReconciliation(
    TimerBookmarks bookmarks,
    HangfireEmailDispatcher emails,
    SchedulerEpoch epoch,
    JobStorage storage,
    IServiceProvider services,
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
        // One pass at a time across nodes (two would enqueue the same e-mails: harmless, but wasted). A pass
        // that finds another running leaves the work to it.
        IDisposable gate;
        try
        {
            gate = connection.AcquireDistributedLock("manyi:reconciliation", TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is DistributedLockTimeoutException or PostgreSqlDistributedLockException)
        {
            logger.LogInformation("Reconciliation skipped: another pass is running.");
            return new ReconciliationReport(0, 0, 0, stopwatch.Elapsed, Skipped: true);
        }
        using var _ = gate;

        var released = await bookmarks.ReleaseClaimsOfOtherEpochsAsync(epoch.Value, cancellationToken);

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

        var report = new ReconciliationReport(released, pending, enqueued, stopwatch.Elapsed, ChildrenRepaired: children);
        logger.Log(released + enqueued + children > 0 ? LogLevel.Information : LogLevel.Debug,
            "Reconciliation: {Released} timer claim(s) of a lost storage given back; {Pending} e-mail(s) pending, {Enqueued} enqueued; {Children} child workflow(s) repaired; {Elapsed} ms.",
            released, report.EmailsPending, report.EmailsEnqueued, children, (long)report.Elapsed.TotalMilliseconds);
        return report;
    }
}
