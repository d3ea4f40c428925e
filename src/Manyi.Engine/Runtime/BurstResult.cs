namespace Manyi.Engine.Runtime;

/// <summary>
/// Everything one execution burst changed besides the instance row itself. A store commits the instance and all
/// of this in one transaction.
/// </summary>
public sealed class BurstResult
{
    public List<JournalEntry> Journal { get; } = [];
    public List<Bookmark> AddedBookmarks { get; } = [];
    public List<Bookmark> RemovedBookmarks { get; } = [];
    public List<Incident> AddedIncidents { get; } = [];
    public List<Incident> ResolvedIncidents { get; } = [];

    /// <summary>E-mails the burst sends: written to the outbox in the burst's transaction, delivered after it commits.</summary>
    public List<OutgoingEmail> Emails { get; } = [];

    /// <summary>Human tasks opened, closed or changed, in order; the store applies them before closing the tasks of removed bookmarks.</summary>
    public List<Tasks.TaskChange> TaskChanges { get; } = [];

    /// <summary>Child workflows this burst dispatched; started after the commit (their parent's bookmarks name them).</summary>
    public List<ChildDispatch> DispatchedChildren { get; } = [];

    /// <summary>The parent to tell, after the commit, that this instance (a dispatched child) ended.</summary>
    public string? EndedChildOf { get; set; }

    /// <summary>The revision the instance had when the burst began; the save must find it unchanged.</summary>
    public long ExpectedRevision { get; init; }

    /// <summary>Whether the instance is new (its first burst).</summary>
    public bool IsNewInstance { get; init; }
}

/// <summary>A child workflow to start: its id is chosen by the parent, so that starting it twice finds it started.</summary>
public sealed record ChildDispatch(string InstanceId, string ParentInstanceId, string DefinitionId, string? CorrelationId, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> Input);
