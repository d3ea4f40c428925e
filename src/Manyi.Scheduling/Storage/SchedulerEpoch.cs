using Hangfire;

namespace Manyi.Scheduling.Storage;

/// <summary>
/// Names the Hangfire storage that holds this process's jobs. A bookmark's job id is prefixed with it, so that
/// reconciliation can tell a job that may still exist (this epoch) from one lost with its storage (any other): an
/// in-memory storage gets a new epoch with every process; a PostgreSQL storage keeps its epoch as long as its schema
/// lives. The epoch is kept in the storage itself, so that a wiped Hangfire schema gets a new one too.
/// </summary>
public sealed class SchedulerEpoch(JobStorage storage)
{
    private const string Hash = "manyi:scheduler";
    private const string Field = "epoch";

    // PublicationOnly: a failure (the database not reachable yet) is not cached; the distributed lock keeps two
    // first readers from creating two epochs.
    private readonly Lazy<string> _value = new(() => ReadOrCreate(storage), LazyThreadSafetyMode.PublicationOnly);

    public string Value => _value.Value;

    private static string ReadOrCreate(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        using var _ = connection.AcquireDistributedLock(Hash, TimeSpan.FromSeconds(30));
        if (connection.GetAllEntriesFromHash(Hash) is { } entries && entries.TryGetValue(Field, out var epoch))
            return epoch;
        epoch = Guid.NewGuid().ToString("N");
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Hash, [new(Field, epoch)]);
        transaction.Commit();
        return epoch;
    }
}
