using Manyi.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Manyi.Web.Tests;

/// <summary>
/// The web host on a database of its own: a SQLite file in a temporary data directory, or a fresh PostgreSQL
/// database (migrated at start-up). The workflows folder is a temporary folder too, empty unless a test writes
/// files into it, so that no test imports the repository's <c>workflows/</c>.
/// </summary>
public sealed class ManyiApp : WebApplicationFactory<Program>
{
    private readonly bool _ownsStorage;
    private readonly bool _migrateOnStartup;

    /// <summary>An app on storage that outlives it (to restart the app on the same data); the caller disposes the storage.</summary>
    /// <param name="migrateOnStartup">On PostgreSQL, whether <c>Manyi:MigrateOnStartup</c> is set (the tests' default) or left to the app.</param>
    public ManyiApp(ManyiStorage storage, bool migrateOnStartup = true) : this(storage, ownsStorage: false, migrateOnStartup)
    {
    }

    private ManyiApp(ManyiStorage storage, bool ownsStorage, bool migrateOnStartup)
    {
        Storage = storage;
        _ownsStorage = ownsStorage;
        _migrateOnStartup = migrateOnStartup;
    }

    public ManyiStorage Storage { get; }

    /// <summary>An app on fresh storage of its own, disposed with the app.</summary>
    public static async Task<ManyiApp> StartAsync(string provider) => new(await ManyiStorage.CreateAsync(provider), ownsStorage: true, migrateOnStartup: true);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Manyi:DataDirectory", Storage.DataDirectory);
        builder.UseSetting("Manyi:WorkflowsDirectory", Storage.WorkflowsDirectory);
        if (Storage.Postgres is { } postgres)
        {
            builder.UseSetting("ConnectionStrings:Manyi", postgres.ConnectionString);
            if (_migrateOnStartup) builder.UseSetting("Manyi:MigrateOnStartup", "true");
        }
        else
        {
            // Overrides any connection string from the environment: "sqlite" means the embedded file.
            builder.UseSetting("ConnectionStrings:Manyi", "");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsStorage) await Storage.DisposeAsync();
    }
}

/// <summary>One test's data: a temporary folder (the SQLite data directory and the workflows folder) and, for "postgres", a database.</summary>
public sealed class ManyiStorage : IAsyncDisposable
{
    private readonly string _root;

    private ManyiStorage(string provider, string root, TestDatabase? postgres)
    {
        Provider = provider;
        _root = root;
        Postgres = postgres;
        Directory.CreateDirectory(WorkflowsDirectory);
    }

    public string Provider { get; }
    public TestDatabase? Postgres { get; }
    public string DataDirectory => Path.Combine(_root, "data");
    public string WorkflowsDirectory => Path.Combine(_root, "workflows");

    public static async Task<ManyiStorage> CreateAsync(string provider)
    {
        var root = Path.Combine(Path.GetTempPath(), "manyi-web-" + Guid.NewGuid().ToString("N")[..12]);
        return provider switch
        {
            "sqlite" => new ManyiStorage(provider, root, null),
            "postgres" => new ManyiStorage(provider, root, await PostgresServer.CreateDatabaseAsync()),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Use \"sqlite\" or \"postgres\"."),
        };
    }

    /// <summary>Writes a file into the workflows folder.</summary>
    public Task WriteWorkflowFileAsync(string fileName, string json) =>
        File.WriteAllTextAsync(Path.Combine(WorkflowsDirectory, fileName), json, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Postgres is not null) await Postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
