using MimeKit;

namespace Manyi.Email.Outbox;

/// <summary>
/// The addresses of an outbox message, as its <c>To</c> column holds them: an RFC 5322 address list. An e-mail in the
/// engine has recipients only, so the <c>SendEmail</c> activity's cc, bcc and sender travel in that list as groups
/// named <c>cc</c>, <c>bcc</c> and <c>from</c>: <c>zhang@example.org, cc: li@example.org;</c>.
/// </summary>
public sealed record OutboxAddresses(MailboxAddress? From, IReadOnlyList<MailboxAddress> To, IReadOnlyList<MailboxAddress> Cc, IReadOnlyList<MailboxAddress> Bcc)
{
    public const string CcGroup = "cc";
    public const string BccGroup = "bcc";
    public const string FromGroup = "from";

    /// <summary>The entries of an <c>OutgoingEmail.To</c> list for these addresses.</summary>
    public IReadOnlyList<string> ToEntries()
    {
        var entries = To.Select(m => m.ToString()).ToList();
        if (Cc.Count > 0) entries.Add(new GroupAddress(CcGroup, Cc).ToString());
        if (Bcc.Count > 0) entries.Add(new GroupAddress(BccGroup, Bcc).ToString());
        if (From is not null) entries.Add(new GroupAddress(FromGroup, [From]).ToString());
        return entries;
    }

    /// <summary>Reads the <c>To</c> column; a group with another name is an ordinary group of recipients.</summary>
    public static OutboxAddresses Parse(string column)
    {
        if (!InternetAddressList.TryParse(ParserOptions.Default, column, out var list))
            throw new FormatException($"The recipients '{column}' are not a valid address list.");
        MailboxAddress? from = null;
        List<MailboxAddress> to = [], cc = [], bcc = [];
        foreach (var address in list)
        {
            switch (address)
            {
                case MailboxAddress mailbox:
                    to.Add(mailbox);
                    break;
                case GroupAddress { Name: var name } group when string.Equals(name, CcGroup, StringComparison.OrdinalIgnoreCase):
                    cc.AddRange(group.Members.Mailboxes);
                    break;
                case GroupAddress { Name: var name } group when string.Equals(name, BccGroup, StringComparison.OrdinalIgnoreCase):
                    bcc.AddRange(group.Members.Mailboxes);
                    break;
                case GroupAddress { Name: var name } group when string.Equals(name, FromGroup, StringComparison.OrdinalIgnoreCase):
                    from = group.Members.Mailboxes.FirstOrDefault();
                    break;
                case GroupAddress group:
                    to.AddRange(group.Members.Mailboxes);
                    break;
            }
        }
        if (to.Count + cc.Count + bcc.Count == 0)
            throw new FormatException($"The recipients '{column}' name nobody to send to.");
        return new OutboxAddresses(from, to, cc, bcc);
    }
}
