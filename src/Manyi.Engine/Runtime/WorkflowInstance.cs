using System.Text.Json.Nodes;

namespace Manyi.Engine.Runtime;

public enum WorkflowStatus
{
    Running,
    Suspended,
    Finished,
    Cancelled,
    Faulted,
}

/// <summary>One run of one definition version. Pinned to that version for its whole life, unless a migration re-pins it (<see cref="WorkflowRuntime.MigrateAsync"/>).</summary>
public sealed class WorkflowInstance
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string DefinitionVersionId { get; set; }
    public required int Version { get; set; }
    public string? CorrelationId { get; set; }
    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public WorkflowState State { get; set; } = new();
    public List<Bookmark> Bookmarks { get; set; } = [];
    public List<Incident> Incidents { get; set; } = [];

    /// <summary>Incremented by every saved burst; a save that finds another revision is a concurrency conflict.</summary>
    public long Revision { get; set; }

    public bool IsEnded => Status is WorkflowStatus.Finished or WorkflowStatus.Cancelled;
}

/// <summary>
/// The serialised runtime state of an instance (the "state blob"). <see cref="FormatVersion"/> changes whenever its
/// shape does, so that a stored blob can be upgraded rather than misread.
/// </summary>
public sealed class WorkflowState
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>The instance that dispatched this one (Elsa.DispatchWorkflow) and waits for it to end, if any.</summary>
    public string? ParentInstanceId { get; set; }

    /// <summary>The activity the run started at; the flowchart's loop and join analysis depends on it.</summary>
    public string? StartActivityId { get; set; }

    public Dictionary<string, JsonNode?> Variables { get; set; } = [];
    public Dictionary<string, JsonNode?> Input { get; set; } = [];

    /// <summary>Outputs of completed activities, by activity id.</summary>
    public Dictionary<string, Dictionary<string, JsonNode?>> ActivityOutputs { get; set; } = [];

    public JsonNode? LastResult { get; set; }

    /// <summary>Activities scheduled but not yet run; only non-empty while running or after a fault.</summary>
    public List<string> Queue { get; set; } = [];

    /// <summary>
    /// Tokens that arrived at activities with several inbound connections, by target activity id and then by
    /// connection index: true for a branch that was taken, false for one that was not.
    /// </summary>
    public Dictionary<string, Dictionary<int, bool>> Tokens { get; set; } = [];

    /// <summary>
    /// Exits of loops (connection indexes) that a round did not take while the loop had more rounds to go. Each gets
    /// its dead token once its loop has no work left, unless a later round takes it.
    /// </summary>
    public List<int> HeldLoopExits { get; set; } = [];

    /// <summary>The next journal sequence number.</summary>
    public long JournalSequence { get; set; }

    /// <summary>
    /// Reminder ladders an administrator set for this instance, by activity id; they replace the definition's ladder,
    /// so that a ladder changed mid-campaign reaches instances pinned to an older version.
    /// </summary>
    public Dictionary<string, Calendar.ReminderLadder> ReminderLadders { get; set; } = [];
}

/// <summary>A suspended activity waiting for a stimulus with this name and key.</summary>
public sealed record Bookmark(
    string Id,
    string InstanceId,
    string ActivityId,
    string Name,
    string? Key,
    string? CorrelationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ResumeAt = null,
    JsonObject? Payload = null)
{
    /// <summary>The scheduler's job for a timer bookmark, once scheduled; the store keeps it, the engine only carries it.</summary>
    public string? JobId { get; init; }

    /// <summary>The longest key a store must hold; a longer one faults the activity that asked for it.</summary>
    public const int MaxKeyLength = 256;
}

/// <summary>A fault inside an instance: which activity, what went wrong, when; resolved by a retry.</summary>
public sealed record Incident(
    string Id,
    string ActivityId,
    string ActivityType,
    string Message,
    string? ExceptionType,
    DateTimeOffset At,
    DateTimeOffset? ResolvedAt = null);

/// <summary>One line of the execution journal.</summary>
public sealed record JournalEntry(
    string InstanceId,
    long Sequence,
    DateTimeOffset At,
    string? ActivityId,
    string? ActivityType,
    string? ActivityName,
    JournalEvent Event,
    string? Message = null,
    IReadOnlyList<string>? Outcomes = null);

public enum JournalEvent
{
    WorkflowStarted,
    Executed,
    Suspended,
    Resumed,
    Message,
    Faulted,
    Retried,
    WorkflowFinished,
    WorkflowCancelled,
    WorkflowFaulted,
}

/// <summary>
/// Something that happened outside the instance: an event, a completed task, a due timer. One entry point
/// (<see cref="WorkflowRuntime.SendStimulusAsync"/>) resumes every bookmark it matches and starts every
/// workflow whose trigger it matches.
/// </summary>
public sealed record Stimulus(string Name, string? Key)
{
    public string? CorrelationId { get; init; }
    public string? WorkflowInstanceId { get; init; }
    public string? BookmarkId { get; init; }
    public Dictionary<string, JsonNode?> Input { get; init; } = [];

    /// <summary>
    /// Whether a stimulus that matches nothing waits a while for its bookmark. Not for a task's completion: its bookmark
    /// is known to exist, and if it is gone, the task was closed meanwhile.
    /// </summary>
    public bool QueueIfUnmatched { get; init; } = true;

    /// <summary>Whether this stimulus may start new instances through triggers (not when it targets one instance).</summary>
    public bool MayStart => WorkflowInstanceId is null && BookmarkId is null;

    public bool Matches(Bookmark bookmark) =>
        bookmark.Name == Name
        && (BookmarkId is not null ? bookmark.Id == BookmarkId : bookmark.Key == Key)
        && (WorkflowInstanceId is null || bookmark.InstanceId == WorkflowInstanceId)
        && (CorrelationId is null || bookmark.CorrelationId == CorrelationId);
}

/// <summary>What an activity is told when one of its bookmarks is resumed.</summary>
public sealed record ResumeContext(Bookmark Bookmark, Stimulus Stimulus);
