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
/// shape does, so that a stored blob can be upgraded rather than misread (<see cref="WorkflowStateUpgrade"/>).
/// </summary>
public sealed class WorkflowState
{
    /// <summary>
    /// 2: activity execution contexts (a composite tree) instead of one flat flowchart's queue and tokens.
    /// 3: a context may keep its iteration's activity outputs (<see cref="ExecutionContextState.Outputs"/>).
    /// </summary>
    public const int CurrentFormatVersion = 3;

    /// <summary>The context of the workflow's root activity.</summary>
    public const string RootContextId = "root";

    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>The instance that dispatched this one (Elsa.DispatchWorkflow) and waits for it to end, if any.</summary>
    public string? ParentInstanceId { get; set; }

    /// <summary>The activity the run started at; the root flowchart's loop and join analysis depends on it.</summary>
    public string? StartActivityId { get; set; }

    public Dictionary<string, JsonNode?> Variables { get; set; } = [];
    public Dictionary<string, JsonNode?> Input { get; set; } = [];

    /// <summary>The workflow's outputs (Elsa.SetOutput), by name; a parent that executed this instance receives them.</summary>
    public Dictionary<string, JsonNode?> Output { get; set; } = [];

    /// <summary>The instance's name, if an Elsa.SetName gave it one.</summary>
    public string? Name { get; set; }

    /// <summary>Outputs of completed activities, by activity id.</summary>
    public Dictionary<string, Dictionary<string, JsonNode?>> ActivityOutputs { get; set; } = [];

    public JsonNode? LastResult { get; set; }

    /// <summary>Activities scheduled but not yet run, each for the context that owns it; only non-empty while running or after a fault.</summary>
    public List<WorkItem> Queue { get; set; } = [];

    /// <summary>The activity execution contexts still alive: running containers and activities that wait on bookmarks.</summary>
    public List<ExecutionContextState> Contexts { get; set; } = [];

    /// <summary>The context that created each bookmark, by bookmark id; resuming a bookmark resumes that context.</summary>
    public Dictionary<string, string> BookmarkOwners { get; set; } = [];

    /// <summary>The number the next context id is made from.</summary>
    public long NextContextId { get; set; } = 1;

    /// <summary>The next journal sequence number.</summary>
    public long JournalSequence { get; set; }

    /// <summary>
    /// Reminder ladders an administrator set for this instance, by activity id; they replace the definition's ladder,
    /// so that a ladder changed mid-campaign reaches instances pinned to an older version.
    /// </summary>
    public Dictionary<string, Calendar.ReminderLadder> ReminderLadders { get; set; } = [];

    public ExecutionContextState? FindContext(string id) => Contexts.Find(c => c.Id == id);

    /// <summary>
    /// Where a bookmark waits: the activities of the contexts that contain the one that made it, outermost first (the
    /// root's activity first), not the waiting activity itself; empty when the bookmark's context is not known.
    /// </summary>
    public IReadOnlyList<string> ContainerPath(string bookmarkId)
    {
        var path = new List<string>();
        var context = BookmarkOwners.TryGetValue(bookmarkId, out var ownerId) ? FindContext(ownerId) : null;
        for (var parent = context?.ParentId is { } id ? FindContext(id) : null; parent is not null; parent = parent.ParentId is { } next ? FindContext(next) : null)
            if (parent.ActivityId is { } activityId) path.Insert(0, activityId);
        return path;
    }
}

/// <summary>
/// One activity execution context: an activity running (a container with children under way) or waiting (on its
/// bookmarks), the context that owns it, and the small state it keeps between calls.
/// </summary>
public sealed class ExecutionContextState
{
    public required string Id { get; init; }

    /// <summary>The activity; null only for the root context of an upgraded format-1 state, filled in when loaded.</summary>
    public string? ActivityId { get; set; }

    /// <summary>The owner's context; null for the root.</summary>
    public string? ParentId { get; init; }

    /// <summary>What the owner passed when it scheduled this activity (a branch, an iteration's item).</summary>
    public JsonNode? Tag { get; set; }

    /// <summary>
    /// Variables local to this context and what runs under it (a sequence's declared variables, a loop body's
    /// CurrentValue and CurrentIndex); null when it has none.
    /// </summary>
    public Dictionary<string, JsonNode?>? Variables { get; set; }

    /// <summary>
    /// Outputs of the activities run inside this context, by activity id, when it is one iteration of a container that
    /// keeps its iterations apart (ParallelForEach); null otherwise.
    /// </summary>
    public Dictionary<string, Dictionary<string, JsonNode?>>? Outputs { get; set; }

    /// <summary>A container's own small state (a sequence's next index, a loop's current item…).</summary>
    public Dictionary<string, JsonNode?> Properties { get; set; } = [];

    /// <summary>
    /// A flowchart's tokens that arrived at activities with several inbound connections, by target activity id and
    /// then by connection index: true for a branch that was taken, false for one that was not.
    /// </summary>
    public Dictionary<string, Dictionary<int, bool>> Tokens { get; set; } = [];

    /// <summary>
    /// A flowchart's loop exits (connection indexes) that a round did not take while the loop had more rounds to go.
    /// Each gets its dead token once its loop has no work left, unless a later round takes it.
    /// </summary>
    public List<int> HeldLoopExits { get; set; } = [];
}

/// <summary>
/// An activity scheduled for the context <paramref name="OwnerId"/> (null: the workflow's root). With
/// <paramref name="Completed"/> set it is not a run but a completion still to deliver to the owner (after a fault in
/// the owner's callback), with the completed child's outcomes.
/// </summary>
public sealed record WorkItem(string ActivityId, string? OwnerId, JsonNode? Tag = null, IReadOnlyList<string>? Completed = null)
{
    /// <summary>Variables local to the context the activity will run in (a loop body's current item).</summary>
    public Dictionary<string, JsonNode?>? Variables { get; init; }
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
    IReadOnlyList<string>? Outcomes = null,
    string? MessageKey = null,
    JsonObject? Arguments = null);

/// <summary>
/// A journal line as data: what happened (<see cref="Key"/>, a constant of a <c>JournalKeys</c> class next to the
/// activities that write it) and its arguments (names, counts, instants in ISO 8601, codes). The engine writes no prose
/// a person must read in one language: the web's catalogue words each key in Chinese and English, and the raw view shows
/// the key and arguments as stored. Free text an author wrote (<c>WriteLine</c>) and an exception's message stay text.
/// </summary>
public sealed record JournalMessage(string Key, JsonObject Arguments)
{
    public JournalMessage(string key) : this(key, []) { }

    /// <summary>The key and its arguments in one line, as the raw view and the tests read them.</summary>
    public override string ToString() => Arguments.Count == 0 ? Key : $"{Key} {Arguments.ToJsonString(Readable)}";

    private static readonly System.Text.Json.JsonSerializerOptions Readable =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

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
