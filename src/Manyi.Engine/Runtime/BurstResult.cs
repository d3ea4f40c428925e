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

    /// <summary>The revision the instance had when the burst began; the save must find it unchanged.</summary>
    public long ExpectedRevision { get; init; }

    /// <summary>Whether the instance is new (its first burst).</summary>
    public bool IsNewInstance { get; init; }
}
