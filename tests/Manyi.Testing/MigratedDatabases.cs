using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Testing;

/// <summary>
/// Manyi's schema, migrated once per test process and provider and copied for each test (<see cref="DatabaseTemplates"/>):
/// the harnesses' databases without the cost of running every migration for every test.
/// </summary>
public static class MigratedDatabases
{
    private const string DatabaseFile = "manyi.db";

    /// <summary>
    /// A migrated database of its own: for "postgres" a new database (returned, to dispose); for "sqlite" the file
    /// <c>manyi.db</c> written into <paramref name="dataDirectory"/> (null returned).
    /// </summary>
    /// <param name="key">Names the template; a different <paramref name="then"/> needs a different key.</param>
    /// <param name="then">More to do once on the migrated template (e.g. Hangfire's schema), given services on it.</param>
    public static async Task<TestDatabase?> CreateAsync(string provider, string dataDirectory, string key = "manyi", Func<IServiceProvider, Task>? then = null) =>
        provider switch
        {
            "sqlite" => await CopySqliteAsync(key, dataDirectory, then),
            "postgres" => await DatabaseTemplates.CopyPostgresAsync(key, database => MigrateAsync(Settings(null, database.ConnectionString), then)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Use \"sqlite\" or \"postgres\"."),
        };

    private static async Task<TestDatabase?> CopySqliteAsync(string key, string dataDirectory, Func<IServiceProvider, Task>? then)
    {
        await DatabaseTemplates.CopySqliteAsync(key, DatabaseFile, dataDirectory, async folder =>
        {
            await MigrateAsync(Settings(folder, null), then);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // closes the file, which folds the WAL into it
        });
        return null;
    }

    private static Dictionary<string, string?> Settings(string? dataDirectory, string? connectionString) => new()
    {
        ["Manyi:DataDirectory"] = dataDirectory,
        ["ConnectionStrings:Manyi"] = connectionString ?? "",
    };

    private static async Task MigrateAsync(Dictionary<string, string?> settings, Func<IServiceProvider, Task>? then)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var services = new ServiceCollection().AddLogging().AddManyiData(configuration).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.MigrateAsync();
        if (then is not null) await then(services);
    }
}
