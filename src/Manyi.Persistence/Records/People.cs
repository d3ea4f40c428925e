using Manyi.Engine.Tasks;
using Microsoft.AspNetCore.Identity;

namespace Manyi.Persistence.Records;

/// <summary>A person who signs in: an administrator, a reviewer or a participant acting for organizations.</summary>
public sealed class ManyiUser : IdentityUser
{
    public const int MaxDisplayNameLength = 100;

    /// <summary>The name shown in the UI, in the journal and in "already completed by X" answers.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>An IANA time zone for reminders' working hours; null means the calendar's zone (Asia/Shanghai).</summary>
    public string? TimeZone { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The three roles of Manyi; the names are stored, so they never change.</summary>
public static class ManyiRoles
{
    /// <summary>The association's secretariat (省通信行业协会秘书处).</summary>
    public const string Administrator = "Administrator";

    /// <summary>Enters national-review results (评审专家).</summary>
    public const string Reviewer = "Reviewer";

    /// <summary>Acts for one or more organizations (参评单位联系人).</summary>
    public const string Participant = "Participant";

    public static readonly IReadOnlyList<string> All = [Administrator, Reviewer, Participant];
}

/// <summary>A participating unit (参评单位): one operator's branch in one city or county.</summary>
public sealed class OrganizationRecord
{
    public const int MaxIdLength = 64;

    /// <summary>A stable code, e.g. <c>mobile-zhengzhou</c>; used in URLs, imports and workflow inputs.</summary>
    public required string Id { get; set; }

    /// <summary>e.g. 郑州移动.</summary>
    public required string Name { get; set; }

    /// <summary>移动 Mobile, 联通 Unicom, 电信 Telecom, 广电 Broadcast, or another operator's name.</summary>
    public required string Operator { get; set; }

    /// <summary>e.g. 郑州.</summary>
    public required string City { get; set; }

    public OrganizationLevel Level { get; set; } = OrganizationLevel.City;

    /// <summary>The last published rating (A, AA, AAA), if any.</summary>
    public string? LastRating { get; set; }

    public List<OrganizationContactRecord> Contacts { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum OrganizationLevel
{
    City,
    County,
    ServiceSite,
    Team,
}

/// <summary>A contact person of an organization; the notice and reminders go to contacts' addresses.</summary>
public sealed class OrganizationContactRecord
{
    public long Id { get; set; }
    public required string OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public string? Phone { get; set; }
}

/// <summary>A participant acts for this organization: sees its tasks, files and instances.</summary>
public sealed class OrganizationMemberRecord
{
    public required string UserId { get; set; }
    public required string OrganizationId { get; set; }
}

/// <summary>
/// A human task (待办): written by the burst that opened it, closed by the burst that completed, cancelled or expired
/// it. Claims, releases and reassignments change only this row.
/// </summary>
public sealed class HumanTaskRecord
{
    public required string Id { get; set; }
    public required string InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string DefinitionId { get; set; }

    /// <summary>The campaign stage the task belongs to, e.g. <c>headcount</c>; a filter of the inbox.</summary>
    public string? Stage { get; set; }

    public required string Title { get; set; }
    public string? Description { get; set; }

    public string? AssigneeUserId { get; set; }
    public string? AssigneeRole { get; set; }
    public string? OrganizationId { get; set; }

    /// <summary>Who claimed the task (works on it now); null while it is unclaimed.</summary>
    public string? ClaimedByUserId { get; set; }

    public required HumanTaskStatus Status { get; set; }

    /// <summary>The outcomes a completion may choose, as a JSON array.</summary>
    public required string Outcomes { get; set; }

    /// <summary>The form's fields as JSON, null for a task without a form.</summary>
    public string? Form { get; set; }

    public DateTimeOffset? DueAt { get; set; }
    public bool IsOverdue { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedByUserId { get; set; }
    public string? ClosedByName { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The completed form data as JSON.</summary>
    public string? Data { get; set; }

    /// <summary>Changed by every write; claims and completions check it so that two browsers never both win.</summary>
    public long Revision { get; set; }
}

/// <summary>A file uploaded to a task; its content lives in the file store, outside the database.</summary>
public sealed class StoredFileRecord
{
    public required string Id { get; set; }
    public required string TaskId { get; set; }
    public string? OrganizationId { get; set; }

    /// <summary>The name as uploaded, made safe (no folders, no control characters).</summary>
    public required string FileName { get; set; }

    /// <summary>The type sniffed from the content, never taken from the name or the request.</summary>
    public required string ContentType { get; set; }

    public long Size { get; set; }

    /// <summary>SHA-256 of the content, lower-case hex.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Where the content is, relative to the file store's folder.</summary>
    public required string StoragePath { get; set; }

    public required string UploadedByUserId { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
}

/// <summary>
/// What someone has typed into an open task's form but not yet submitted: one row per task, replaced on each save,
/// deleted in the burst that ends the task (see <see cref="Manyi.Persistence.SqlWorkflowStore"/>). Its file fields name files already
/// uploaded to the task.
/// </summary>
public sealed class TaskDraftRecord
{
    public required string TaskId { get; set; }

    /// <summary>The form's data as JSON, as incomplete as it was when saved.</summary>
    public required string Data { get; set; }

    public DateTimeOffset SavedAt { get; set; }
    public required string SavedByUserId { get; set; }
}

/// <summary>One line of the audit trail: append-only (the database refuses updates and deletes).</summary>
public sealed class AuditEntryRecord
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string? UserId { get; set; }
    public string? UserName { get; set; }

    /// <summary>What happened, e.g. <c>task.completed</c>, <c>user.signed-in</c>, <c>file.downloaded</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to: <c>task</c>, <c>user</c>, <c>file</c>, <c>organization</c>.</summary>
    public string? SubjectType { get; set; }

    public string? SubjectId { get; set; }

    /// <summary>The client's IP address.</summary>
    public string? Address { get; set; }

    /// <summary>Anything else worth keeping, as JSON.</summary>
    public string? Details { get; set; }
}

/// <summary>
/// An organization's sign-up for a training session (培训报名) as the seat ledger holds it: one row per organization and
/// campaign year. Seats go in order of receipt (<see cref="ReceivedAt"/>, then the organization's id), so the row keeps
/// the time the sign-up arrived, not when it was last changed.
/// </summary>
public sealed class TrainingSeatRecord
{
    public int Year { get; set; }

    public required string OrganizationId { get; set; }

    /// <summary>The session's id in the year's settings (<c>training.sessions[].id</c>), e.g. <c>2025-1</c>.</summary>
    public required string SessionId { get; set; }

    /// <summary>How many of the organization's staff the sign-up is for: the seats it takes.</summary>
    public int Attendees { get; set; }

    public SeatStatus Status { get; set; }

    /// <summary>When the sign-up arrived (the sign-up task's completion): its place in the order of receipt.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The organization's participant workflow instance, told when its seat is confirmed or withdrawn.</summary>
    public required string InstanceId { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>Where a sign-up stands; the names are stored, so they never change.</summary>
public enum SeatStatus
{
    /// <summary>Holds its seats in its session.</summary>
    Confirmed,

    /// <summary>Waits for seats in its session, in order of receipt.</summary>
    WaitListed,

    /// <summary>Withdrawn by the organization or the secretariat: its seats went to the wait-list.</summary>
    Withdrawn,
}
