using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Manyi.Bench;

/// <summary>Outcome of one raw commit-rate run.</summary>
/// <param name="Database">Short name of the database, e.g. "sqlite-file".</param>
/// <param name="Settings">Durability settings read back from the open connection.</param>
/// <param name="Transactions">Number of timed transactions.</param>
/// <param name="Elapsed">Wall time of the timed transactions.</param>
public sealed record RawCommitResult(string Database, string Settings, int Transactions, TimeSpan Elapsed)
{
    public double CommitsPerSecond => Transactions / Elapsed.TotalSeconds;
}

/// <summary>
/// Measures how many small write transactions a database commits per second from one connection
/// in this process: the ceiling any persistent workflow engine on that database works under.
/// Every transaction is one <c>UPDATE</c> of a single-row counter table plus one <c>INSERT</c> of a
/// row with an integer key and a ~200-byte text payload, then <c>COMMIT</c>.
/// </summary>
public abstract class RawCommitRate
{
    public const int PayloadLength = 200;

    /// <summary>Untimed transactions run first so JIT, statement preparation and caches are warm.</summary>
    private const int WarmUpTransactions = 50;

    public abstract string Database { get; }

    protected abstract string CounterTable { get; }

    protected abstract string ItemsTable { get; }

    /// <summary>Opens a connection to a fresh store in which the two bench tables exist and are empty.</summary>
    protected abstract Task<DbConnection> OpenFreshAsync(CancellationToken cancellationToken);

    /// <summary>Reads back the settings that decide what a commit costs (journal mode, fsync policy...).</summary>
    protected abstract Task<string> DescribeSettingsAsync(DbConnection connection, CancellationToken cancellationToken);

    public async Task<RawCommitResult> MeasureAsync(int transactions, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transactions);

        await using var connection = await OpenFreshAsync(cancellationToken);
        var settings = await DescribeSettingsAsync(connection, cancellationToken);

        await using var update = connection.CreateCommand();
        update.CommandText = $"UPDATE {CounterTable} SET value = value + 1 WHERE id = 1";

        await using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {ItemsTable} (id, payload) VALUES (@id, @payload)";
        var id = AddParameter(insert, "@id", DbType.Int64, 0L);
        AddParameter(insert, "@payload", DbType.String, CreatePayload());

        await update.PrepareAsync(cancellationToken);
        await insert.PrepareAsync(cancellationToken);

        long nextId = 1;
        for (var i = 0; i < WarmUpTransactions; i++)
        {
            id.Value = nextId++;
            await CommitOneAsync(connection, update, insert, cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < transactions; i++)
        {
            id.Value = nextId++;
            await CommitOneAsync(connection, update, insert, cancellationToken);
        }
        stopwatch.Stop();

        await VerifyAsync(connection, WarmUpTransactions + transactions, cancellationToken);
        return new RawCommitResult(Database, settings, transactions, stopwatch.Elapsed);
    }

    private static async Task CommitOneAsync(
        DbConnection connection, DbCommand update, DbCommand insert, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        update.Transaction = transaction;
        insert.Transaction = transaction;
        await update.ExecuteNonQueryAsync(cancellationToken);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task VerifyAsync(DbConnection connection, long expected, CancellationToken cancellationToken)
    {
        var counter = Convert.ToInt64(
            await ScalarAsync(connection, $"SELECT value FROM {CounterTable} WHERE id = 1", cancellationToken));
        var rows = Convert.ToInt64(
            await ScalarAsync(connection, $"SELECT COUNT(*) FROM {ItemsTable}", cancellationToken));
        if (counter != expected || rows != expected)
        {
            throw new InvalidOperationException(
                $"{Database}: expected {expected} committed transactions, found counter={counter}, rows={rows}.");
        }
    }

    private static DbParameter AddParameter(DbCommand command, string name, DbType type, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>A fixed pseudo-random printable payload, so every row carries the same 200 bytes.</summary>
    private static string CreatePayload()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}\":,";
        var random = new Random(20240611);
        return string.Create(PayloadLength, random, static (span, rnd) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[rnd.Next(alphabet.Length)];
            }
        });
    }

    protected static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>SQLite in a fresh file, opened with exactly the product's pragmas (<see cref="Manyi.Persistence.SqlitePragmas"/>).</summary>
public sealed class SqliteRawCommitRate(string databaseFile) : RawCommitRate
{
    public override string Database => "sqlite-file";

    protected override string CounterTable => "bench_raw_counter";

    protected override string ItemsTable => "bench_raw_items";

    protected override async Task<DbConnection> OpenFreshAsync(CancellationToken cancellationToken)
    {
        DeleteDatabaseFiles(databaseFile);

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databaseFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: the file handle is released when the bench is done with it.
            Pooling = false,
        }.ToString();

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, Manyi.Persistence.SqlitePragmas.Commands, cancellationToken);
            await ExecuteAsync(connection, $"""
                CREATE TABLE {CounterTable} (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO {CounterTable} (id, value) VALUES (1, 0);
                CREATE TABLE {ItemsTable} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
                """, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override async Task<string> DescribeSettingsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var journalMode = await ScalarAsync(connection, "PRAGMA journal_mode;", cancellationToken);
        var synchronous = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA synchronous;", cancellationToken));
        var synchronousName = synchronous switch
        {
            0 => "OFF",
            1 => "NORMAL",
            2 => "FULL",
            3 => "EXTRA",
            _ => synchronous.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return $"journal_mode={journalMode}, synchronous={synchronousName}";
    }

    private static void DeleteDatabaseFiles(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }
    }
}

/// <summary>PostgreSQL through Npgsql; drops and recreates the <c>public.bench_raw_*</c> tables.</summary>
public sealed class PostgresRawCommitRate(string connectionString) : RawCommitRate
{
    public override string Database => "postgresql";

    protected override string CounterTable => "public.bench_raw_counter";

    protected override string ItemsTable => "public.bench_raw_items";

    protected override async Task<DbConnection> OpenFreshAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, $"""
                DROP TABLE IF EXISTS {ItemsTable};
                DROP TABLE IF EXISTS {CounterTable};
                CREATE TABLE {CounterTable} (id integer PRIMARY KEY, value bigint NOT NULL);
                INSERT INTO {CounterTable} (id, value) VALUES (1, 0);
                CREATE TABLE {ItemsTable} (id bigint PRIMARY KEY, payload text NOT NULL);
                """, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override async Task<string> DescribeSettingsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var synchronousCommit = await ScalarAsync(connection, "SHOW synchronous_commit", cancellationToken);
        var fsync = await ScalarAsync(connection, "SHOW fsync", cancellationToken);
        return $"synchronous_commit={synchronousCommit}, fsync={fsync}";
    }
}
