using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Manyi.Scheduling.Email;

/// <summary>
/// Keeps the set of outbox keys that have a live send job (enqueued, processing, or waiting for a retry), written in the
/// same storage transaction as each state change. Reconciliation re-enqueues pending messages that are not in it, so that
/// a message waiting for its retry does not get a second job. A job that ended (succeeded, deleted, or failed for good)
/// leaves the set.
/// </summary>
public sealed class TrackedOutboxJobAttribute : JobFilterAttribute, IApplyStateFilter
{
    public const string Set = "manyi:outbox-jobs";

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.BackgroundJob.Job?.Args.FirstOrDefault() is not string key) return;
        if (context.NewState.IsFinal || context.NewState.Name == FailedState.StateName)
            transaction.RemoveFromSet(Set, key);
        else
            transaction.AddToSet(Set, key);
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
