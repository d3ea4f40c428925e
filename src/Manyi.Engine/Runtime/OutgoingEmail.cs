namespace Manyi.Engine.Runtime;

/// <summary>
/// An e-mail a workflow sends. It goes to the outbox in the same transaction as the burst that sent it, and is
/// delivered after that commits. <see cref="Key"/> is unique: a second e-mail with the same key (a reminder step
/// already sent, a retried burst) is dropped, so that nobody gets the same message twice.
/// </summary>
public sealed record OutgoingEmail(
    string Key,
    string Kind,
    IReadOnlyList<string> To,
    string Subject,
    string TextBody,
    string? HtmlBody = null)
{
    public string? InstanceId { get; init; }
    public IReadOnlyList<EmailAttachment> Attachments { get; init; } = [];

    /// <summary>
    /// Set for a chat robot's line (see <see cref="RobotNotice"/>): the channel it goes to. It travels through the same
    /// outbox, with the same key rule, and is sent as part of the robot's next digest.
    /// </summary>
    public long? ChannelId { get; init; }

    /// <summary>A robot line's facts as JSON, from which its digest is written.</summary>
    public string? Payload { get; init; }
}

/// <summary>An attachment, such as a training's .ics invitation.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);
