using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Manyi.Email.Channels;

/// <summary>A message for a robot: a title, markdown, and mobiles to @-mention.</summary>
public sealed record RobotMessage(string Title, string Markdown, IReadOnlyList<string> Mobiles);

/// <summary>What a robot call came to.</summary>
public enum RobotOutcome
{
    Sent,

    /// <summary>The robot said "too frequent" (or HTTP 429): wait, then try again.</summary>
    RateLimited,

    /// <summary>The robot refused the message for good: wrong signature, keyword, IP, or an invalid webhook. Retrying cannot help.</summary>
    Refused,

    /// <summary>No usable answer (HTTP error, time-out, another error code): retried with back-off.</summary>
    Failed,
}

/// <summary>The robot's answer: the outcome, its <c>errcode</c> and its message (or what went wrong on the way).</summary>
public sealed record RobotReply(RobotOutcome Outcome, int? ErrorCode, string Message)
{
    /// <summary>As the message log shows it.</summary>
    public string Describe() => ErrorCode is { } code ? $"errcode {code}: {Message}" : Message;
}

/// <summary>
/// Calls a group robot's webhook with the request its kind documents: WeCom markdown (or text when mobiles are
/// mentioned), DingTalk markdown signed in the query, Feishu an interactive card signed in the body. Each answers
/// HTTP 200 with an error code in the body; anything but 0 is a failure.
/// </summary>
public sealed partial class RobotClient(HttpClient http, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<RobotReply> SendAsync(ChannelKind kind, string webhookUrl, string? secret, RobotMessage message, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var request = Request(kind, webhookUrl, secret, message, time.GetUtcNow());
        using var overdue = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overdue.Token);
        try
        {
            using var response = await http.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            return Read(kind, response.StatusCode, body);
        }
        catch (OperationCanceledException) when (overdue.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new RobotReply(RobotOutcome.Failed, null, $"机器人在 {timeout.TotalSeconds:0} 秒内没有应答。The robot did not answer within {timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            return new RobotReply(RobotOutcome.Failed, null, $"无法连接机器人。Could not reach the robot: {ex.Message}");
        }
    }

    /// <summary>The HTTP request for a message, signed when the channel has a secret.</summary>
    public static HttpRequestMessage Request(ChannelKind kind, string webhookUrl, string? secret, RobotMessage message, DateTimeOffset now)
    {
        var url = webhookUrl.Trim();
        JsonObject body;
        if (kind == ChannelKind.WeCom)
        {
            body = message.Mobiles.Count > 0
                ? new JsonObject
                {
                    ["msgtype"] = "text",
                    ["text"] = new JsonObject
                    {
                        ["content"] = Fit(PlainText(message), ChannelKind.WeComTextBytes),
                        ["mentioned_mobile_list"] = new JsonArray([.. message.Mobiles.Select(m => (JsonNode)m)]),
                    },
                }
                : new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = Fit(Heading(message), kind.MaxMessageBytes) } };
        }
        else if (kind == ChannelKind.DingTalk)
        {
            // DingTalk shows an @-mention only when the mobile also appears in the text.
            var mentions = message.Mobiles.Count == 0 ? "" : "\n\n" + string.Join(" ", message.Mobiles.Select(m => "@" + m));
            body = new JsonObject
            {
                ["msgtype"] = "markdown",
                ["markdown"] = new JsonObject { ["title"] = message.Title, ["text"] = Fit(Heading(message), kind.MaxMessageBytes - Encoding.UTF8.GetByteCount(mentions)) + mentions },
                ["at"] = new JsonObject { ["atMobiles"] = new JsonArray([.. message.Mobiles.Select(m => (JsonNode)m)]), ["isAtAll"] = false },
            };
            if (secret is not null)
            {
                var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                url += (url.Contains('?') ? "&" : "?") + $"timestamp={timestamp}&sign={Uri.EscapeDataString(DingTalkSign(timestamp, secret))}";
            }
        }
        else
        {
            body = new JsonObject();
            if (secret is not null)
            {
                var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                body["timestamp"] = timestamp;
                body["sign"] = FeishuSign(timestamp, secret);
            }
            body["msg_type"] = "interactive";
            body["card"] = new JsonObject
            {
                ["header"] = new JsonObject { ["title"] = new JsonObject { ["tag"] = "plain_text", ["content"] = message.Title } },
                ["elements"] = new JsonArray(new JsonObject { ["tag"] = "markdown", ["content"] = Fit(message.Markdown, kind.MaxMessageBytes) }),
            };
        }
        return new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>DingTalk: base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), timestamp in milliseconds; URL-encoded by the caller.</summary>
    public static string DingTalkSign(string timestamp, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));

    /// <summary>Feishu: base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty)), timestamp in seconds.</summary>
    public static string FeishuSign(string timestamp, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes($"{timestamp}\n{secret}"), Array.Empty<byte>()));

    /// <summary>Reads the answer: HTTP status first, then the body's error code (<c>errcode</c>, or Feishu's <c>code</c>/<c>StatusCode</c>).</summary>
    public static RobotReply Read(ChannelKind kind, HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.TooManyRequests)
            return new RobotReply(RobotOutcome.RateLimited, null, $"HTTP 429：发送过于频繁。The robot answered HTTP 429 (too many requests).");
        if ((int)status is < 200 or > 299)
            return new RobotReply(RobotOutcome.Failed, null, $"HTTP {(int)status}：{Short(body)}");
        JsonObject? reply = null;
        try
        {
            reply = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
        }
        if (reply is null) return new RobotReply(RobotOutcome.Failed, null, $"机器人的应答不是 JSON。The robot's answer is not JSON: {Short(body)}");
        var code = Number(reply["errcode"]) ?? Number(reply["code"]) ?? Number(reply["StatusCode"]);
        var text = (string?)(reply["errmsg"] ?? reply["msg"] ?? reply["StatusMessage"]) ?? "";
        if (code is null) return new RobotReply(RobotOutcome.Failed, null, $"机器人的应答没有错误码。The robot's answer has no error code: {Short(body)}");
        if (code == 0) return new RobotReply(RobotOutcome.Sent, 0, text);
        return new RobotReply(Classify(kind, code.Value), code, text);
    }

    /// <summary>The documented codes: too frequent (delay and retry), refused for good (fail at once), anything else retried.</summary>
    private static RobotOutcome Classify(ChannelKind kind, int code) => (kind.Id, code) switch
    {
        ("wecom", 45009) or ("dingtalk", 130101) or ("feishu", 11232) => RobotOutcome.RateLimited,
        ("wecom", 93000) or ("dingtalk", 310000) or ("dingtalk", 300001) or ("feishu", 19021) or ("feishu", 19022) or ("feishu", 19024) or ("feishu", 19001) =>
            RobotOutcome.Refused,
        _ => RobotOutcome.Failed,
    };

    /// <summary>How long the robot pauses after its rate limit was hit: DingTalk throttles for 10 minutes, the others a minute.</summary>
    public static TimeSpan PauseAfterRateLimit(ChannelKind kind) => kind == ChannelKind.DingTalk ? TimeSpan.FromMinutes(10) : TimeSpan.FromMinutes(1);

    private static int? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    private static string Short(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string Heading(RobotMessage message) => $"### {message.Title}\n{message.Markdown}";

    /// <summary>Markdown read as plain text, for WeCom's text messages: links become "text url", emphasis marks go.</summary>
    private static string PlainText(RobotMessage message) =>
        message.Title + "\n" + Link().Replace(message.Markdown.Replace("**", "").Replace("### ", "").Replace("> ", ""), "$1 $2");

    /// <summary>The text cut to fit a byte limit at a character boundary, marked when cut; the digests are split to fit, so this is a last guard.</summary>
    public static string Fit(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        const string more = "\n…";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(more);
        var length = text.Length;
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > budget) length -= Math.Max(1, (Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) - budget) / 3);
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        return text[..length] + more;
    }

    [GeneratedRegex(@"\[([^\]]*)\]\(([^)]*)\)")]
    private static partial Regex Link();
}
