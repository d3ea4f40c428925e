using System.Text.Json;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Engine.Serialization;

namespace Manyi.Engine.Stores;

/// <summary>
/// A store in memory, for engine tests and tools. It keeps instances as serialised snapshots so that, like a
/// database, a loaded instance never aliases the stored one, and it checks revisions like the real stores.
/// </summary>
public sealed class InMemoryWorkflowStore : IWorkflowStore
{
    private static readonly JsonSerializerOptions SnapshotOptions = new() { IncludeFields = false };
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowDefinition> _definitions = [];
    private readonly Dictionary<string, string> _instances = [];
    private readonly List<StoredTrigger> _triggers = [];
    private readonly List<(Stimulus Stimulus, DateTimeOffset ExpiresAt)> _queued = [];
    private readonly List<ChildEnd> _childEnds = [];

    public List<JournalEntry> Journal { get; } = [];

    /// <summary>The outbox: e-mails committed by bursts, each key once.</summary>
    public List<OutgoingEmail> Outbox { get; } = [];

    /// <summary>Human tasks by id, as the tasks table would hold them.</summary>
    public Dictionary<string, InMemoryTask> Tasks { get; } = [];

    /// <summary>Adds a definition version; when published, it replaces the definition's previously published version.</summary>
    public void AddDefinition(WorkflowDefinition definition, IReadOnlyList<StoredTrigger>? triggers = null)
    {
        lock (_gate)
        {
            var copy = ElsaJson.Read(ElsaJson.Write(definition));
            if (copy.IsPublished)
            {
                foreach (var other in _definitions.Values.Where(d => d.DefinitionId == copy.DefinitionId))
                    other.IsPublished = false;
                _triggers.RemoveAll(t => t.DefinitionId == copy.DefinitionId);
                _triggers.AddRange(triggers ?? []);
            }
            _definitions[copy.Id] = copy;
        }
    }

