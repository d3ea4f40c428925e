using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Manyi.Persistence;
using Npgsql;

namespace Manyi.Scheduling.Storage;

/// <summary>
/// Where Hangfire keeps its jobs: with the database when that is PostgreSQL (its own schema, <c>hangfire</c>), so that
/// jobs outlive the process and every node sees them; in memory on the embedded default, where reconciliation restores
/// the jobs from the bookmark rows after a restart.
/// </summary>
public static class SchedulerStorage
{
    public const string Schema = "hangfire";

    public static JobStorage Create(ManyiDatabase database, ManyiSchedulingOptions options)
    {
        if (database.Provider != DatabaseProvider.PostgreSql)
            return new InMemoryStorage(new InMemoryStorageOptions());

        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            // Like Manyi's own schema, created or upgraded only where migrations run at start-up (SchedulingStartup),
            // else by `migrate`; never silently by the storage.
            PrepareSchemaIfNecessary = false,
            QueuePollInterval = options.QueuePollInterval,
            InvisibilityTimeout = options.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            DistributedLockTimeout = options.DistributedLockTimeout,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(ConnectionString(database), storageOptions), storageOptions);
    }

    /// <summary>Creates or upgrades the <c>hangfire</c> schema (PostgreSQL only; idempotent).</summary>
    public static async Task MigrateAsync(ManyiDatabase database, CancellationToken cancellationToken)
    {
        if (database.Provider != DatabaseProvider.PostgreSql) return;
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        PostgreSqlObjectsInstaller.Install(connection, Schema);
    }

    /// <summary>Refuses to go on without the <c>hangfire</c> schema, saying how to create it.</summary>
    public static async Task EnsureSchemaAsync(ManyiDatabase database, CancellationToken cancellationToken)
    {
        if (database.Provider != DatabaseProvider.PostgreSql) return;
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT to_regclass('{Schema}.job') IS NOT NULL", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            throw new InvalidOperationException(
                $"The database has no Hangfire schema ('{Schema}'). Run `dotnet run --project src/Manyi.Web -- migrate` with the same " +
                "settings, or set Manyi:MigrateOnStartup=true.");
    }

    /// <summary>
    /// Manyi's connection string for Hangfire's own connection pool (so that its polling never waits for the engine's
    /// connections), without enlistment in ambient transactions, which Hangfire.PostgreSql refuses, and with
    /// asynchronous commit: a job's commit does not wait for its WAL flush, which would cost each job several disk
    /// flushes. Safe because the bookmark rows are the truth and share the WAL: the commit that stores a job's id on its
    /// bookmark is synchronous and flushes the WAL up to it, so a crash can only lose jobs whose ids were not stored yet,
    /// and reconciliation gives those timers new jobs (a lost e-mail job leaves its message pending, re-enqueued too).
    /// </summary>
    private static string ConnectionString(ManyiDatabase database) =>
        new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Enlist = false,
            ApplicationName = "Manyi Hangfire",
            Options = "-c synchronous_commit=off",
        }.ToString();
}
