namespace Manyi.Engine.Runtime;

/// <summary>
/// The engine's journal lines (<see cref="JournalMessage"/>), each with the arguments it carries. The web's catalogue has
/// the words for every key here (a test checks it); a new line is a new key, its arguments and its words there.
/// Instants are ISO 8601 text; <c>organization</c> is an organization's name, never its id.
/// </summary>
public static class JournalKeys
{
    /// <summary>The definition version the run started on: <c>version</c>.</summary>
    public const string Started = "workflow.started";

    /// <summary>An administrator moved the instance to another version: <c>from</c>, <c>to</c>, <c>by</c>, <c>reason</c>.</summary>
    public const string Migrated = "workflow.migrated";

    /// <summary>An incident was retried (the line is the faulted activity's): no arguments.</summary>
    public const string IncidentRetried = "incident.retried";

    /// <summary>A branch goes on after an incident elsewhere: no arguments (the incident is on the instance).</summary>
    public const string ContinuedAfterIncident = "incident.continued";

    /// <summary>A join went on along another branch and cancelled this one: <c>join</c> (the join's name, or null).</summary>
    public const string CancelledByJoin = "branch.cancelled-by-join";

    /// <summary>A human task activity opened its tasks: <c>count</c>, <c>title</c>.</summary>
    public const string TasksOpened = "task.opened";

    /// <summary>A task was completed: <c>outcome</c> (a code), <c>by</c> (a person's name), <c>organization</c> (or null).</summary>
    public const string TaskCompleted = "task.completed";

    /// <summary>A task was cancelled: <c>by</c>, <c>reason</c>, <c>organization</c> (or null).</summary>
    public const string TaskCancelled = "task.cancelled";

    /// <summary>A task came in at or after its deadline and was refused: <c>at</c>, <c>deadline</c>, <c>organization</c> (or null).</summary>
    public const string TaskRefusedLate = "task.refused-late";

    /// <summary>The deadline passed and the activity stays open (deadline behaviour Flag): no arguments.</summary>
    public const string DeadlinePassed = "deadline.passed";

    /// <summary>An administrator moved the deadline: <c>deadline</c>, <c>by</c>, <c>reason</c>.</summary>
    public const string DeadlineMoved = "deadline.moved";

    /// <summary>An administrator changed the reminder ladder: <c>by</c>, <c>reason</c>.</summary>
    public const string RemindersChanged = "reminders.changed";

    /// <summary>A reminder went out: <c>step</c> (<c>before-3</c>, <c>at</c>, …), <c>to</c> (the addresses).</summary>
    public const string ReminderSent = "reminder.sent";

    /// <summary>A reminder had nobody to go to: <c>step</c>.</summary>
    public const string ReminderUnsent = "reminder.unsent";

    /// <summary>Child workflows started: <c>count</c>, <c>definition</c> (its name), <c>definitionId</c>, <c>waiting</c> (true/false).</summary>
    public const string ChildrenDispatched = "children.dispatched";

    /// <summary>A workflow runs as a step: <c>definition</c> (its name), <c>definitionId</c>.</summary>
    public const string ChildExecuting = "child.executing";

    /// <summary>An HTTP request was answered: <c>method</c>, <c>url</c>, <c>status</c>.</summary>
    public const string HttpAnswered = "http.answered";

    /// <summary>An HTTP request could not connect: <c>method</c>, <c>url</c>, <c>error</c>.</summary>
    public const string HttpFailed = "http.failed";

    /// <summary>An HTTP request had no answer in time: <c>method</c>, <c>url</c>, <c>seconds</c>.</summary>
    public const string HttpTimedOut = "http.timed-out";
}
