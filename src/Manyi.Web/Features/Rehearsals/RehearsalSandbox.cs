using Manyi.Campaign;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Features.Tasks;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// The product's own engine, store and campaign activities, wired as the web host wires them, over a throw-away SQLite
/// file of their own in a temporary folder, on a <see cref="VirtualClock"/>: no timer reaches Hangfire, no e-mail or robot
/// line leaves the outbox table, and nothing touches the real database. Disposing it deletes the folder.
/// </summary>
public sealed class RehearsalSandbox : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _folder;
    private readonly string _connectionString;

    private RehearsalSandbox(ServiceProvider services, string folder, VirtualClock clock)
    {
        _services = services;
        _folder = folder;
        Clock = clock;
        _connectionString = services.GetRequiredService<ManyiDatabase>().ConnectionString;
    }

    public IServiceProvider Services => _services;
    public VirtualClock Clock { get; }

    /// <summary>
    /// A new sandbox whose clock reads <paramref name="start"/>, with the host's settings (e-mail templates, channels) but
    /// its own database and data folder, and the host's working-day calendar; the schema is migrated.
    /// </summary>
    public static async Task<RehearsalSandbox> CreateAsync(IConfiguration host, BusinessCalendar calendar, DateTimeOffset start,
        CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("manyi-rehearsal-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddConfiguration(host).AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The sandbox's own SQLite file, whatever database the host uses.
                ["ConnectionStrings:Manyi"] = "",
                ["Manyi:DataDirectory"] = folder,
                ["Manyi:MigrateOnStartup"] = "true",
                ["Manyi:Email:PickupDirectory"] = Path.Combine(folder, "mail"),
                ["Manyi:Files:Directory"] = Path.Combine(folder, "files"),
            }).Build();
            var clock = new VirtualClock(start);
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddSingleton<TimeProvider>(clock);
            services.AddManyiData(configuration);
            services.AddManyiEngine();
            services.AddManyiEmail(configuration);
            services.AddManyiCampaign();
            services.Replace(ServiceDescriptor.Singleton(calendar));
            // Timers fire when the rehearsal's clock reaches them; messages stay in the sandbox's outbox, where the result reads them.
            services.Replace(ServiceDescriptor.Singleton<ITimerScheduler, NoTimerScheduler>());
            services.Replace(ServiceDescriptor.Singleton<IEmailDispatcher, NoEmailDispatcher>());
            services.Replace(ServiceDescriptor.Scoped<ITaskDirectory, TaskDirectory>());
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
            var sandbox = new RehearsalSandbox(provider, folder, clock);
            await using (var scope = provider.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.MigrateAsync(cancellationToken);
            return sandbox;
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        // Only this sandbox's pooled connections: the host's own SQLite pool stays as it is.
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is removed with the temporary folder later; the run's result is already kept.
        }
    }
}

/// <summary>A clock that stands still until the rehearsal moves it: the year's "now", from due timer to due timer.</summary>
public sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock on to <paramref name="instant"/>; never back.</summary>
    public void MoveTo(DateTimeOffset instant)
    {
        if (instant > _now) _now = instant.ToUniversalTime();
    }
}
