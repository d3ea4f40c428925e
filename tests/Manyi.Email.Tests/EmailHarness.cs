using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Manyi.Email.Tests;

/// <summary>
/// The product's services as the web host adds them (engine, data, e-mail) on a real, migrated database of their own:
/// a SQLite file in a temp folder, or a PostgreSQL database (copies of one migrated template).
/// </summary>
public sealed class EmailHarness : IAsyncDisposable
{
    private readonly TestDatabase? _postgres;

    private EmailHarness(ServiceProvider services, TestDatabase? postgres, string folder, LogCapture logs)
    {
        Services = services;
        _postgres = postgres;
        Folder = folder;
        Logs = logs;
    }

    public ServiceProvider Services { get; }
    public string Folder { get; }
    public LogCapture Logs { get; }
    public Manyi.Email.Outbox.MailKitOutboxSender Sender => Services.GetRequiredService<Manyi.Email.Outbox.MailKitOutboxSender>();

    /// <summary>Settings for an SMTP server on the loopback interface, without TLS.</summary>
    public static Dictionary<string, string?> Smtp(int port) => new()
    {
        ["Manyi:Smtp:Host"] = "127.0.0.1",
        ["Manyi:Smtp:Port"] = port.ToString(),
        ["Manyi:Smtp:Security"] = "None",
        ["Manyi:Smtp:From"] = "河南省通信行业协会 <manyi@example.org>",
        ["Manyi:Smtp:Timeout"] = "00:00:20",
    };

    public static async Task<EmailHarness> StartAsync(string provider = "sqlite", IDictionary<string, string?>? settings = null,
        params Type[] activities)
    {
        var folder = Path.Combine(Path.GetTempPath(), "manyi-email-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = await MigratedDatabases.CreateAsync(provider, folder);
        var all = new Dictionary<string, string?> { ["Manyi:DataDirectory"] = folder };
        if (postgres is not null) all["ConnectionStrings:Manyi"] = postgres.ConnectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();

        var logs = new LogCapture();
        var services = new ServiceCollection()
            .AddLogging(l => l.AddProvider(logs))
            .AddManyiData(configuration);
        services.AddManyiEngine();
        services.AddManyiEmail(configuration);
        foreach (var activity in activities) services.AddSingleton(new ActivityRegistration(activity));
        var provider_ = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new EmailHarness(provider_, postgres, folder, logs);
    }

    /// <summary>Starts the hosted services, as the host does at start-up.</summary>
    public async Task StartHostedServicesAsync()
    {
        foreach (var service in Services.GetServices<IHostedService>())
            await service.StartAsync(TestContext.Current.CancellationToken);
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>Imports, publishes and starts a workflow of these activities, run in that order.</summary>
    public async Task<WorkflowInstance> RunAsync(string definitionId, string activitiesJson, string connectionsJson, string variablesJson = "[]")
    {
        var ct = TestContext.Current.CancellationToken;
        var definition = ElsaJson.Read(
            "{\"definitionId\": \"" + definitionId + "\", \"name\": \"" + definitionId + "\", \"variables\": " + variablesJson +
            ", \"root\": {\"id\": \"root\", \"type\": \"Elsa.Flowchart\", \"activities\": " + activitiesJson +
            ", \"connections\": " + connectionsJson + "}}");
        await InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, false, null, ct));
        await InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(definitionId, ct));
        return await InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync(definitionId, new StartOptions { CorrelationId = "zhengzhou-mobile" }, ct));
    }

    public Task<List<OutboxMessageRecord>> OutboxAsync() =>
        InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(TestContext.Current.CancellationToken));

    public async Task<OutboxMessageRecord> OutboxAsync(string key) =>
        (await OutboxAsync()).Single(m => m.Key == key);

    public static string Connect(string from, string to, string port = "Done") =>
        "{\"source\": {\"activity\": \"" + from + "\", \"port\": \"" + port + "\"}, \"target\": {\"activity\": \"" + to + "\", \"port\": \"In\"}}";

    public static string Input(string typeName, string value, string expressionType = "Literal") =>
        new JsonObject { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = expressionType, ["value"] = value } }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>Keeps what the services log, to check what start-up says.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) capture.Entries.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
