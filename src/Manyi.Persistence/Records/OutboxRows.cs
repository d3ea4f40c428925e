using System.Text.Json;
using Manyi.Engine.Runtime;

namespace Manyi.Persistence.Records;

/// <summary>
/// How an e-mail becomes an outbox row, the one mapping for every way a row is written: a burst's e-mails (by
/// <see cref="SqlWorkflowStore"/>, in the burst's transaction) and a request's (by <c>Manyi.Email</c>'s
/// <c>EmailOutbox</c>, in the request's unit of work).
/// </summary>
public static class OutboxRows
{
    public static OutboxMessageRecord From(OutgoingEmail email, string? instanceId, DateTimeOffset now) => new()
    {
        Key = email.Key,
        Kind = email.Kind,
        InstanceId = email.InstanceId ?? instanceId,
        To = string.Join(",", email.To),
        Subject = email.Subject,
        TextBody = email.TextBody,
        HtmlBody = email.HtmlBody,
        Attachments = email.Attachments.Count == 0 ? null : JsonSerializer.Serialize(email.Attachments, StateFormat.Options),
        Status = OutboxStatus.Queued,
        Attempts = 0,
        CreatedAt = now,
        ChannelId = email.ChannelId,
        Payload = email.Payload,
    };
}
