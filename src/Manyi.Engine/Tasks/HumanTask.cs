using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tasks;

/// <summary>
/// A human task (待办) a <see cref="Activities.Tasks.UserTask"/> opened: who should act, what they are asked, which
/// outcomes they may choose and by when. It waits on a bookmark named <see cref="BookmarkName"/> whose key is the
/// task's id, so the task is open exactly as long as that bookmark exists.
/// </summary>
public sealed record HumanTask(string Id, string ActivityId, string Title, TaskAssignment Assignment, IReadOnlyList<string> Outcomes, DateTimeOffset CreatedAt)
{
    public const string BookmarkName = "Manyi.UserTask";

    /// <summary>
    /// The stimulus that completes a task with an outcome and the form's (checked) data. It targets the task's instance
    /// and is never queued: if the task's bookmark is gone, the task was closed meanwhile.
    /// </summary>
    public static Stimulus Completion(string taskId, string instanceId, string outcome, JsonObject data, TaskActor by) =>
        new(BookmarkName, taskId)
        {
            WorkflowInstanceId = instanceId,
            QueueIfUnmatched = false,
            Input = new Dictionary<string, JsonNode?>
            {
                ["outcome"] = outcome, ["data"] = data.DeepClone(), ["userId"] = by.UserId, ["userName"] = by.Name,
            },
        };

    /// <summary>The stimulus that withdraws one task; the workflow goes on without it.</summary>
    public static Stimulus Cancellation(string taskId, string instanceId, string reason, TaskActor by) =>
        new(BookmarkName, taskId)
        {
            WorkflowInstanceId = instanceId,
            QueueIfUnmatched = false,
            Input = new Dictionary<string, JsonNode?> { ["cancel"] = true, ["reason"] = reason, ["userId"] = by.UserId, ["userName"] = by.Name },
        };

    public string InstanceId { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public string? Stage { get; init; }
    public string? Description { get; init; }

    /// <summary>The form's definition as JSON (see <see cref="Forms.FormDefinition"/>), null for a task without one.</summary>
    public JsonNode? Form { get; init; }

    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>Who a task is for: a user, everyone in a role, or the participants of an organization (any combination narrows nothing: each is a way in).</summary>
public sealed record TaskAssignment(string? UserId, string? Role, string? OrganizationId);

public enum HumanTaskStatus
{
    Open,
    Completed,

    /// <summary>The workflow no longer waits for it: cancelled, finished elsewhere, or another branch won a join.</summary>
    Cancelled,

    /// <summary>Its deadline passed and the activity ended with <c>Overdue</c>.</summary>
    Expired,
}

/// <summary>Who completed a task.</summary>
public sealed record TaskActor(string UserId, string Name);

/// <summary>A change to a task, committed with the burst that made it.</summary>
public abstract record TaskChange(string TaskId)
{
    public sealed record Opened(HumanTask Task) : TaskChange(Task.Id);

    public sealed record Closed(string TaskId, HumanTaskStatus Status, DateTimeOffset At, string? Outcome = null, TaskActor? By = null, JsonObject? Data = null)
        : TaskChange(TaskId);

    /// <summary>The deadline passed and the task stays open, flagged overdue.</summary>
    public sealed record FlaggedOverdue(string TaskId) : TaskChange(TaskId);

    /// <summary>An administrator moved the deadline.</summary>
    public sealed record Rescheduled(string TaskId, DateTimeOffset DueAt) : TaskChange(TaskId);
}

/// <summary>
/// Where the engine learns about people: who gets a task's reminders now (the assignee may have changed since the task
/// opened), and what organizations are called. The web host reads users, roles and organizations; the default knows nobody.
/// </summary>
public interface ITaskDirectory
{
    Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken);

    /// <summary>The catalogue's names of the organizations among these ids, by id; an id it does not know is left out.</summary>
    Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken);

    /// <summary>
    /// The e-mail addresses of reminder recipients as an author named them (<see cref="Recipients"/>): a typed address as
    /// it is, a role (<c>role:Administrator</c>) as its members' addresses now, a user (<c>user:{id}</c>) as that
    /// person's address now. By default only typed addresses are known.
    /// </summary>
    Task<IReadOnlyList<string>> AddressesAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. recipients.Where(r => !Recipients.IsReference(r))]);
}

/// <summary>
/// A reminder or escalation recipient as stored in a workflow: a typed e-mail address, or a reference resolved when the
/// message is sent — a role's members (<c>role:Administrator</c>, the secretariat) or one user (<c>user:{id}</c>).
/// </summary>
public static class Recipients
{
    public const string RolePrefix = "role:";
    public const string UserPrefix = "user:";

    public static string Role(string role) => RolePrefix + role;

    public static string User(string userId) => UserPrefix + userId;

    public static bool IsReference(string entry) =>
        entry.StartsWith(RolePrefix, StringComparison.Ordinal) || entry.StartsWith(UserPrefix, StringComparison.Ordinal);

    /// <summary>What is wrong with one entry, or null: an empty reference, or text that is no e-mail address.</summary>
    public static string? Problem(string entry)
    {
        var text = entry.Trim();
        if (text.StartsWith(RolePrefix, StringComparison.Ordinal))
            return text.Length > RolePrefix.Length ? null : "'role:' names no role";
        if (text.StartsWith(UserPrefix, StringComparison.Ordinal))
            return text.Length > UserPrefix.Length ? null : "'user:' names no user";
        return System.Net.Mail.MailAddress.TryCreate(text, out var address) && address.Address == text && text.Contains('.', StringComparison.Ordinal)
            ? null
            : $"'{text}' is not a valid e-mail address";
    }
}

public sealed class NoTaskDirectory : ITaskDirectory
{
    public Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}
