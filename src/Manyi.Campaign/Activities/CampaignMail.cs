using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Email;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Manyi.Campaign.Activities;

/// <summary>What the campaign activities that write to organizations share: reading them, their recipients, the outbox key.</summary>
internal static class CampaignMail
{
    /// <summary>
    /// <c>{instanceId}:{activityId}:{kind}:{organizationId}</c>: one message per organization for one execution of the
    /// activity in one instance. A burst that runs again (retried after a conflict, an incident retried, a loop back to
    /// the activity) queues the same keys, and the outbox keeps only the first message of each key.
    /// </summary>
    public static string Key(ActivityContext context, string kind, string organizationId) =>
        $"{context.Instance.Id}:{ActivityId(context)}:{kind}:{organizationId}";

    /// <summary>The node's id, or its hash when it is long: ids are usually short, but nothing bounds them (as in SendEmail).</summary>
    public static string ActivityId(ActivityContext context) =>
        context.Node.Id.Length <= 64
            ? context.Node.Id
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context.Node.Id)))[..32];

    /// <summary>The organizations of these ids that exist, with their contacts, read without tracking.</summary>
    public static async Task<Dictionary<string, OrganizationRecord>> LoadAsync(ActivityContext context, IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0) return new(StringComparer.Ordinal);
        var db = context.Services.GetRequiredService<ManyiDbContext>();
        var wanted = ids.ToList();
        return await db.Organizations.AsNoTracking()
            .Include(o => o.Contacts)
            .Where(o => wanted.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, StringComparer.Ordinal, context.CancellationToken);
    }

    /// <summary>
    /// The contacts' mailboxes (<c>张三 &lt;zhang@example.org&gt;</c> as an <c>OutgoingEmail.To</c> entry), each address
    /// once, and the addresses that do not parse (left out, or the whole message would fail at delivery).
    /// </summary>
    public static (IReadOnlyList<MailboxAddress> To, IReadOnlyList<string> Invalid) Recipients(OrganizationRecord organization)
    {
        var to = new List<MailboxAddress>();
        var invalid = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var contact in organization.Contacts.OrderBy(c => c.Id))
        {
            if (!EmailAddresses.TryParse(contact.Email, out var mailbox))
            {
                invalid.Add(contact.Email);
                continue;
            }
            if (seen.Add(mailbox.Address))
                to.Add(new MailboxAddress(string.IsNullOrWhiteSpace(contact.Name) ? null : contact.Name.Trim(), mailbox.Address));
        }
        return (to, invalid);
    }

    /// <summary>Why an organization got no message, when it has no usable address; null when it has one.</summary>
    public static string? NoRecipientReason(IReadOnlyList<MailboxAddress> to, IReadOnlyList<string> invalid) =>
        to.Count > 0 ? null
        : invalid.Count == 0 ? "参评单位没有联系人。The organization has no contacts."
        : $"参评单位联系人的邮箱均无效：{string.Join("、", invalid)}。None of the organization's contacts has a valid e-mail address: {string.Join(", ", invalid)}.";

    public const string NoSuchOrganization = "参评单位不存在。No organization has this id.";

    /// <summary>
    /// Why an organization got no message, for the journal: <c>reason</c> a code (<c>noOrganization</c>, <c>noContacts</c>,
    /// <c>noValidAddress</c>) and the <c>addresses</c> that do not parse; its words are in the web's catalogue.
    /// </summary>
    public static JsonObject NoRecipientLine(string? name, string organizationId, IReadOnlyList<string>? invalid) => new()
    {
        ["organization"] = name,
        ["organizationId"] = organizationId,
        ["reason"] = invalid is null ? "noOrganization" : invalid.Count == 0 ? "noContacts" : "noValidAddress",
        ["addresses"] = Addresses(invalid ?? []),
    };

    /// <summary>The addresses of a journal line, as a JSON list.</summary>
    public static JsonArray Addresses(IEnumerable<string> addresses) => new([.. addresses.Select(a => (JsonNode)a)]);

    /// <summary>A training session as the journal names it: its id and its Chinese and English names.</summary>
    public static JsonObject SessionName(Training.TrainingSession? session, string? id) => new()
    {
        ["id"] = id,
        ["zh"] = session?.Zh,
        ["en"] = session?.En,
    };

    /// <summary>
    /// An Object input as JSON: objects as they are, and JSON text parsed (Elsa writes object literals as strings); an
    /// empty text is no value.
    /// </summary>
    public static JsonNode? Json(JsonNode? value, string input)
    {
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) return value;
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return null;
        if (trimmed[0] is not ('{' or '[')) return value;
        try
        {
            return JsonNode.Parse(trimmed);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new FormatException($"Input '{input}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A list of <c>{organizationId, reason}</c>, as the activities' <c>Skipped</c> outputs give it.</summary>
    public static JsonArray ToJson(IEnumerable<(string OrganizationId, string Reason)> skipped) =>
        [.. skipped.Select(s => (JsonNode)new JsonObject { ["organizationId"] = s.OrganizationId, ["reason"] = s.Reason })];
}
