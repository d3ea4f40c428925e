using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>Every stimulus is applied exactly once, however many arrive at once and however many runtimes share the store.</summary>
public sealed class ConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fifty_parallel_stimuli_to_one_instance_are_each_applied_exactly_once()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/tick-counter.json");
        var instance = await engine.StartAsync(definition);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            await using var scope = engine.Services.CreateAsyncScope();
            var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
            return await runtime.SendStimulusAsync(TestEngine.Event("tick"), Ct);
        }, Ct)));

        Assert.All(results, r => Assert.Equal(instance.Id, Assert.Single(r.Resumed).Id));
        Assert.DoesNotContain(results, r => r.Queued);
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(50, stored.State.Variables["ticks"]!.GetValue<int>());
        Assert.Equal(WorkflowStatus.Suspended, stored.Status);
        Assert.Single(stored.Bookmarks);
        Assert.Equal(51, stored.Revision);
        Assert.Equal(50, engine.Steps(instance.Id).Count(s => s == "wait Resumed"));
    }

    [Fact]
    public async Task Two_runtimes_sharing_one_store_apply_every_stimulus_exactly_once()
    {
        await using var first = new TestEngine();
        await using var second = new TestEngine(wrapStore: _ => first.Store);
        var definition = await first.PublishAsync("Flowcharts/tick-counter.json");
        var instance = await first.StartAsync(definition);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var engine = i % 2 == 0 ? first : second;
            await using var scope = engine.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(TestEngine.Event("tick"), Ct);
        }, Ct)));

        Assert.All(results, r => Assert.Single(r.Resumed));
        Assert.Equal(40, (await first.LoadAsync(instance.Id)).State.Variables["ticks"]!.GetValue<int>());
        Assert.Equal(40, first.Steps(instance.Id).Count(s => s == "wait Resumed"));
    }

    [Fact]
    public async Task Burst_that_loses_the_race_to_another_node_is_rerun_from_a_fresh_load_and_applied_once()
    {
        RacingStore? racing = null;
        await using var engine = new TestEngine(wrapStore: inner => racing = new RacingStore(inner, races: 1));
        var definition = await engine.PublishAsync("Flowcharts/tick-counter.json");
        var instance = await engine.StartAsync(definition);

        var result = await engine.SendEventAsync("tick");

        Assert.Equal(1, racing!.Races);
        var resumed = Assert.Single(result.Resumed);
        Assert.Equal(1, resumed.State.Variables["ticks"]!.GetValue<int>());
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(1, stored.State.Variables["ticks"]!.GetValue<int>());
        Assert.Equal(3, stored.Revision); // started, saved by the other node, resumed
        Assert.Single(engine.Steps(instance.Id), s => s == "wait Resumed");
    }

    [Fact]
    public async Task Conflicts_beyond_the_retry_limit_surface_instead_of_being_swallowed()
    {
        await using var engine = new TestEngine(
            wrapStore: inner => new RacingStore(inner, races: int.MaxValue),
            options: new RuntimeOptions { MaxConcurrencyRetries = 3 });
        var definition = await engine.PublishAsync("Flowcharts/tick-counter.json");
        var instance = await engine.StartAsync(definition);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => engine.SendEventAsync("tick"));

        Assert.Equal(0, (await engine.LoadAsync(instance.Id)).State.Variables["ticks"]!.GetValue<int>());
    }

    /// <summary>Plays another node that saves the same instance just before this one, a given number of times.</summary>
    private sealed class RacingStore(InMemoryWorkflowStore inner, int races) : IWorkflowStore
    {
        public int Races { get; private set; }

        public async Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken)
        {
            if (!burst.IsNewInstance && Races < races)
            {
                Races++;
                var other = (await inner.FindInstanceAsync(instance.Id, cancellationToken))!;
                await inner.SaveAsync(other, new BurstResult { ExpectedRevision = other.Revision }, cancellationToken);
            }
            await inner.SaveAsync(instance, burst, cancellationToken);
        }

        public Task<WorkflowDefinition?> FindDefinitionVersionAsync(string definitionVersionId, CancellationToken cancellationToken) =>
            inner.FindDefinitionVersionAsync(definitionVersionId, cancellationToken);
        public Task<WorkflowDefinition?> FindPublishedDefinitionAsync(string definitionId, CancellationToken cancellationToken) =>
            inner.FindPublishedDefinitionAsync(definitionId, cancellationToken);
        public Task<WorkflowDefinition?> FindPublishedWorkflowActivityAsync(string typeName, CancellationToken cancellationToken) =>
            inner.FindPublishedWorkflowActivityAsync(typeName, cancellationToken);
        public Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken) =>
            inner.FindTriggersAsync(name, key, cancellationToken);

        public Task<IReadOnlyList<StoredTrigger>> FindDueTriggersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
            inner.FindDueTriggersAsync(now, max, cancellationToken);

        public Task<bool> AdvanceTriggerAsync(StoredTrigger trigger, DateTimeOffset? next, CancellationToken cancellationToken) =>
            inner.AdvanceTriggerAsync(trigger, next, cancellationToken);
        public Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken) =>
            inner.FindInstancesWithBookmarksAsync(stimulus, cancellationToken);
        public Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
            inner.FindInstanceAsync(instanceId, cancellationToken);

        public Task<IReadOnlyList<Bookmark>> FindBookmarksOnEndedOrMissingInstancesAsync(string name, int max, CancellationToken cancellationToken) =>
            inner.FindBookmarksOnEndedOrMissingInstancesAsync(name, max, cancellationToken);
        public Task RecordChildEndAsync(ChildEnd end, CancellationToken cancellationToken) => inner.RecordChildEndAsync(end, cancellationToken);
        public Task<bool> WaitForChildrenOverAsync(string parentInstanceId, string childInstanceId, string name, CancellationToken cancellationToken) =>
            inner.WaitForChildrenOverAsync(parentInstanceId, childInstanceId, name, cancellationToken);
        public Task<IReadOnlyList<ChildEnd>> FindChildEndsAsync(string parentInstanceId, CancellationToken cancellationToken) =>
            inner.FindChildEndsAsync(parentInstanceId, cancellationToken);
        public Task<IReadOnlyList<Bookmark>> FindOverWaitsForChildrenAsync(string name, int max, CancellationToken cancellationToken) =>
            inner.FindOverWaitsForChildrenAsync(name, max, cancellationToken);
        public Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            inner.QueueStimulusAsync(stimulus, expiresAt, cancellationToken);
        public Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.TakeQueuedStimuliAsync(bookmarks, now, cancellationToken);
    }
}
