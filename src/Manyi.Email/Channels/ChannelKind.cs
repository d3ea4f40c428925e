namespace Manyi.Email.Channels;

/// <summary>
/// One kind of group robot, as its documentation describes it: where its webhooks live, how large a message may be,
/// how fast it may be called, and whether it signs. The three kinds are the catalogue; nothing else names them.
/// </summary>
/// <param name="Capacity">Tokens the robot's bucket holds.</param>
/// <param name="PerSecond">Tokens added per second. In any window of t seconds at most Capacity + PerSecond·t messages
/// go out, which is how the documented rates are kept (WeCom and DingTalk: 5 + 15 per minute ≤ 20; Feishu: 3 + 96 per
/// minute ≤ 100, and 3 + 1.6 per second ≤ 5).</param>
public sealed record ChannelKind(
    string Id, string NameZh, string NameEn, string Host, string PathPrefix, int MaxMessageBytes, int Capacity, double PerSecond, bool CanSign,
    bool CanMentionMobiles)
{
    public static readonly ChannelKind WeCom = new("wecom", "企业微信群机器人", "WeCom group robot", "qyapi.weixin.qq.com", "/cgi-bin/webhook/send",
        MaxMessageBytes: 4096, Capacity: 5, PerSecond: 15 / 60.0, CanSign: false, CanMentionMobiles: true);

    public static readonly ChannelKind DingTalk = new("dingtalk", "钉钉自定义机器人", "DingTalk custom robot", "oapi.dingtalk.com", "/robot/send",
        MaxMessageBytes: 4096, Capacity: 5, PerSecond: 15 / 60.0, CanSign: true, CanMentionMobiles: true);

    public static readonly ChannelKind Feishu = new("feishu", "飞书自定义机器人", "Feishu custom bot", "open.feishu.cn", "/open-apis/bot/v2/hook/",
        MaxMessageBytes: 18_000, Capacity: 3, PerSecond: 1.6, CanSign: true, CanMentionMobiles: false);

    public static readonly IReadOnlyList<ChannelKind> All = [WeCom, DingTalk, Feishu];

    /// <summary>WeCom's text messages (the only ones that @-mention by mobile) hold at most 2048 bytes.</summary>
    public const int WeComTextBytes = 2048;

    public static ChannelKind? Find(string? id) => All.FirstOrDefault(k => string.Equals(k.Id, id?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>The message kinds a channel may receive, named as the outbox names them, each with its Chinese and English name.</summary>
public static class ChannelMessageKinds
{
    public static readonly IReadOnlyList<(string Id, string Zh, string En)> All =
    [
        ("reminder", "提醒", "Reminder"),
        ("overdue", "逾期", "Overdue"),
        ("escalation", "督办", "Escalation"),
        ("notice", "通知", "Notice"),
    ];

    public static (string Id, string Zh, string En)? Find(string? id) =>
        All.Cast<(string Id, string Zh, string En)?>().FirstOrDefault(k => string.Equals(k!.Value.Id, id?.Trim(), StringComparison.OrdinalIgnoreCase));
}
