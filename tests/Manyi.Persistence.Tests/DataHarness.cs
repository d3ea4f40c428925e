using Manyi.Engine;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Persistence.Tests;

/// <summary>The engine on a real, migrated database of its own: a SQLite file in a temp folder, or a PostgreSQL database (copies of one migrated template).</summary>
public sealed class DataHarness : IAsyncDisposable
{
    private readonly TestDatabase? _postgres;
    private readonly string _folder;

    private DataHarness(ServiceProvider services, TestDatabase? postgres, string folder, string provider)
    {
        Services = services;
        _postgres = postgres;
        _folder = folder;
        Provider = provider;
    }

    public ServiceProvider Services { get; }
    public string Provider { get; }

    public static async Task<DataHarness> StartAsync(string provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "manyi-data-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = await MigratedDatabases.CreateAsync(provider, folder);
        var settings = new Dictionary<string, string?> { ["Manyi:DataDirectory"] = folder };
        if (postgres is not null) settings["ConnectionStrings:Manyi"] = postgres.ConnectionString;
        var services = new ServiceCollection()
            .AddLogging()
            .AddManyiData(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddManyiEngine();
        var provider_ = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new DataHarness(provider_, postgres, folder, provider);
    }

    /// <summary>Runs <paramref name="work"/> in a scope of its own, as one request would.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async Task InScopeAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    public static WorkflowDefinition Workflow(string definitionId, string activitiesJson, string connectionsJson, string variablesJson = "[]") =>
        ElsaJson.Read(
            "{\"definitionId\": \"" + definitionId + "\", \"name\": \"" + definitionId + "\", \"variables\": " + variablesJson +
            ", \"root\": {\"id\": \"root\", \"type\": \"Elsa.Flowchart\", \"activities\": " + activitiesJson +
            ", \"connections\": " + connectionsJson + "}}");

    public static string Connect(string from, string to, string port = "Done") =>
        "{\"source\": {\"activity\": \"" + from + "\", \"port\": \"" + port + "\"}, \"target\": {\"activity\": \"" + to + "\", \"port\": \"In\"}}";

    public static string WriteLine(string id, string text) =>
        "{\"id\": \"" + id + "\", \"type\": \"Elsa.WriteLine\", \"text\": " + Literal("String", text) + "}";

    public static string Event(string id, string eventName) =>
        "{\"id\": \"" + id + "\", \"type\": \"Elsa.Event\", \"eventName\": " + Literal("String", eventName) + "}";

    public static string Literal(string typeName, string value) =>
        "{\"typeName\": \"" + typeName + "\", \"expression\": {\"type\": \"Literal\", \"value\": \"" + value + "\"}}";
}
