using System.Text.Json.Nodes;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign.Tests;

/// <summary>
/// The services as the web host adds them (engine, data, e-mail templates, campaign) on a real, migrated database of
/// their own: a SQLite file in a temp folder, or a PostgreSQL database (copies of one migrated template). Each test starts one and makes its own data.
/// </summary>
public sealed class CampaignHarness : IAsyncDisposable
{
    private readonly TestDatabase? _postgres;

    private CampaignHarness(ServiceProvider services, TestDatabase? postgres, string folder)
    {
        Services = services;
        _postgres = postgres;
        Folder = folder;
    }

    public ServiceProvider Services { get; }
    public string Folder { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="settings">Configuration to add or replace, e.g. <c>Manyi:Certificates:FontFile</c>.</param>
    public static async Task<CampaignHarness> StartAsync(string provider, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "manyi-campaign-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = await MigratedDatabases.CreateAsync(provider, folder);
        var values = new Dictionary<string, string?>
        {
            ["Manyi:DataDirectory"] = folder,
            ["Manyi:Smtp:From"] = "河南省通信行业协会 <manyi@example.org>",
        };
        if (postgres is not null) values["ConnectionStrings:Manyi"] = postgres.ConnectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration) // as a host has it: the certificates' options read it
            .AddLogging()
            .AddManyiData(configuration);
        services.AddManyiEngine();
        services.AddManyiEmail(configuration);
        services.AddManyiCampaign();
        var built = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new CampaignHarness(built, postgres, folder);
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<T> InDbAsync<T>(Func<ManyiDbContext, Task<T>> work) =>
        InScopeAsync(s => work(s.GetRequiredService<ManyiDbContext>()));

    public async Task SeedAsync(params OrganizationRecord[] organizations)
    {
        await InDbAsync(db =>
        {
            db.Organizations.AddRange(organizations);
            return db.SaveChangesAsync(Ct);
        });
    }

    /// <summary>Imports and publishes a workflow, then starts it; returns the instance as the store holds it after its first burst.</summary>
    public async Task<WorkflowInstance> RunAsync(WorkflowDefinition definition)
    {
        await InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, false, null, Ct));
        await InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(definition.DefinitionId, Ct));
        var started = await InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync(definition.DefinitionId, new StartOptions(), Ct));
        return await LoadAsync(started.Id);
    }

    /// <summary>Sends a named event to an instance (a loop back to an activity, in these tests).</summary>
    public async Task<WorkflowInstance> SendEventAsync(WorkflowInstance instance, string eventName)
    {
        var result = await InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", eventName) { WorkflowInstanceId = instance.Id, QueueIfUnmatched = false }, Ct));
        Assert.Single(result.Resumed);
        return await LoadAsync(instance.Id);
    }

    public async Task<WorkflowInstance> LoadAsync(string instanceId) =>
        await InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instanceId, Ct))
        ?? throw new InvalidOperationException($"Instance {instanceId} is not stored.");

    public Task<List<OutboxMessageRecord>> OutboxAsync() =>
        InDbAsync(db => db.OutboxMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct));

    /// <summary>
    /// The instance's journal lines as stored: a keyed line as its key and arguments (<c>ratings.stored {"year":2025,…}</c>),
    /// a line of text as its text.
    /// </summary>
    public async Task<List<string>> JournalAsync(string instanceId)
    {
        var lines = await InDbAsync(db => db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == instanceId && (j.Message != null || j.MessageKey != null))
            .OrderBy(j => j.Sequence).Select(j => new { j.Message, j.MessageKey, j.Arguments }).ToListAsync(Ct));
        return [.. lines.Select(j => j.MessageKey is null ? j.Message! : j.Arguments is null or "{}" ? j.MessageKey : $"{j.MessageKey} {j.Arguments}")];
    }

    /// <summary>An outbox row's recipients as <c>name &lt;address&gt;</c>, however MimeKit quoted the names.</summary>
    public static string[] Recipients(OutboxMessageRecord message) =>
        [.. MimeKit.InternetAddressList.Parse(message.To).Mailboxes.Select(m => $"{m.Name} <{m.Address}>")];

    public Task<OrganizationRecord> OrganizationAsync(string id) =>
        InDbAsync(db => db.Organizations.AsNoTracking().SingleAsync(o => o.Id == id, Ct));

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    // Building workflows (Elsa 3 JSON) and demo data.

    public static WorkflowDefinition Workflow(string definitionId, JsonArray activities, JsonArray connections) =>
        ElsaJson.Read(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString("N"),
            ["definitionId"] = definitionId,
            ["name"] = definitionId,
            ["root"] = new JsonObject
            {
                ["id"] = "root",
                ["type"] = "Elsa.Flowchart",
                ["activities"] = activities,
                ["connections"] = connections,
            },
        }.ToJsonString());

    /// <summary>An activity with inputs: (input name, typeName, literal value or (type, value) expression).</summary>
    public static JsonObject Activity(string id, string type, params (string Name, string TypeName, JsonNode? Value)[] inputs)
    {
        var activity = new JsonObject { ["id"] = id, ["type"] = type };
        foreach (var (name, typeName, value) in inputs) activity[name] = Input(typeName, value);
        return activity;
    }

    public static JsonObject Input(string typeName, JsonNode? value, string expressionType = "Literal") => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = expressionType, ["value"] = value?.DeepClone() },
    };

    public static JsonObject Start(string id = "start") => new() { ["id"] = id, ["type"] = "Elsa.Start" };

    public static JsonObject Event(string id, string eventName) => Activity(id, "Elsa.Event", ("eventName", "String", eventName));

    public static JsonObject Connect(string from, string to, string port = "Done") => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
    };

    public static OrganizationRecord Organization(string id, string name, string @operator, string city, string? lastRating = null,
        params (string Name, string Email)[] contacts) => new()
    {
        Id = id,
        Name = name,
        Operator = @operator,
        City = city,
        LastRating = lastRating,
        Contacts = [.. contacts.Select(c => new OrganizationContactRecord { OrganizationId = id, Name = c.Name, Email = c.Email })],
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
