using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Manyi.Engine.Runtime;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests;

/// <summary>
/// The web host on a database of its own: a SQLite file in a temporary data directory, or a fresh PostgreSQL
/// database (migrated at start-up). The workflows folder is a temporary folder too, empty unless a test writes
/// files into it, so that no test imports the repository's <c>workflows/</c>. <see cref="WebApplicationFactory{T}.CreateClient()"/>
/// gives a client signed in as the bootstrap administrator (a bearer token); <see cref="CreateAnonymousClient"/> and
/// <see cref="CreateClientForAsync"/> give the others.
/// </summary>
public sealed class ManyiApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@example.org";
    public const string AdminPassword = "admin-pass-2025";

    /// <summary>A password that passes the rules, for users the tests create.</summary>
    public const string UserPassword = "user-pass-2025";

    /// <summary>PBKDF2 rounds of the tests' password hashes (Identity's default is 100,000).</summary>
    public const int TestHashIterations = 1000;

    private readonly bool _ownsStorage;
    private readonly bool _migrateOnStartup;
    private string? _adminToken;
    private bool _anonymous;

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

    /// <summary>Extra configuration (e.g. <c>Manyi:Smtp:Host</c>), applied when the app starts: set before the first request.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Services to replace after the app's own (a fake clock, say): set before the first request.</summary>
    public Action<IServiceCollection>? TestServices { get; set; }

    /// <summary>
    /// The app on <paramref name="clock"/>: timers fire only when the test makes them (no scheduler jobs, no dispatcher
    /// claiming due timers, no reconciliation), e-mails stay in the outbox, and months of fake time do not expire the
    /// tokens. <see cref="TestServices"/> set before this still apply; set before the first request.
    /// </summary>
    public ManyiApp RunOnFakeClock(FakeTimeProvider clock)
    {
        Settings["Manyi:Hangfire:DispatchTimers"] = "false";
        Settings["Manyi:Hangfire:ReconciliationCron"] = "0 0 1 1 *";
        var earlier = TestServices;
        TestServices = services =>
        {
            earlier?.Invoke(services);
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            services.Replace(ServiceDescriptor.Singleton<ITimerScheduler, NoTimerScheduler>());
            services.Replace(ServiceDescriptor.Singleton<IEmailDispatcher, NoEmailDispatcher>());
            services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromDays(400));
        };
        return this;
    }

    /// <summary>
    /// An app on fresh storage of its own, disposed with the app: a copy of a database migrated once per provider, with
    /// the bootstrap administrator (<see cref="ManyiStorage.CreateMigratedAsync"/>).
    /// </summary>
    public static async Task<ManyiApp> StartAsync(string provider) => new(await ManyiStorage.CreateMigratedAsync(provider), ownsStorage: true, migrateOnStartup: true);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Manyi:DataDirectory", Storage.DataDirectory);
        builder.UseSetting("Manyi:WorkflowsDirectory", Storage.WorkflowsDirectory);
        builder.UseSetting("Manyi:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Manyi:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Manyi:Demo:Enabled", "false");
        // Two workers do for a test's few jobs; 8-20 per host, with several hosts at once, only compete for two cores.
        builder.UseSetting("Manyi:Hangfire:WorkerCount", "2");
        // Tests sign in hundreds of times from one address (the test server has none); RateLimitTests set their own limits.
        foreach (var limit in new[] { "SignInsPerAddress", "SignInsPerAccount", "PasswordEmailsPerAddress", "PasswordEmailsPerAccount", "AdministratorEmailsPerAccount" })
            builder.UseSetting($"Manyi:RateLimits:{limit}", "1000000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        // Hashing passwords as production does (100,000 rounds) costs a tenth of a second a sign-in; tests prove no strength.
        builder.ConfigureTestServices(services => services.Configure<PasswordHasherOptions>(hasher => hasher.IterationCount = TestHashIterations));
        if (TestServices is { } replace) builder.ConfigureTestServices(replace);
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

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (_anonymous) return;
        // Sync over async once per app: ConfigureClient has no async form, and the test server needs no thread of its own.
        _adminToken ??= LoginAsync(AdminEmail, AdminPassword).GetAwaiter().GetResult();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
    }

    /// <summary>A client that is not signed in.</summary>
    public HttpClient CreateAnonymousClient()
    {
        _anonymous = true;
        try { return CreateClient(); }
        finally { _anonymous = false; }
    }

    /// <summary>A client signed in as this user with a bearer token from <c>POST /api/auth/login</c>.</summary>
    public async Task<HttpClient> CreateClientForAsync(string email, string password = UserPassword)
    {
        var token = await LoginAsync(email, password);
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates a user with a role and, for participants, the organizations they act for (created if missing).</summary>
    public Task<ManyiUser> CreateUserAsync(string email, string role, params string[] organizationIds) =>
        CreateUserAsync(Services, email, role, [.. organizationIds.Select(id => (id, id))]);

    /// <summary>The same on any host's services (the browser tests' app too); organizations are created with the name given.</summary>
    public static async Task<ManyiUser> CreateUserAsync(IServiceProvider services, string email, string role, params (string Id, string Name)[] organizations)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ManyiUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var user = new ManyiUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CreatedAt = DateTimeOffset.UtcNow };
        Check(await users.CreateAsync(user, UserPassword));
        Check(await users.AddToRoleAsync(user, role));
        foreach (var (id, name) in organizations)
        {
            if (await db.Organizations.FindAsync(id) is null)
                db.Organizations.Add(new OrganizationRecord { Id = id, Name = name, Operator = "移动", City = "郑州", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            db.OrganizationMembers.Add(new OrganizationMemberRecord { UserId = user.Id, OrganizationId = id });
        }
        await db.SaveChangesAsync();
        return user;

        static void Check(IdentityResult result) =>
            Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    private async Task<string> LoginAsync(string email, string password)
    {
        using var client = Server.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        return (string)body!["accessToken"]!;
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

    /// <summary>
    /// Storage whose database is already migrated and holds the bootstrap administrator, as if an app had started on
    /// it once: a copy of a template made once per provider and test process (<see cref="DatabaseTemplates"/>).
    /// </summary>
    public static async Task<ManyiStorage> CreateMigratedAsync(string provider)
    {
        switch (provider)
        {
            case "sqlite":
                var storage = new ManyiStorage(provider, NewRoot(), null);
                await DatabaseTemplates.CopySqliteAsync(TemplateKey, DatabaseFile, storage.DataDirectory, async folder =>
                {
                    var once = new ManyiStorage(provider, NewRoot(), null);
                    await StartOnceAsync(once);
                    foreach (var name in new[] { DatabaseFile, DatabaseFile + "-wal" })
                        if (File.Exists(Path.Combine(once.DataDirectory, name)))
                            File.Copy(Path.Combine(once.DataDirectory, name), Path.Combine(folder, name));
                    once.DeleteFolder();
                });
                return storage;
            case "postgres":
                var database = await DatabaseTemplates.CopyPostgresAsync(TemplateKey, async template =>
                {
                    var once = new ManyiStorage(provider, NewRoot(), template);
                    await StartOnceAsync(once);
                    once.DeleteFolder();
                });
                return new ManyiStorage(provider, NewRoot(), database);
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Use \"sqlite\" or \"postgres\".");
        }
    }

    private const string TemplateKey = "manyi-web";
    private const string DatabaseFile = "manyi.db";

    /// <summary>Starts an app once on this storage (its start-up migrates and creates the roles and the bootstrap administrator) and stops it.</summary>
    private static async Task StartOnceAsync(ManyiStorage storage)
    {
        await using (var app = new ManyiApp(storage) { Settings = { ["Manyi:Hangfire:Server"] = "false" } })
            _ = app.Services; // starts the host
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static string NewRoot() => Path.Combine(Path.GetTempPath(), "manyi-web-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Storage with an empty database: the app migrates it when it starts.</summary>
    public static async Task<ManyiStorage> CreateAsync(string provider)
    {
        var root = NewRoot();
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
        DeleteFolder();
    }

    private void DeleteFolder()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
