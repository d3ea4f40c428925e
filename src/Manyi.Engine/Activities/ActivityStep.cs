using System.Text.Json.Nodes;

namespace Manyi.Engine.Activities;

/// <summary>What an activity did: completed with outcomes, or suspended on bookmarks.</summary>
public abstract record ActivityStep
{
    public static readonly ActivityStep Done = new Completed([Activity.Done]);

    /// <summary>Completed with no outcome: the branch ends here.</summary>
    public static readonly ActivityStep Ended = new Completed([]);

    public static ActivityStep CompleteWith(params string[] outcomes) => new Completed(outcomes);

    public static ActivityStep Suspend(BookmarkRequest bookmark) => new Suspended([bookmark]);

    public static ActivityStep Suspend(IEnumerable<BookmarkRequest> bookmarks) => new Suspended([.. bookmarks]);

    /// <summary>After a resume: the activity goes on waiting on its other bookmarks (a reminder went out, say).</summary>
    public static readonly ActivityStep KeepWaiting = new Suspended([]);

    /// <summary>Completed: the activity's remaining bookmarks (its deadline, its reminders) go with it.</summary>
    public sealed record Completed(IReadOnlyList<string> Outcomes) : ActivityStep;

    public sealed record Suspended(IReadOnlyList<BookmarkRequest> Bookmarks) : ActivityStep;

    /// <summary>Ends the whole workflow instance: cancels every other branch and bookmark.</summary>
    public sealed record FinishedWorkflow : ActivityStep;

    /// <summary>Completed, sending a signal up to the nearest container that receives it (Break, Complete).</summary>
    public sealed record Signalled(ActivitySignal Signal) : ActivityStep;
}

/// <summary>
/// What a waiting activity asks for: a bookmark <paramref name="Name"/> (usually the activity type) and a
/// <paramref name="Key"/> that a stimulus must carry (an event name, a task id), with a small payload.
/// </summary>
public sealed record BookmarkRequest(string Name, string? Key, JsonObject? Payload = null, DateTimeOffset? ResumeAt = null);
