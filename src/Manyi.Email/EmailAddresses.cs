using MimeKit;

namespace Manyi.Email;

/// <summary>Strict e-mail address parsing: one mailbox with a domain, e.g. <c>zhang@example.org</c> or <c>张三 &lt;zhang@example.org&gt;</c>.</summary>
public static class EmailAddresses
{
    private static readonly ParserOptions Strict = new()
    {
        AllowAddressesWithoutDomain = false,
        AddressParserComplianceMode = RfcComplianceMode.Strict,
    };

    public static bool TryParse(string? text, out MailboxAddress mailbox)
    {
        mailbox = null!;
        if (string.IsNullOrWhiteSpace(text) || !MailboxAddress.TryParse(Strict, text.Trim(), out var parsed)) return false;
        var at = parsed.Address.LastIndexOf('@');
        if (at <= 0 || at == parsed.Address.Length - 1) return false;
        mailbox = parsed;
        return true;
    }

    public static MailboxAddress Parse(string text, string what) =>
        TryParse(text, out var mailbox) ? mailbox : throw new FormatException($"{what}: '{text}' is not a valid e-mail address.");
}
