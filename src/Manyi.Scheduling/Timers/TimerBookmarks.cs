using System.Data;
using System.Data.Common;
using Manyi.Persistence;

namespace Manyi.Scheduling.Timers;

/// <summary>A timer bookmark as the scheduler sees it: which bookmark, when it is due, and its job (if any).</summary>
public sealed record TimerBookmark(string Id, string InstanceId, string Name, string? Key, DateTimeOffset ResumeAt, string? JobId);

/// <summary>A bookmark's new job id, stored only while the bookmark still has <see cref="ExpectedJobId"/>.</summary>
public readonly record struct JobIdChange(string BookmarkId, string? ExpectedJobId, string JobId);

/// <summary>
/// The scheduler's SQL on the <c>bookmarks</c> table, on a plain connection like the engine's store. The bookmark rows
/// are the truth; this only reads them and records which job serves each.
/// </summary>
public sealed class TimerBookmarks(ManyiDatabase database)
{
    private const int UpdateChunk = 10_000;
    private readonly SqlDialect _dialect = database.Dialect;

    public async Task<TimerBookmark?> FindAsync(string bookmarkId, string instanceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT \"Id\", \"InstanceId\", \"Name\", \"Key\", \"ResumeAt\", \"JobId\" FROM bookmarks " +
            "WHERE \"Id\" = @id AND \"InstanceId\" = @instanceId AND \"ResumeAt\" IS NOT NULL",
            ("id", bookmarkId), ("instanceId", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Timers due before <paramref name="dueBefore"/> that need a job: those without one, those whose job belongs to
    /// another epoch (lost with an in-memory storage), and those of running or suspended instances still waiting
    /// since <paramref name="overdueBefore"/> (their job failed for good or was deleted). One range query over the
    /// timers' filtered index; no question to Hangfire.
    /// </summary>
    public async Task<IReadOnlyList<TimerBookmark>> FindWithoutJobAsync(string epoch, DateTimeOffset dueBefore, DateTimeOffset overdueBefore,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT b.\"Id\", b.\"InstanceId\", b.\"Name\", b.\"Key\", b.\"ResumeAt\", b.\"JobId\" FROM bookmarks b " +
            "WHERE b.\"ResumeAt\" < @dueBefore AND (b.\"JobId\" IS NULL OR b.\"JobId\" NOT LIKE @pattern " +
            "OR (b.\"ResumeAt\" < @overdueBefore AND EXISTS (SELECT 1 FROM workflow_instances i " +
            "WHERE i.\"Id\" = b.\"InstanceId\" AND i.\"Status\" IN ('Running', 'Suspended')))) " +
            "ORDER BY b.\"ResumeAt\"",
            ("pattern", TimerJobId.Pattern(epoch)), ("dueBefore", _dialect.Instant(dueBefore)), ("overdueBefore", _dialect.Instant(overdueBefore)));
        var timers = new List<TimerBookmark>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) timers.Add(Read(reader));
        return timers;
    }

    /// <summary>Stores a job id whatever the bookmark had (a job replacing itself); false when the bookmark is gone.</summary>
    public async Task<bool> ReplaceJobIdAsync(string bookmarkId, string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE bookmarks SET \"JobId\" = @job WHERE \"Id\" = @id", ("job", jobId), ("id", bookmarkId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Stores new job ids, each only where the bookmark still exists and still has the job id the caller saw (so that of
    /// two schedulers racing for one timer, one wins and the other can delete its job). Returns the bookmarks updated.
    /// PostgreSQL gets one statement per 10,000 rows; SQLite, in process, one prepared statement per row in one transaction.
    /// </summary>
    public async Task<HashSet<string>> SetJobIdsAsync(IReadOnlyList<JobIdChange> changes, CancellationToken cancellationToken)
    {
        var updated = new HashSet<string>(StringComparer.Ordinal);
        if (changes.Count == 0) return updated;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (_dialect.IsPostgres)
        {
            foreach (var chunk in changes.Chunk(UpdateChunk))
            {
                await using var command = Command(connection,
                    "UPDATE bookmarks AS b SET \"JobId\" = v.job FROM unnest(@ids, @expected, @jobs) AS v(id, expected, job) " +
                    "WHERE b.\"Id\" = v.id AND b.\"JobId\" IS NOT DISTINCT FROM v.expected RETURNING b.\"Id\"",
                    ("ids", chunk.Select(c => c.BookmarkId).ToArray()),
                    ("expected", chunk.Select(c => c.ExpectedJobId).ToArray()),
                    ("jobs", chunk.Select(c => c.JobId).ToArray()));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) updated.Add(reader.GetString(0));
            }
            return updated;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = Command(connection,
            "UPDATE bookmarks SET \"JobId\" = @job WHERE \"Id\" = @id AND \"JobId\" IS @expected",
            ("job", ""), ("id", ""), ("expected", "")))
        {
            command.Transaction = transaction;
            command.Prepare();
            foreach (var change in changes)
            {
                command.Parameters["job"].Value = change.JobId;
                command.Parameters["id"].Value = change.BookmarkId;
                command.Parameters["expected"].Value = (object?)change.ExpectedJobId ?? DBNull.Value;
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1) updated.Add(change.BookmarkId);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    private TimerBookmark Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        _dialect.ReadInstant(reader, 4), reader.IsDBNull(5) ? null : reader.GetString(5));

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            // A typed string, so that PostgreSQL can compare a null one too.
            if (value is null or string) parameter.DbType = DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
