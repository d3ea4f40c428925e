namespace Manyi.Persistence.Records;

/// <summary>One definition version; <see cref="Json"/> is the Elsa 3 document, the source of truth for its content.</summary>
public sealed class WorkflowDefinitionRecord
{
    /// <summary>The longest <see cref="DefinitionId"/> the column holds.</summary>
    public const int MaxDefinitionIdLength = 128;

    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public int Version { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public DefinitionStatus Status { get; set; }
    public required string Json { get; set; }

    /// <summary>SHA-256 of the content that makes a version (everything but ids, version and flags).</summary>
    public required string ContentHash { get; set; }

    /// <summary>The file in the workflows folder this version came from, if any.</summary>
    public string? SourcePath { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
}

public enum DefinitionStatus
{
    /// <summary>Editable; never runs.</summary>
    Draft,

    /// <summary>The version new instances start on; immutable.</summary>
    Published,

    /// <summary>Was published; no new instances start on it, running ones continue; immutable.</summary>
    Retracted,
}

public sealed class WorkflowInstanceRecord
{
    /// <summary>The longest <see cref="CorrelationId"/> the column holds.</summary>
    public const int MaxCorrelationIdLength = 256;

    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string DefinitionVersionId { get; set; }
    public int Version { get; set; }
    public string Status { get; set; } = "";
    public string? CorrelationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The serialised <c>WorkflowState</c>; carries its own format version.</summary>
    public required string State { get; set; }

    public long Revision { get; set; }
}

public sealed class BookmarkRecord
{
    public required string Id { get; set; }
    public required string InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string Name { get; set; }
    public string? Key { get; set; }
    public string? CorrelationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ResumeAt { get; set; }
    public string? Payload { get; set; }

    /// <summary>The scheduler's job for a timer bookmark, prefixed with the scheduler's storage epoch (see reconciliation).</summary>
    public string? JobId { get; set; }

    /// <summary>
    /// While a node fires a due timer: until when its claim holds, so that no other node fires it too. The claim of a
    /// node that died before the timer fired expires, and the timer is claimed again after that.
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}

public sealed class TriggerRecord
{
    public long Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string DefinitionVersionId { get; set; }
    public required string ActivityId { get; set; }
    public required string Name { get; set; }
    public string? Key { get; set; }

    /// <summary>When a timer trigger next starts the workflow; null for other triggers and spent ones.</summary>
    public DateTimeOffset? ResumeAt { get; set; }
}

public sealed class JournalEntryRecord
{
    public long Id { get; set; }
    public required string InstanceId { get; set; }
    public long Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    public string? ActivityId { get; set; }
    public string? ActivityType { get; set; }
    public string? ActivityName { get; set; }
    public required string Event { get; set; }
    public string? Message { get; set; }
    public string? Outcomes { get; set; }

    /// <summary>What happened, as a key the web's catalogue words (<c>task.opened</c>); null for free text in <see cref="Message"/>.</summary>
    public string? MessageKey { get; set; }

    /// <summary>The key's arguments, a JSON object.</summary>
    public string? Arguments { get; set; }
}

public sealed class IncidentRecord
{
    public required string Id { get; set; }
    public required string InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string Message { get; set; }
    public string? ExceptionType { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
}

/// <summary>
/// A dispatched child's end, recorded for its parent (see <c>ChildEnd</c>): one row per child, written by the
/// engine when the child ends; the parent takes them when its wait is over. <see cref="Id"/> keeps their order.
/// </summary>
public sealed class ChildEndRecord
{
    public long Id { get; set; }
    public required string ParentInstanceId { get; set; }
    public required string ChildInstanceId { get; set; }
    public DateTimeOffset EndedAt { get; set; }

    /// <summary>What the parent is told, as JSON: the child's id, status, correlation id, variables and output.</summary>
    public required string Report { get; set; }
}

public sealed class QueuedStimulusRecord
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Key { get; set; }
    public string? CorrelationId { get; set; }
    public string? InstanceId { get; set; }
    public required string Input { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// An e-mail in the outbox: written in the transaction of the burst (or request) that sent it, delivered after,
/// with its delivery log. <see cref="Key"/> is unique, so the same reminder step is never queued twice.
/// </summary>
public sealed class OutboxMessageRecord
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Kind { get; set; }
    public string? InstanceId { get; set; }

    /// <summary>Recipients, comma-separated.</summary>
    public required string To { get; set; }

    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public string? HtmlBody { get; set; }

    /// <summary>Attachments as JSON: <c>[{"fileName", "contentType", "content" (base64)}]</c>.</summary>
    public string? Attachments { get; set; }

    public OutboxStatus Status { get; set; }
    public int Attempts { get; set; }

    /// <summary>The server's reply to the last failed attempt.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>
    /// While a sender delivers the message: until when its claim holds, so that a second sender leaves it alone. The
    /// claim of a sender that died expires, and the message is sent again after that.
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>
    /// A chat robot's message (its <see cref="NotificationChannelRecord"/>); null for an e-mail. Such a row is one line of
    /// the robot's next digest: <see cref="To"/> names the channel, <see cref="TextBody"/> is the line as people read it.
    /// </summary>
    public long? ChannelId { get; set; }

    /// <summary>A robot line's facts as JSON (organization, stage, deadline, task link), from which the digest is written.</summary>
    public string? Payload { get; set; }

    /// <summary>Which attempt claimed the row: a digest claims several rows at once and must know them again.</summary>
    public string? ClaimedBy { get; set; }
}

/// <summary>
/// A chat robot an administrator set up (企业微信, 钉钉 or 飞书 group robot): where reminders and notices also go. The
/// webhook address and the signing secret are stored encrypted (Data Protection); the lists are JSON arrays. The token
/// bucket columns are the robot's rate limit, shared by every node through this row.
/// </summary>
public sealed class NotificationChannelRecord
{
    public long Id { get; set; }

    /// <summary><c>wecom</c>, <c>dingtalk</c> or <c>feishu</c>.</summary>
    public required string Kind { get; set; }

    public required string Name { get; set; }

    /// <summary>The webhook address, encrypted.</summary>
    public required string WebhookUrl { get; set; }

    /// <summary>The signing secret, encrypted; null when the robot is not signed.</summary>
    public string? Secret { get; set; }

    /// <summary>Organization ids it serves, JSON; empty serves all.</summary>
    public required string Organizations { get; set; }

    /// <summary>Roles it serves, JSON; empty serves any.</summary>
    public required string Roles { get; set; }

    /// <summary>Message kinds it receives (reminder, overdue, escalation, notice), JSON.</summary>
    public required string MessageKinds { get; set; }

    /// <summary>Mobile numbers to @-mention, JSON.</summary>
    public required string Mobiles { get; set; }

    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Tokens left in the robot's bucket at <see cref="BucketAt"/>.</summary>
    public double BucketTokens { get; set; }

    public DateTimeOffset? BucketAt { get; set; }

    /// <summary>Counts bucket changes: a node takes a token only if nobody changed the bucket since it read it.</summary>
    public long BucketRevision { get; set; }
}

public enum OutboxStatus
{
    Queued,
    Sent,
    Failed,
}

public static class NotificationChannelLimits
{
    public const int MaxNameLength = 100;
}
