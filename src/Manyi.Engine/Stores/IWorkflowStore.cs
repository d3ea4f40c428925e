using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Stores;

/// <summary>
/// What the runtime needs from storage. <see cref="SaveAsync"/> commits an instance and everything its burst
/// changed in one transaction, and refuses (with <see cref="ConcurrencyConflictException"/>) when another burst
/// saved the instance first.
/// </summary>
public interface IWorkflowStore
{
    Task<WorkflowDefinition?> FindDefinitionVersionAsync(string definitionVersionId, CancellationToken cancellationToken);

    Task<WorkflowDefinition?> FindPublishedDefinitionAsync(string definitionId, CancellationToken cancellationToken);

    /// <summary>
    /// The published definition usable as an activity whose activity type name is <paramref name="typeName"/>
    /// (<see cref="Activities.Composition.WorkflowDefinitionActivity.TypeNameOf"/>): Elsa finds a workflow used as an
    /// activity by its type, so a file naming a definition id this store does not have still runs the workflow of that name.
    /// </summary>
    Task<WorkflowDefinition?> FindPublishedWorkflowActivityAsync(string typeName, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken);

    /// <summary>Timer triggers due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredTrigger>> FindDueTriggersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a due timer trigger to its next instant (null: it will not fire again), only if it is still at the
    /// instant read; false when another node claimed this firing first.
    /// </summary>
    Task<bool> AdvanceTriggerAsync(StoredTrigger trigger, DateTimeOffset? next, CancellationToken cancellationToken);

    /// <summary>Ids of instances with a bookmark the stimulus matches.</summary>
    Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken);

    Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// Bookmarks with this name whose key names an instance that does not exist or has ended (Finished, Cancelled)
    /// without its end recorded (<see cref="RecordChildEndAsync"/>), oldest first: a parent's waits on children that
    /// were never started or whose end it missed.
    /// </summary>
    Task<IReadOnlyList<Bookmark>> FindBookmarksOnEndedOrMissingInstancesAsync(string name, int max, CancellationToken cancellationToken);

    /// <summary>Records a child's end for its parent, once: the same child's end recorded again changes nothing.</summary>
    Task RecordChildEndAsync(ChildEnd end, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the parent has a bookmark with this name for this child, and every bookmark of the same activity with
    /// this name names a child whose end is recorded: the parent's wait at that activity is over.
    /// </summary>
    Task<bool> WaitForChildrenOverAsync(string parentInstanceId, string childInstanceId, string name, CancellationToken cancellationToken);

    /// <summary>The recorded ends of the parent's children, in the order they were recorded.</summary>
    Task<IReadOnlyList<ChildEnd>> FindChildEndsAsync(string parentInstanceId, CancellationToken cancellationToken);

    /// <summary>
    /// One bookmark with this name of each (instance, activity) whose every bookmark with this name names a child
    /// whose end is recorded: waits that are over but whose parent was not resumed (a crash after the last end).
    /// </summary>
    Task<IReadOnlyList<Bookmark>> FindOverWaitsForChildrenAsync(string name, int max, CancellationToken cancellationToken);

    Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken);

    /// <summary>Keeps a stimulus that matched nothing, for a bookmark created shortly after.</summary>
    Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Removes and returns unexpired queued stimuli that match any of these bookmarks.</summary>
    Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A published definition's start activity that a stimulus with this name and key starts.</summary>
/// <summary>
/// A published definition's start activity that a stimulus with this name and key starts; a timer trigger also has
/// the instant it next starts the workflow by itself.
/// </summary>
public sealed record StoredTrigger(string DefinitionId, string DefinitionVersionId, string ActivityId, string Name, string? Key, DateTimeOffset? ResumeAt = null);

/// <summary>Another burst saved the instance first; reload it and try again.</summary>
public sealed class ConcurrencyConflictException(string instanceId)
    : Exception($"Workflow instance '{instanceId}' was changed by another execution.")
{
    public string InstanceId { get; } = instanceId;
}
