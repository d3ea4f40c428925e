using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Manyi.Persistence;

/// <summary>
/// Settings every SQLite connection gets: write-ahead logging (readers never block the writer), synchronous=NORMAL
/// (durable across application crashes; the WAL makes it safe), and a busy timeout so concurrent writers wait
/// instead of failing.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>
    /// The one instance to register: EF Core keys its internal service provider on the options, so a new interceptor
    /// per context would build a new provider (and model) for every context.
    /// </summary>
    public static readonly SqlitePragmas Instance = new();

    private SqlitePragmas() { }

    public const string Commands = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    internal static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Commands;
        command.ExecuteNonQuery();
    }
}
