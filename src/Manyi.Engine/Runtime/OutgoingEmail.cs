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
}

/// <summary>An attachment, such as a training's .ics invitation.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);
