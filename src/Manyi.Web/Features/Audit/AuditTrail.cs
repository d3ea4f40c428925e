using System.Text.Json;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Security;

namespace Manyi.Web.Features.Audit;

/// <summary>
/// Adds lines to the audit trail. A line joins the caller's unit of work (it is added to the request's
/// <see cref="ManyiDbContext"/>, not saved here), so the action and its audit line commit together or not at all.
/// </summary>
public sealed class AuditTrail(ManyiDbContext db, CurrentUser user, TimeProvider time)
{
    public void Record(string action, string? subjectType, string? subjectId, object? details = null, string? userId = null, string? userName = null)
    {
        var signedIn = userId is null && user.IsSignedIn;
        db.AuditEntries.Add(new AuditEntryRecord
        {
            At = time.GetUtcNow(),
            UserId = userId ?? (signedIn ? user.Id : null),
            UserName = userName ?? (signedIn ? user.Name : null),
            Action = action,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Address = user.Address,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });
    }
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
    public const string TaskClaimed = "task.claimed";
    public const string TaskReleased = "task.released";
    public const string TaskReassigned = "task.reassigned";
    public const string TaskCompleted = "task.completed";
    public const string TaskCancelled = "task.cancelled";
    public const string FileUploaded = "file.uploaded";
    public const string FileDownloaded = "file.downloaded";
    public const string CertificateDownloaded = "certificate.downloaded";

    /// <summary>Written by the campaign's PublishRatings activity.</summary>
    public const string RatingPublished = Manyi.Campaign.Activities.PublishRatings.AuditAction;
    public const string OrganizationsImported = "organizations.imported";
    public const string OrganizationCreated = "organization.created";
    public const string OrganizationUpdated = "organization.updated";
    public const string OrganizationDeleted = "organization.deleted";
    public const string DeadlineExtended = "deadline.extended";
    public const string RemindersChanged = "reminders.changed";
    public const string CalendarYearSaved = "calendar.year-saved";
}
