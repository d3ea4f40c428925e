using System.Diagnostics;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence;

namespace Manyi.CampaignBench;

/// <summary>
/// Where the time goes: the product's store (<see cref="SqlWorkflowStore"/>) with a stopwatch around the loads and
/// saves of instances, summed per definition. For the campaign instance it also sums its whole bursts — from the load
/// to the end of the save, the runtime's lock held throughout — since every participant that ends updates it.
/// </summary>
public sealed class TimedWorkflowStore(SqlWorkflowStore inner, StoreTimings timings) : IWorkflowStore
{
    private long _campaignLoadStarted;

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

    public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var instance = await inner.FindInstanceAsync(instanceId, cancellationToken);
        if (instance is not null)
        {
            timings.Add(instance.DefinitionId, load: Stopwatch.GetElapsedTime(started));
            if (instance.DefinitionId == CampaignYear.CampaignDefinitionId) _campaignLoadStarted = started;
        }
        return instance;
    }

    public Task<IReadOnlyList<Bookmark>> FindBookmarksOnEndedOrMissingInstancesAsync(string name, int max, CancellationToken cancellationToken) =>
        inner.FindBookmarksOnEndedOrMissingInstancesAsync(name, max, cancellationToken);

    public Task RecordChildEndAsync(ChildEnd end, CancellationToken cancellationToken) => inner.RecordChildEndAsync(end, cancellationToken);

    public Task<bool> WaitForChildrenOverAsync(string parentInstanceId, string childInstanceId, string name, CancellationToken cancellationToken) =>
        inner.WaitForChildrenOverAsync(parentInstanceId, childInstanceId, name, cancellationToken);

    public Task<IReadOnlyList<ChildEnd>> FindChildEndsAsync(string parentInstanceId, CancellationToken cancellationToken) =>
        inner.FindChildEndsAsync(parentInstanceId, cancellationToken);

    public Task<IReadOnlyList<Bookmark>> FindOverWaitsForChildrenAsync(string name, int max, CancellationToken cancellationToken) =>
        inner.FindOverWaitsForChildrenAsync(name, max, cancellationToken);

    public async Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await inner.SaveAsync(instance, burst, cancellationToken);
        timings.Add(instance.DefinitionId, save: Stopwatch.GetElapsedTime(started));
        if (instance.DefinitionId == CampaignYear.CampaignDefinitionId && _campaignLoadStarted != 0)
        {
            timings.AddCampaignBurst(Stopwatch.GetElapsedTime(_campaignLoadStarted));
            _campaignLoadStarted = 0;
        }
    }

    public Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        inner.QueueStimulusAsync(stimulus, expiresAt, cancellationToken);

    public Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.TakeQueuedStimuliAsync(bookmarks, now, cancellationToken);
}

/// <summary>The sums <see cref="TimedWorkflowStore"/> keeps, for the whole process.</summary>
public sealed class StoreTimings
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Sums> _sums = new(StringComparer.Ordinal);

    public int CampaignBursts { get; private set; }
    public TimeSpan CampaignBurstTime { get; private set; }

    public void Add(string definitionId, TimeSpan load = default, TimeSpan save = default)
    {
        lock (_lock)
        {
            var sums = _sums.GetValueOrDefault(definitionId);
            _sums[definitionId] = load > TimeSpan.Zero
                ? sums with { Loads = sums.Loads + 1, LoadTime = sums.LoadTime + load }
                : sums with { Saves = sums.Saves + 1, SaveTime = sums.SaveTime + save };
        }
    }

    public void AddCampaignBurst(TimeSpan elapsed)
    {
        lock (_lock)
        {
            CampaignBursts++;
            CampaignBurstTime += elapsed;
        }
    }

    public Sums this[string definitionId]
    {
        get { lock (_lock) return _sums.GetValueOrDefault(definitionId); }
    }

    /// <summary>A snapshot, to tell one step's share from the sums before and after it.</summary>
    public (Sums Campaign, Sums Participant, int Bursts, TimeSpan BurstTime) Snapshot()
    {
        lock (_lock)
            return (_sums.GetValueOrDefault(CampaignYear.CampaignDefinitionId), _sums.GetValueOrDefault(CampaignYear.ParticipantDefinitionId),
                CampaignBursts, CampaignBurstTime);
    }

    public readonly record struct Sums(int Loads, TimeSpan LoadTime, int Saves, TimeSpan SaveTime);
}
