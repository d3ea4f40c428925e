using System.Text.RegularExpressions;

namespace Manyi.Email.Channels;

/// <summary>
/// Which webhook addresses a channel may have: https on its kind's documented host and path, or any path on a host an
/// operator allowed (<see cref="ChannelOptions.AllowedHosts"/>, http too). Anything else is refused naming the rule,
/// so that a channel can never make the server call an address of someone's choosing.
/// </summary>
public sealed partial class WebhookRules(ChannelOptions options)
{
    /// <summary>Why the address is refused, in Chinese then English; null when it is allowed.</summary>
    public string? Problem(ChannelKind kind, string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "须填写机器人的 Webhook 地址。The webhook address is required.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return "Webhook 地址不是有效的 http(s) 网址。The webhook address is not an http(s) address.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "Webhook 地址不得包含用户名或密码。The webhook address must not carry a user name or password.";
        if (IsAllowedHost(uri)) return null;
        if (uri.Scheme != "https")
            return $"{kind.NameZh}的地址须以 https:// 开头。A {kind.NameEn}'s address must use https.";
        if (!uri.IsDefaultPort || !string.Equals(uri.Host, kind.Host, StringComparison.OrdinalIgnoreCase))
            return $"{kind.NameZh}的地址须在 {kind.Host} 上（其他主机须由运维列入 Manyi:Channels:AllowedHosts）。" +
                   $"A {kind.NameEn}'s address must be on {kind.Host} (other hosts only when listed in Manyi:Channels:AllowedHosts).";
        if (!uri.AbsolutePath.StartsWith(kind.PathPrefix, StringComparison.Ordinal) || !HasToken(kind, uri))
            return $"这不是{kind.NameZh}的 Webhook 地址（应形如 {Example(kind)}）。This is not a {kind.NameEn}'s webhook address (expected {Example(kind)}).";
        return null;
    }

    public static string Example(ChannelKind kind) => kind.Id switch
    {
        "wecom" => "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        "dingtalk" => "https://oapi.dingtalk.com/robot/send?access_token=…",
        _ => "https://open.feishu.cn/open-apis/bot/v2/hook/…",
    };

    private static bool HasToken(ChannelKind kind, Uri uri) => kind.Id switch
    {
        "wecom" => QueryValue(uri, "key") is { Length: > 0 },
        "dingtalk" => QueryValue(uri, "access_token") is { Length: > 0 },
        _ => uri.AbsolutePath.Length > kind.PathPrefix.Length,
    };

    private bool IsAllowedHost(Uri uri) => options.AllowedHosts.Any(entry =>
        entry.Contains(':')
            ? string.Equals(entry.Trim(), $"{uri.Host}:{uri.Port}", StringComparison.OrdinalIgnoreCase)
            : string.Equals(entry.Trim(), uri.Host, StringComparison.OrdinalIgnoreCase));

    private static string? QueryValue(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .FirstOrDefault(p => p[0] == name) is { Length: 2 } pair ? Uri.UnescapeDataString(pair[1]) : null;

    public static bool IsHostEntry(string entry) => HostEntry().IsMatch(entry.Trim());

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")]
    private static partial Regex HostEntry();
}
