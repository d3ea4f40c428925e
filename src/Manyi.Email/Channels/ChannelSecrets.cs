using Microsoft.AspNetCore.DataProtection;

namespace Manyi.Email.Channels;

/// <summary>
/// Keeps a channel's webhook address and signing secret encrypted at rest (Data Protection, the keys every node
/// shares), and shows them only masked: whoever holds either can post to the group.
/// </summary>
public sealed class ChannelSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Manyi.Email.Channels.v1");

    public string Protect(string plain) => _protector.Protect(plain);

    public string Unprotect(string stored) => _protector.Unprotect(stored);

    /// <summary>The secret's last four characters after a mask, e.g. <c>••••3f9a</c>; the whole is never shown.</summary>
    public static string MaskSecret(string secret) => "••••" + (secret.Length > 8 ? secret[^4..] : "");

    /// <summary>The address with its token masked: the host and path show which robot it is, the token stays hidden.</summary>
    public static string MaskUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "••••";
        var path = uri.AbsolutePath;
        // Feishu's token is the path's last segment; WeCom's and DingTalk's are query values.
        var slash = path.LastIndexOf('/');
        if (path.Contains("/hook/", StringComparison.Ordinal) && slash >= 0) path = path[..(slash + 1)] + Tail(path[(slash + 1)..]);
        var query = uri.Query.Length == 0 ? "" : "?" + string.Join("&", uri.Query.TrimStart('?').Split('&').Select(p =>
            p.Split('=', 2) is { Length: 2 } kv ? $"{kv[0]}={Tail(kv[1])}" : p));
        return $"{uri.Scheme}://{uri.Authority}{path}{query}";
    }

    private static string Tail(string token) => "••••" + (token.Length > 8 ? token[^4..] : "");
}