    public Task<WorkflowDefinition?> FindDefinitionVersionAsync(string definitionVersionId, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_definitions.GetValueOrDefault(definitionVersionId));
    }

    public Task<WorkflowDefinition?> FindPublishedDefinitionAsync(string definitionId, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_definitions.Values.FirstOrDefault(d => d.DefinitionId == definitionId && d.IsPublished));
    }

    public Task<WorkflowDefinition?> FindPublishedWorkflowActivityAsync(string typeName, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_definitions.Values
                .Where(d => d.IsPublished && Activities.Composition.WorkflowActivityCatalog.IsUsableAsActivity(d)
                            && Activities.Composition.WorkflowDefinitionActivity.TypeNameOf(d) == typeName)
                .OrderBy(d => d.DefinitionId, StringComparer.Ordinal).FirstOrDefault());
    }

    public Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<StoredTrigger>>(_triggers.Where(t => t.Name == name && t.Key == key).ToList());
    }

    public Task<IReadOnlyList<StoredTrigger>> FindDueTriggersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<StoredTrigger>>(
                _triggers.Where(t => t.ResumeAt <= now).OrderBy(t => t.ResumeAt).Take(max).ToList());
    }

    public Task<bool> AdvanceTriggerAsync(StoredTrigger trigger, DateTimeOffset? next, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _triggers.IndexOf(trigger);
            if (index < 0) return Task.FromResult(false);
            _triggers[index] = trigger with { ResumeAt = next };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<string>>(_instances.Values
                .Select(Restore)
                .Where(i => i.Bookmarks.Any(stimulus.Matches))
                .OrderBy(i => i.CreatedAt)
                .Select(i => i.Id)
                .ToList());
    }

    public Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_instances.TryGetValue(instanceId, out var json) ? Restore(json) : null);
    }

    public Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stored = _instances.TryGetValue(instance.Id, out var json) ? Restore(json) : null;
            if (burst.IsNewInstance ? stored is not null : stored?.Revision != burst.ExpectedRevision)
                throw new ConcurrencyConflictException(instance.Id);
            instance.Revision = burst.ExpectedRevision + 1;
            _instances[instance.Id] = JsonSerializer.Serialize(instance, SnapshotOptions);
            Journal.AddRange(burst.Journal);
            Outbox.AddRange(burst.Emails.Where(e => Outbox.All(o => o.Key != e.Key)).DistinctBy(e => e.Key));
            foreach (var change in burst.TaskChanges) Apply(change);
            foreach (var removed in burst.RemovedBookmarks.Where(b => b.Name == HumanTask.BookmarkName))
                if (Tasks.TryGetValue(removed.Key!, out var task) && task.Status == HumanTaskStatus.Open)
                    task.Status = HumanTaskStatus.Cancelled;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Bookmark>> FindBookmarksOnEndedOrMissingInstancesAsync(string name, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var instances = _instances.Values.Select(Restore).ToDictionary(i => i.Id);
            return Task.FromResult<IReadOnlyList<Bookmark>>(instances.Values.SelectMany(i => i.Bookmarks)
                .Where(b => b.Name == name && (!instances.TryGetValue(b.Key!, out var keyed) || keyed.IsEnded && !IsRecorded(b)))
                .OrderBy(b => b.CreatedAt).Take(max).ToList());
        }
    }

    public Task RecordChildEndAsync(ChildEnd end, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (!_childEnds.Any(e => e.ParentInstanceId == end.ParentInstanceId && e.ChildInstanceId == end.ChildInstanceId))
                _childEnds.Add(end with { Report = end.Report.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) });
        return Task.CompletedTask;
    }

    public Task<bool> WaitForChildrenOverAsync(string parentInstanceId, string childInstanceId, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var bookmarks = _instances.TryGetValue(parentInstanceId, out var json) ? Restore(json).Bookmarks : [];
            return Task.FromResult(bookmarks.FirstOrDefault(b => b.Name == name && b.Key == childInstanceId) is { } bookmark
                && bookmarks.Where(b => b.Name == name && b.ActivityId == bookmark.ActivityId).All(IsRecorded));
        }
    }

    public Task<IReadOnlyList<ChildEnd>> FindChildEndsAsync(string parentInstanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<ChildEnd>>(_childEnds.Where(e => e.ParentInstanceId == parentInstanceId)
                .Select(e => e with { Report = e.Report.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) }).ToList());
    }

    public Task<IReadOnlyList<Bookmark>> FindOverWaitsForChildrenAsync(string name, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Bookmark>>(_instances.Values.Select(Restore)
                .SelectMany(i => i.Bookmarks.Where(b => b.Name == name).GroupBy(b => b.ActivityId))
                .Where(wait => wait.All(IsRecorded)).Select(wait => wait.First()).Take(max).ToList());
    }

    /// <summary>Whether the child a parent's bookmark names has its end recorded.</summary>
    private bool IsRecorded(Bookmark bookmark) =>
        _childEnds.Any(e => e.ParentInstanceId == bookmark.InstanceId && e.ChildInstanceId == bookmark.Key);

    public Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_gate) _queued.Add((stimulus, expiresAt));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _queued.RemoveAll(q => q.ExpiresAt <= now);
            var taken = _queued.Where(q => bookmarks.Any(q.Stimulus.Matches)).ToList();
            foreach (var q in taken) _queued.Remove(q);
            return Task.FromResult<IReadOnlyList<Stimulus>>(taken.Select(q => q.Stimulus).ToList());
        }
    }

    private void Apply(TaskChange change)
    {
        if (change is TaskChange.Opened opened)
        {
            Tasks[opened.TaskId] = new InMemoryTask(opened.Task) { DueAt = opened.Task.DueAt };
            return;
        }
        var task = Tasks[change.TaskId];
        switch (change)
        {
            case TaskChange.Closed closed:
                (task.Status, task.ClosedAt, task.Outcome, task.ClosedBy, task.Data) = (closed.Status, closed.At, closed.Outcome, closed.By, closed.Data);
                break;
            case TaskChange.FlaggedOverdue:
                task.IsOverdue = true;
                break;
            case TaskChange.Rescheduled rescheduled:
                (task.DueAt, task.IsOverdue) = (rescheduled.DueAt, false);
                break;
        }
    }

    private static WorkflowInstance Restore(string json) => JsonSerializer.Deserialize<WorkflowInstance>(json, SnapshotOptions)!;
}

/// <summary>A task row of <see cref="InMemoryWorkflowStore"/>.</summary>
public sealed class InMemoryTask(HumanTask task)
{
    public HumanTask Task { get; } = task;
    public HumanTaskStatus Status { get; set; } = HumanTaskStatus.Open;
    public bool IsOverdue { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? Outcome { get; set; }
    public TaskActor? ClosedBy { get; set; }
    public System.Text.Json.Nodes.JsonObject? Data { get; set; }
}
