using System.Text.Json;
using Manyi.Persistence.Records;

namespace Manyi.Persistence.Audit;

/// <summary>Who an audit line names: the signed-in user of the request (or page), or nobody for the system's own work.</summary>
public interface IAuditActor
{
    string? UserId { get; }
    string? UserName { get; }

    /// <summary>The client's address, when there is a client.</summary>
    string? Address { get; }
}

/// <summary>No user: a background job, a tool, a test without a web host.</summary>
public sealed class SystemAuditActor : IAuditActor
{
    public string? UserId => null;
    public string? UserName => null;
    public string? Address => null;
}

/// <summary>
/// Adds lines to the audit trail, for the web host and the domain's activities alike. A line joins the caller's unit
/// of work (it is added to the scope's <see cref="ManyiDbContext"/>, not saved here), so the action and its audit line
/// commit together or not at all.
/// </summary>
public sealed class AuditTrail(ManyiDbContext db, IAuditActor actor, TimeProvider time)
{
    public void Record(string action, string? subjectType, string? subjectId, object? details = null, string? userId = null, string? userName = null)
    {
        var byActor = userId is null;
        db.AuditEntries.Add(new AuditEntryRecord
        {
            At = time.GetUtcNow(),
            UserId = userId ?? actor.UserId,
            UserName = userName ?? (byActor ? actor.UserName : null),
            Action = action,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Address = actor.Address,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });
    }
}

/// <summary>What an audit line is about (its subject type); one place, so that a query can rely on them.</summary>
public static class AuditSubjects
{
    public const string Task = "task";
    public const string File = "file";
    public const string Organization = "organization";
    public const string WorkflowInstance = "workflow-instance";
    public const string User = "user";
    public const string WorkflowDefinition = "workflow-definition";
    public const string Certificate = "certificate";
    public const string Calendar = "calendar";
    public const string NotificationChannel = "notification-channel";
}

/// <summary>The actions the audit trail names; one place, so that a query can rely on them.</summary>
public static class AuditActions
{
    public const string SignedIn = "user.signed-in";
    public const string SignInFailed = "user.sign-in-failed";
    public const string LockedOut = "user.locked-out";
    public const string PasswordReset = "user.password-reset";
    public const string PasswordChanged = "user.password-changed";
    public const string Invited = "user.invited";
    public const string RolesChanged = "user.roles-changed";
    public const string OrganizationsChanged = "user.organizations-changed";
    public const string Unlocked = "user.unlocked";

    /// <summary>An administrator locked the account: no sign-in, and every open session ends.</summary>
    public const string Locked = "user.locked";

    /// <summary>A refresh token traded for a new access token.</summary>
    public const string TokenRefreshed = "user.token-refreshed";
    public const string TaskClaimed = "task.claimed";
    public const string TaskReleased = "task.released";
    public const string TaskReassigned = "task.reassigned";
    public const string TaskCompleted = "task.completed";
    public const string TaskCancelled = "task.cancelled";
    public const string FileUploaded = "file.uploaded";
    public const string FileDownloaded = "file.downloaded";
    public const string CertificateDownloaded = "certificate.downloaded";

    /// <summary>Written by the campaign's PublishRatings activity, for each stored rating that changed.</summary>
    public const string RatingPublished = "organization.rating-published";
    public const string OrganizationsImported = "organizations.imported";
    public const string OrganizationCreated = "organization.created";
    public const string OrganizationUpdated = "organization.updated";
    public const string OrganizationDeleted = "organization.deleted";
    public const string DeadlineExtended = "deadline.extended";
    public const string RemindersChanged = "reminders.changed";
    public const string CalendarYearSaved = "calendar.year-saved";
    public const string WorkflowImported = "workflow.imported";
    public const string WorkflowPublished = "workflow.published";
    public const string WorkflowRetracted = "workflow.retracted";

    /// <summary>A draft that never ran deleted (a new workflow given up, or changes thrown away).</summary>
    public const string WorkflowDraftDeleted = "workflow.draft-deleted";

    /// <summary>A new draft made from an older version (reverting to it); the import that stores it is audited too.</summary>
    public const string WorkflowDraftFromVersion = "workflow.draft-from-version";

    /// <summary>An instance started by hand (<c>POST /api/workflow-definitions/{id}/execute</c>), not by a trigger or a parent.</summary>
    public const string WorkflowStarted = "workflow.started";
    public const string InstanceCancelled = "workflow-instance.cancelled";
    public const string ChannelCreated = "channel.created";
    public const string ChannelUpdated = "channel.updated";
    public const string ChannelDeleted = "channel.deleted";
    public const string ChannelTested = "channel.tested";
}
