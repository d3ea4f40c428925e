using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.Engine.Tests;

/// <summary>
/// A whole engine as AddManyiEngine builds it, over its own in-memory store and a fake clock. Each test
/// creates one, so no test sees another's definitions, instances or journal.
/// </summary>
internal sealed class TestEngine : IAsyncDisposable, IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly AsyncServiceScope _scope;

    /// <param name="configure">Extra activities.</param>
    /// <param name="wrapStore">Puts a decorator (or another engine's store) in front of this engine's store.</param>
    /// <param name="options">Runtime options other than the defaults.</param>
    public TestEngine(Action<ManyiEngineBuilder>? configure = null, Func<InMemoryWorkflowStore, IWorkflowStore>? wrapStore = null, RuntimeOptions? options = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IWorkflowStore>(wrapStore?.Invoke(Store) ?? Store);
        if (options is not null) services.AddSingleton(options);
        services.AddSingleton(Calendar2025);
        services.AddManyiEngine(configure);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _scope = Services.CreateAsyncScope();
    }

    /// <summary>The shipped holiday data (calendars/ in the repository, copied to the test output).</summary>
    public static readonly Manyi.Engine.Calendar.BusinessCalendar Calendar2025 =
        Manyi.Engine.Calendar.BusinessCalendar.FromFolder(Path.Combine(AppContext.BaseDirectory, "calendars"));

    public InMemoryWorkflowStore Store { get; } = new();

    /// <summary>Fires a timer bookmark as the scheduler would when it is due: moves the clock there and sends its stimulus.</summary>
    public async Task<StimulusResult> FireAsync(Bookmark timer)
    {
        if (timer.ResumeAt is { } at && at > Time.GetUtcNow()) Time.SetUtcNow(at);
        return await Runtime.SendStimulusAsync(new Stimulus(timer.Name, timer.Key) { BookmarkId = timer.Id, WorkflowInstanceId = timer.InstanceId },
            TestContext.Current.CancellationToken);
    }
    public FakeTimeProvider Time { get; } = new(Epoch);
    public ServiceProvider Services { get; }

    /// <summary>The runtime of this engine's one long-lived scope; concurrency tests make their own scopes.</summary>
    public WorkflowRuntime Runtime => _scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Publishes a fixture in the store with its triggers, as the definitions API would.</summary>
    public async Task<WorkflowDefinition> PublishAsync(string fixture)
    {
        var definition = Fixture.Load(fixture);
        await PublishAsync(definition);
        return definition;
    }

    public async Task PublishAsync(WorkflowDefinition definition)
    {
        definition.IsPublished = true;
        Store.AddDefinition(definition, await Runtime.GetTriggersAsync(definition, TestContext.Current.CancellationToken));
    }

    public async Task<WorkflowInstance> StartAsync(WorkflowDefinition definition, string? correlationId = null, params (string Key, JsonNode? Value)[] input) =>
        await Runtime.StartAsync(definition, new StartOptions
        {
            CorrelationId = correlationId,
            Input = input.ToDictionary(p => p.Key, p => p.Value),
        }, TestContext.Current.CancellationToken);

    public Task<StimulusResult> SendEventAsync(string eventName, string? correlationId = null, params (string Key, JsonNode? Value)[] input) =>
        Runtime.SendStimulusAsync(Event(eventName, correlationId, input), TestContext.Current.CancellationToken);

    public static Stimulus Event(string eventName, string? correlationId = null, params (string Key, JsonNode? Value)[] input) =>
        new(Engine.Activities.Events.Event.BookmarkName, eventName)
        {
            CorrelationId = correlationId,
            Input = input.ToDictionary(p => p.Key, p => p.Value),
        };

    /// <summary>The instance as the store holds it now.</summary>
    public async Task<WorkflowInstance> LoadAsync(string instanceId) =>
        await Store.FindInstanceAsync(instanceId, TestContext.Current.CancellationToken)
        ?? throw new InvalidOperationException($"Instance {instanceId} is not stored.");

    /// <summary>The instance's journal as readable steps; see <see cref="JournalSteps"/>.</summary>
    public IReadOnlyList<string> Steps(string instanceId) => JournalSteps.Of(Store.Journal, instanceId);

    public void Dispose()
    {
        _scope.Dispose();
        Services.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await Services.DisposeAsync();
    }
}

/// <summary>
/// Formats a journal as one short line per entry so that a test can compare the exact sequence:
/// <c>"decide Executed True"</c>, <c>"wait Suspended Elsa.Event:go"</c>, <c>"wait Resumed"</c>,
/// <c>"hello Message Hello"</c>, <c>"WorkflowFinished"</c>; a keyed line as its key and arguments,
/// <c>"review Message task.opened {"count":1,"title":"Review"}"</c>.
/// </summary>
internal static class JournalSteps
{
    public static IReadOnlyList<string> Of(IEnumerable<JournalEntry> journal, string instanceId)
    {
        var entries = journal.Where(e => e.InstanceId == instanceId).OrderBy(e => e.Sequence).ToList();
        // Sequence numbers are per instance, contiguous across bursts: a gap would mean a lost or duplicated entry.
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        return entries.Select(Format).ToList();
    }

    public static string Format(JournalEntry entry) => entry.Event switch
    {
        JournalEvent.Executed => Join(entry.ActivityId, "Executed", string.Join(",", entry.Outcomes ?? [])),
        JournalEvent.Resumed => Join(entry.ActivityId, "Resumed"),
        JournalEvent.Suspended or JournalEvent.Message or JournalEvent.Faulted => Join(entry.ActivityId, entry.Event.ToString(),
            entry.MessageKey is { } key ? new JournalMessage(key, entry.Arguments ?? []).ToString() : entry.Message),
        _ => entry.Event.ToString(),
    };

    private static string Join(params string?[] parts) => string.Join(" ", parts.Where(p => !string.IsNullOrEmpty(p)));
}
