using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;
using MimeKit;

namespace Manyi.Email.Outbox;

/// <summary>Builds the MIME message for an outbox row: sender, recipients, subject, text with an HTML alternative, attachments.</summary>
public static class OutboxMime
{
    private static readonly JsonSerializerOptions AttachmentJson = new(JsonSerializerDefaults.Web);

    public static MimeMessage Build(OutboxMessageRecord record, MailboxAddress defaultFrom, DateTimeOffset date)
    {
        var addresses = OutboxAddresses.Parse(record.To);
        var message = new MimeMessage { Subject = record.Subject, Date = date };
        message.From.Add(addresses.From ?? defaultFrom);
        message.To.AddRange(addresses.To);
        message.Cc.AddRange(addresses.Cc);
        message.Bcc.AddRange(addresses.Bcc);
        // The same on every attempt, so that a receiving system can tell a repeat after a lost acknowledgement.
        message.MessageId = MessageId(record.Key, defaultFrom.Domain);
        message.Headers.Add("X-Manyi-Kind", record.Kind);

        var body = new BodyBuilder { TextBody = record.TextBody, HtmlBody = record.HtmlBody };
        foreach (var attachment in ReadAttachments(record.Attachments))
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        message.Body = body.ToMessageBody();
        return message;
    }

    public static IReadOnlyList<EmailAttachment> ReadAttachments(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<EmailAttachment>>(json, AttachmentJson) ?? [];

    private static string MessageId(string key, string? domain)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return $"{hash}@{(string.IsNullOrEmpty(domain) ? "manyi.invalid" : domain)}";
    }
}
