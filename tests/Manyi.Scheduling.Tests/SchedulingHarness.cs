using Hangfire;
using Hangfire.Storage;
using Manyi.Engine;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Scheduling.Storage;
using Manyi.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Tests;

/// <summary>
/// One test's database, which outlives the hosts on it (to restart a host, or to run two): a SQLite file in a temporary
/// folder, or a fresh PostgreSQL database. Migrated (Manyi's schema and, on PostgreSQL, Hangfire's) when made.
/// </summary>
public sealed class TestData : IAsyncDisposable
{
    private readonly TestDatabase? _postgres;
    private readonly string _folder;

    private TestData(string provider, TestDatabase? postgres, string folder)
    {
        Provider = provider;
        _postgres = postgres;
        _folder = folder;
    }

    public string Provider { get; }

    public static async Task<TestData> CreateAsync(string provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "manyi-scheduling-" + Guid.NewGuid().ToString("N")[..8]);
        // Manyi's schema and, on PostgreSQL, Hangfire's: migrated once, copied for each test.
        var postgres = await MigratedDatabases.CreateAsync(provider, folder, "manyi+hangfire", services => services.MigrateSchedulingAsync());
        var data = new TestData(provider, postgres, folder);
        return data;
    }

    /// <summary>Settings of a host on this database: short polling, so that timers fire within a fraction of a second.</summary>
    public Dictionary<string, string?> Settings(int workers = 2) => new()
    {
        ["Manyi:DataDirectory"] = _folder,
        ["ConnectionStrings:Manyi"] = _postgres?.ConnectionString ?? "",
        ["Manyi:MigrateOnStartup"] = "false",
        ["Manyi:Hangfire:WorkerCount"] = workers.ToString(),
        ["Manyi:Hangfire:SchedulePollingInterval"] = "00:00:00.100",
        ["Manyi:Hangfire:QueuePollInterval"] = "00:00:00.200",
    };

    /// <summary>The engine on this database without a scheduler: timers are written, and nothing fires them.</summary>
    public ServiceProvider Services()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddManyiData(new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build());
        services.AddManyiEngine();
        return services.BuildServiceProvider();
    }

    /// <summary>A host with Hangfire on this database, not yet started.</summary>
    public SchedulingHost Host(TimeProvider? time = null, int workers = 2, Action<IServiceCollection>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(workers));
        builder.Services.AddLogging(logging =>
        {
            // MANYI_TEST_LOG=Debug (or Information, …) shows the hosts' logs, Hangfire's among them.
            if (Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("MANYI_TEST_LOG"), out var level))
                logging.AddSimpleConsole(c => c.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(level);
        });
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddManyiData(builder.Configuration);
        builder.Services.AddManyiEngine();
        builder.Services.AddManyiScheduling(builder.Configuration);
        configure?.Invoke(builder.Services);
        return new SchedulingHost(builder.Build());
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>A host (one app node): the engine, its database and Hangfire; started on demand, stopped on dispose.</summary>
public sealed class SchedulingHost(IHost host) : IAsyncDisposable
{
    private bool _started;

    public IServiceProvider Services => host.Services;

    public JobStorage Storage => Services.GetRequiredService<JobStorage>();

    public async Task<SchedulingHost> StartAsync()
    {
        await host.StartAsync(TestContext.Current.CancellationToken);
        _started = true;
        return this;
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<WorkflowInstance> StartWorkflowAsync(string definitionId) =>
        InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync(definitionId, new StartOptions(), TestContext.Current.CancellationToken));

    /// <summary>The state of a Hangfire job (Scheduled, Enqueued, Succeeded, Deleted, …).</summary>
    public string? JobState(string hangfireJobId)
    {
        using var connection = Storage.GetConnection();
        return connection.GetJobData(hangfireJobId)?.State;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started) await host.StopAsync(CancellationToken.None);
        host.Dispose();
    }
}

/// <summary>Workflows and database reads the tests share.</summary>
public static class Workflows
{
    /// <summary>Publishes a workflow that waits <paramref name="delay"/> in an Elsa.Delay, then writes a line and ends.</summary>
    public static async Task PublishDelayAsync(IServiceProvider services, string definitionId, TimeSpan delay)
    {
        var definition = ElsaJson.Read(
            "{\"definitionId\": \"" + definitionId + "\", \"name\": \"" + definitionId + "\", \"root\": {\"id\": \"root\", \"type\": \"Elsa.Flowchart\", " +
            "\"activities\": [{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " +
            "{\"id\": \"wait\", \"type\": \"Elsa.Delay\", \"timeSpan\": {\"typeName\": \"TimeSpan\", \"expression\": {\"type\": \"Literal\", \"value\": \"" + delay.ToString("c") + "\"}}}, " +
            "{\"id\": \"done\", \"type\": \"Elsa.WriteLine\", \"text\": {\"typeName\": \"String\", \"expression\": {\"type\": \"Literal\", \"value\": \"done\"}}}], " +
            "\"connections\": [" + Connect("start", "wait") + ", " + Connect("wait", "done") + "]}}");
        await using var scope = services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionCatalog>();
        var ct = TestContext.Current.CancellationToken;
        await catalog.ImportAsync(definition, false, null, ct);
        await catalog.PublishAsync(definitionId, ct);
    }

    private static string Connect(string from, string to) =>
        "{\"source\": {\"activity\": \"" + from + "\", \"port\": \"Done\"}, \"target\": {\"activity\": \"" + to + "\", \"port\": \"In\"}}";

    public static async Task<T> ReadAsync<T>(IServiceProvider services, Func<ManyiDbContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ManyiDbContext>());
    }

    public static Task<List<Persistence.Records.BookmarkRecord>> TimersAsync(IServiceProvider services, params string[] instanceIds) =>
        ReadAsync(services, db => db.Bookmarks.AsNoTracking().Where(b => instanceIds.Contains(b.InstanceId) && b.ResumeAt != null).ToListAsync());

    public static Task<int> CountFinishedAsync(IServiceProvider services, IReadOnlyCollection<string> instanceIds) =>
        ReadAsync(services, db => db.WorkflowInstances.CountAsync(i => instanceIds.Contains(i.Id) && i.Status == nameof(WorkflowStatus.Finished)));

    /// <summary>Journal entries of this kind, per instance.</summary>
    public static Task<Dictionary<string, int>> CountJournalAsync(IServiceProvider services, IReadOnlyCollection<string> instanceIds, JournalEvent kind) =>
        ReadAsync(services, db => db.JournalEntries.Where(j => instanceIds.Contains(j.InstanceId) && j.Event == kind.ToString())
            .GroupBy(j => j.InstanceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));

    /// <summary>Waits until every instance finished; fails with how many did after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilFinishedAsync(IServiceProvider services, IReadOnlyCollection<string> instanceIds, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int finished;
        while ((finished = await CountFinishedAsync(services, instanceIds)) < instanceIds.Count)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{finished} of {instanceIds.Count} instances finished within {timeout}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not within {timeout}: {what}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static string HangfireId(string? jobId) =>
        Manyi.Scheduling.Timers.TimerJobId.TryParse(jobId, out var id) ? id.HangfireJobId : throw new InvalidOperationException($"'{jobId}' is no timer job id.");
}
