using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Manyi.Persistence;

/// <summary>
/// The configured database, for code that talks SQL without EF Core (the engine's store): PostgreSQL through one
/// pooled <see cref="NpgsqlDataSource"/> (EF Core uses the same one), or the embedded SQLite file with
/// <see cref="SqlitePragmas"/> applied. Plain connections open in microseconds, where EF Core's SQLite connection
/// registers its SQL functions on every open.
/// </summary>
public sealed class ManyiDatabase : IAsyncDisposable
{
    private ManyiDatabase(DatabaseProvider provider, string connectionString, NpgsqlDataSource? postgres)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Postgres = postgres;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>
    /// Whether schemas (Manyi's, Hangfire's) are migrated at start-up: <c>Manyi:MigrateOnStartup</c>, else yes on the
    /// embedded SQLite file and no on PostgreSQL, where migrations run by the explicit <c>migrate</c> command.
    /// </summary>
    public bool MigratesOnStartup { get; private init; }
    internal NpgsqlDataSource? Postgres { get; }
    public SqlDialect Dialect => Provider == DatabaseProvider.PostgreSql ? SqlDialect.Postgres : SqlDialect.Sqlite;

    public static ManyiDatabase ForPostgres(string connectionString, bool? migrateOnStartup = null) =>
        new(DatabaseProvider.PostgreSql, connectionString, NpgsqlDataSource.Create(connectionString)) { MigratesOnStartup = migrateOnStartup ?? false };

    public static ManyiDatabase ForSqlite(string file, bool? migrateOnStartup = null) =>
        new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = file }.ToString(), null) { MigratesOnStartup = migrateOnStartup ?? true };

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (Postgres is not null) return await Postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        SqlitePragmas.Apply(connection);
        return connection;
    }

    public ValueTask DisposeAsync() => Postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}
