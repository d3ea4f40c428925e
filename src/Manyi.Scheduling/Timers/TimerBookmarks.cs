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
/// are the truth; this reads them, claims the due ones for the node that fires them, and records which job serves each.
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
    /// Claims up to <paramref name="max"/> timers due at <paramref name="now"/> that nobody holds (never claimed, or their
    /// claim expired: the node that claimed them died before they fired), earliest first, until <paramref name="until"/>.
    /// Returns them with the job id they had (a job of an expired claim, to be replaced); the claim clears it. PostgreSQL
    /// locks the rows it takes and skips rows another node is taking (<c>FOR UPDATE SKIP LOCKED</c>), so that two nodes
    /// never claim one timer; SQLite has one writer, and its immediate transaction keeps the read and the claim together.
    /// </summary>
    public async Task<IReadOnlyList<TimerBookmark>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset until, int max, CancellationToken cancellationToken)
    {
        const string Due = "\"ResumeAt\" <= @now AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" <= @now)";
        var claimed = new List<TimerBookmark>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (_dialect.IsPostgres)
        {
            await using var command = Command(connection,
                $"WITH due AS (SELECT \"Id\", \"JobId\" FROM bookmarks WHERE {Due} ORDER BY \"ResumeAt\" LIMIT {max} FOR UPDATE SKIP LOCKED) " +
                "UPDATE bookmarks AS b SET \"ClaimedUntil\" = @until, \"JobId\" = NULL FROM due WHERE b.\"Id\" = due.\"Id\" " +
                "RETURNING b.\"Id\", b.\"InstanceId\", b.\"Name\", b.\"Key\", b.\"ResumeAt\", due.\"JobId\"",
                ("now", _dialect.Instant(now)), ("until", _dialect.Instant(until)));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) claimed.Add(Read(reader));
            return [.. claimed.OrderBy(t => t.ResumeAt)];
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var select = Command(connection,
            $"SELECT \"Id\", \"InstanceId\", \"Name\", \"Key\", \"ResumeAt\", \"JobId\" FROM bookmarks WHERE {Due} ORDER BY \"ResumeAt\" LIMIT {max}",
            ("now", _dialect.Instant(now))))
        {
            select.Transaction = transaction;
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) claimed.Add(Read(reader));
        }
        await using (var claim = Command(connection, "UPDATE bookmarks SET \"ClaimedUntil\" = @until, \"JobId\" = NULL WHERE \"Id\" = @id",
            ("until", _dialect.Instant(until)), ("id", "")))
        {
            claim.Transaction = transaction;
            foreach (var timer in claimed)
            {
                claim.Parameters["id"].Value = timer.Id;
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }

    /// <summary>Gives a claimed timer back, to be claimed again when due (its job ran before it was due).</summary>
    public async Task ReleaseAsync(string bookmarkId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE bookmarks SET \"ClaimedUntil\" = NULL WHERE \"Id\" = @id", ("id", bookmarkId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Gives back the claims whose job belongs to another epoch: that storage went (an in-memory one with its process, a
    /// wiped schema), and the jobs with it, so the timers are claimed again now instead of when the claims expire. A claim
    /// still being served has no job id yet or one of this epoch. Returns how many went back.
    /// </summary>
    public async Task<int> ReleaseClaimsOfOtherEpochsAsync(string epoch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "UPDATE bookmarks SET \"ClaimedUntil\" = NULL WHERE \"ClaimedUntil\" IS NOT NULL AND \"JobId\" IS NOT NULL AND \"JobId\" NOT LIKE @pattern",
            ("pattern", TimerJobId.Pattern(epoch)));
        return await command.ExecuteNonQueryAsync(cancellationToken);
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
