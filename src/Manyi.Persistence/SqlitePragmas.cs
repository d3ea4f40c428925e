using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Manyi.Persistence;

/// <summary>
/// Settings every SQLite connection gets: write-ahead logging (readers never block the writer); synchronous=NORMAL
/// (a commit survives an application crash; a power cut may lose the last commits, never corrupt the file — production
/// runs on PostgreSQL); a busy timeout so concurrent writers wait instead of failing; and checkpoints every 10,000
/// WAL pages (about 40 MB) rather than 1,000, since each checkpoint costs an fsync and bursts write several pages.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>
    /// The one instance to register: EF Core keys its internal service provider on the options, so a new interceptor
    /// per context would build a new provider (and model) for every context.
    /// </summary>
    public static readonly SqlitePragmas Instance = new();

    private SqlitePragmas() { }

    public const string Commands = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The SQLite connections (their native handles, which Microsoft.Data.Sqlite pools) already set: the settings last
    /// as long as the connection, so a pooled connection opened again needs none of the four statements.
    /// </summary>
    private static readonly ConditionalWeakTable<object, object> Set = new();

    internal static void Apply(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Set.TryGetValue(handle, out _)) return;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Commands;
            command.ExecuteNonQuery();
        }
        if (handle is not null) Set.AddOrUpdate(handle, Set);
    }
}
