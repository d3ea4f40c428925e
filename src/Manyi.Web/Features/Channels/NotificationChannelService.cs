using System.Text.RegularExpressions;
using Manyi.Email.Channels;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Channels;

/// <summary>
/// The chat robots administrators set up (企业微信, 钉钉, 飞书): list, create, change, delete, and send a test message.
/// Every change is audited with the change; the webhook address and the secret are stored encrypted and only shown
/// masked. The rules: the address must be the kind's documented https webhook or on an allowed host
/// (<see cref="WebhookRules"/>), a signed robot needs its secret, the organizations must exist, the mobiles be mobiles.
/// </summary>
public sealed partial class NotificationChannelService(
    ManyiDbContext db, AuditTrail audit, WebhookRules rules, ChannelSecrets secrets, RobotClient client, RobotRateLimits limits,
    ChannelOptions options, TimeProvider time)
{
    public const int MaxMobiles = 20;
    public const int MaxSecretLength = 200;

    public async Task<IReadOnlyList<ChannelResponse>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await db.NotificationChannels.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(cancellationToken)).Select(Response)];

    public async Task<Outcome<ChannelResponse>> GetAsync(long id, CancellationToken cancellationToken) =>
        await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) is { } record
            ? Response(record)
            : NotFound(id);

    public async Task<Outcome<ChannelResponse>> CreateAsync(ChannelRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var checkedRequest = await CheckAsync(request, existing: null, errors, cancellationToken);
        if (errors.Count > 0 || checkedRequest is null) return new Failure.Invalid(errors);
        var now = time.GetUtcNow();
        var record = new NotificationChannelRecord
        {
            Kind = checkedRequest.Kind.Id,
            Name = checkedRequest.Name,
            WebhookUrl = secrets.Protect(checkedRequest.WebhookUrl!),
            Secret = checkedRequest.Secret is { Length: > 0 } secret ? secrets.Protect(secret) : null,
            Organizations = Channel.Json(checkedRequest.Organizations),
            Roles = Channel.Json(checkedRequest.Roles),
            MessageKinds = Channel.Json(checkedRequest.MessageKinds),
            Mobiles = Channel.Json(checkedRequest.Mobiles),
            Enabled = request.Enabled ?? true,
            CreatedAt = now,
            UpdatedAt = now,
            BucketTokens = RobotRateLimits.Full(checkedRequest.Kind),
        };
        db.NotificationChannels.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        // The id exists only after the insert; the audit line follows in its own save, before the answer.
        audit.Record(AuditActions.ChannelCreated, AuditSubjects.NotificationChannel, record.Id.ToString(), Summary(record));
        await db.SaveChangesAsync(cancellationToken);
        return Response(record);
    }

    /// <summary>Changes a channel; a missing <c>webhookUrl</c> or <c>secret</c> keeps the stored one, an empty <c>secret</c> removes it.</summary>
    public async Task<Outcome<ChannelResponse>> UpdateAsync(long id, ChannelRequest request, CancellationToken cancellationToken)
    {
        var record = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (record is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        var checkedRequest = await CheckAsync(request, record, errors, cancellationToken);
        if (errors.Count > 0 || checkedRequest is null) return new Failure.Invalid(errors);
        var before = Summary(record);
        if (record.Kind != checkedRequest.Kind.Id) record.BucketTokens = RobotRateLimits.Full(checkedRequest.Kind);
        record.Kind = checkedRequest.Kind.Id;
        record.Name = checkedRequest.Name;
        if (checkedRequest.WebhookUrl is { } url) record.WebhookUrl = secrets.Protect(url);
        if (request.Secret is not null) record.Secret = request.Secret.Trim().Length == 0 ? null : secrets.Protect(request.Secret.Trim());
        record.Organizations = Channel.Json(checkedRequest.Organizations);
        record.Roles = Channel.Json(checkedRequest.Roles);
        record.MessageKinds = Channel.Json(checkedRequest.MessageKinds);
        record.Mobiles = Channel.Json(checkedRequest.Mobiles);
        if (request.Enabled is { } enabled) record.Enabled = enabled;
        record.UpdatedAt = time.GetUtcNow();
        audit.Record(AuditActions.ChannelUpdated, AuditSubjects.NotificationChannel, id.ToString(),
            new { before, after = Summary(record), webhookChanged = checkedRequest.WebhookUrl is not null, secretChanged = request.Secret is not null });
        await db.SaveChangesAsync(cancellationToken);
        return Response(record);
    }

    /// <summary>Deletes a channel; its lines still waiting are marked Failed with the reason, in the same transaction.</summary>
    public async Task<Outcome<bool>> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        var record = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (record is null) return NotFound(id);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.OutboxMessages.Where(m => m.ChannelId == id && m.Status == OutboxStatus.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Failed)
            .SetProperty(m => m.LastError, "频道已删除。The channel was deleted."), cancellationToken);
        db.NotificationChannels.Remove(record);
        audit.Record(AuditActions.ChannelDeleted, AuditSubjects.NotificationChannel, id.ToString(), Summary(record));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Sends a test message now, within the robot's rate limit, and answers with the robot's reply. Audited.</summary>
    public async Task<Outcome<ChannelTestResult>> TestAsync(long id, CancellationToken cancellationToken)
    {
        var record = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (record is null) return NotFound(id);
        var channel = Channel.From(record);
        var wait = await limits.TryTakeAsync(id, channel.Kind, cancellationToken);
        if (wait > TimeSpan.Zero)
            return new Failure.Conflict($"该机器人正在限流，请 {Math.Ceiling(wait.TotalSeconds)} 秒后再试。The robot's rate limit allows the next message in {Math.Ceiling(wait.TotalSeconds)} s.");
        var now = time.GetUtcNow();
        var message = new RobotMessage("【满意】测试消息 / Manyi: test message",
            $"频道“{channel.Name}”已接通：满意 Manyi 的提醒、逾期、督办和通知将发到本群。\n\nThe channel works: Manyi's reminders, overdue notices, escalations and notices will come to this group.\n\n> {options.LinkBase}",
            channel.Mobiles);
        var reply = await client.SendAsync(channel.Kind, secrets.Unprotect(record.WebhookUrl), record.Secret is null ? null : secrets.Unprotect(record.Secret),
            message, options.Timeout, cancellationToken);
        if (reply.Outcome == RobotOutcome.RateLimited)
            await limits.PauseAsync(id, channel.Kind, RobotClient.PauseAfterRateLimit(channel.Kind), CancellationToken.None);
        audit.Record(AuditActions.ChannelTested, AuditSubjects.NotificationChannel, id.ToString(),
            new { reply.Outcome, reply.ErrorCode, reply.Message, at = now });
        await db.SaveChangesAsync(cancellationToken);
        return new ChannelTestResult(reply.Outcome == RobotOutcome.Sent, reply.ErrorCode, reply.Message, Explain(reply));
    }

    private static string Explain(RobotReply reply) => reply.Outcome switch
    {
        RobotOutcome.Sent => "测试消息已发出，请在群里查看。The test message was sent; look in the group.",
        RobotOutcome.RateLimited => "机器人表示发送过于频繁，请稍后再试。The robot says messages come too often; try again later.",
        RobotOutcome.Refused => "机器人拒收：请检查 Webhook 地址、密钥（加签）、关键词或 IP 白名单。The robot refused: check the webhook address, the secret, the keywords or the IP allow-list.",
        _ => "发送失败。Sending failed.",
    };

    private async Task<CheckedRequest?> CheckAsync(ChannelRequest request, NotificationChannelRecord? existing, Dictionary<string, string[]> errors,
        CancellationToken cancellationToken)
    {
        var kind = ChannelKind.Find(request.Kind ?? existing?.Kind);
        if (kind is null)
        {
            errors["kind"] = [string.IsNullOrWhiteSpace(request.Kind)
                ? "须选择机器人类型：wecom（企业微信）、dingtalk（钉钉）或 feishu（飞书）。The kind is required: wecom, dingtalk or feishu."
                : $"未知的机器人类型“{request.Kind}”；可选 wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）。Unknown kind '{request.Kind}'; use wecom, dingtalk or feishu."];
            return null;
        }

        var name = (request.Name ?? existing?.Name ?? "").Trim();
        if (name.Length == 0) errors["name"] = ["须填写名称。The name is required."];
        else if (name.Length > NotificationChannelLimits.MaxNameLength)
            errors["name"] = [$"名称最多 {NotificationChannelLimits.MaxNameLength} 个字符。The name has at most {NotificationChannelLimits.MaxNameLength} characters."];

        string? url = null;
        if (request.WebhookUrl is not null || existing is null)
        {
            url = request.WebhookUrl?.Trim();
            if (rules.Problem(kind, url) is { } problem) errors["webhookUrl"] = [problem];
        }
        else if (existing.Kind != kind.Id && rules.Problem(kind, secrets.Unprotect(existing.WebhookUrl)) is { } problem)
            errors["webhookUrl"] = [problem];

        var secret = request.Secret?.Trim();
        var hasSecret = secret is { Length: > 0 } || (request.Secret is null && existing?.Secret is not null);
        if (secret is { Length: > 0 })
        {
            if (!kind.CanSign) errors["secret"] = [$"{kind.NameZh}不支持加签，请勿填写密钥。A {kind.NameEn} does not sign; leave the secret empty."];
            else if (secret.Length > MaxSecretLength || secret.Any(char.IsWhiteSpace) || secret.Any(char.IsControl))
                errors["secret"] = [$"密钥须为不含空白的字符串，最多 {MaxSecretLength} 个字符。The secret is one word of at most {MaxSecretLength} characters."];
        }
        // A DingTalk or Feishu robot is signed unless the administrator says it is not (it uses keywords or an IP list).
        if (kind.CanSign && (request.Signed ?? existing is null) && !hasSecret)
            errors["secret"] = [$"{kind.NameZh}开启了加签时须填写密钥（{(kind == ChannelKind.DingTalk ? "SEC 开头的字符串" : "签名校验中的密钥")}）；未开启加签请设 signed = false。" +
                                $"A signed {kind.NameEn} needs its secret; set signed = false for a robot without signing."];

        var organizations = Distinct(request.Organizations ?? (existing is null ? [] : Channel.List(existing.Organizations)));
        if (organizations.Count > 0)
        {
            var known = await db.Organizations.AsNoTracking().Where(o => organizations.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
            if (organizations.Except(known).ToList() is { Count: > 0 } unknown)
                errors["organizations"] = [$"这些单位不存在：{string.Join("、", unknown)}。No such organization: {string.Join(", ", unknown)}."];
        }
        var roles = Distinct(request.Roles ?? (existing is null ? [] : Channel.List(existing.Roles)));
        if (roles.Except(ManyiRoles.All).ToList() is { Count: > 0 } unknownRoles)
            errors["roles"] = [$"未知角色：{string.Join("、", unknownRoles)}；可选 {string.Join("、", ManyiRoles.All)}。Unknown role: {string.Join(", ", unknownRoles)}."];

        var messageKinds = Distinct(request.MessageKinds ?? (existing is null ? [.. ChannelMessageKinds.All.Select(k => k.Id)] : Channel.List(existing.MessageKinds)));
        if (messageKinds.Count == 0) errors["messageKinds"] = ["至少选择一种消息。Choose at least one kind of message."];
        else if (messageKinds.Where(k => ChannelMessageKinds.Find(k) is null).ToList() is { Count: > 0 } unknownKinds)
            errors["messageKinds"] = [$"未知的消息类型：{string.Join("、", unknownKinds)}；可选 {string.Join("、", ChannelMessageKinds.All.Select(k => $"{k.Id}（{k.Zh}）"))}。" +
                                      $"Unknown kind of message: {string.Join(", ", unknownKinds)}."];

        var mobiles = Distinct(request.Mobiles ?? (existing is null ? [] : Channel.List(existing.Mobiles)));
        if (mobiles.Count > 0 && !kind.CanMentionMobiles)
            errors["mobiles"] = [$"{kind.NameZh}不能按手机号 @ 成员。A {kind.NameEn} cannot mention people by mobile number."];
        else if (mobiles.Count > MaxMobiles) errors["mobiles"] = [$"最多 @ {MaxMobiles} 个手机号。At most {MaxMobiles} mobiles."];
        else if (mobiles.Where(m => !Mobile().IsMatch(m)).ToList() is { Count: > 0 } wrong)
            errors["mobiles"] = [$"不是手机号：{string.Join("、", wrong)}（11 位，以 1 开头）。Not a mobile number: {string.Join(", ", wrong)} (11 digits starting with 1)."];

        return new CheckedRequest(kind, name, url, secret, organizations, roles, messageKinds, mobiles);
    }

    private static List<string> Distinct(IEnumerable<string?> values) =>
        [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal)];

    private static object Summary(NotificationChannelRecord r) =>
        new { r.Kind, r.Name, Organizations = Channel.List(r.Organizations), Roles = Channel.List(r.Roles), MessageKinds = Channel.List(r.MessageKinds), r.Enabled };

    private ChannelResponse Response(NotificationChannelRecord r)
    {
        var kind = ChannelKind.Find(r.Kind) ?? ChannelKind.WeCom;
        return new ChannelResponse(r.Id, kind.Id, kind.NameZh, kind.NameEn, r.Name, ChannelSecrets.MaskUrl(secrets.Unprotect(r.WebhookUrl)),
            r.Secret is not null, r.Secret is null ? null : ChannelSecrets.MaskSecret(secrets.Unprotect(r.Secret)),
            Channel.List(r.Organizations), Channel.List(r.Roles), Channel.List(r.MessageKinds), Channel.List(r.Mobiles), r.Enabled, r.CreatedAt, r.UpdatedAt);
    }

    private static Failure NotFound(long id) => new Failure.NotFound($"频道 {id} 不存在。Channel {id} does not exist.");

    private sealed record CheckedRequest(ChannelKind Kind, string Name, string? WebhookUrl, string? Secret, IReadOnlyList<string> Organizations,
        IReadOnlyList<string> Roles, IReadOnlyList<string> MessageKinds, IReadOnlyList<string> Mobiles);

    [GeneratedRegex(@"^1[0-9]{10}$")]
    private static partial Regex Mobile();
}

/// <summary>A channel as sent: every field optional on update (see <see cref="NotificationChannelService.UpdateAsync"/>).</summary>
public sealed record ChannelRequest(
    string? Kind, string? Name, string? WebhookUrl, string? Secret, bool? Signed, string[]? Organizations, string[]? Roles, string[]? MessageKinds,
    string[]? Mobiles, bool? Enabled);

/// <summary>A channel as shown: the address and the secret masked.</summary>
public sealed record ChannelResponse(
    long Id, string Kind, string KindName, string KindNameEn, string Name, string WebhookUrl, bool Signed, string? Secret,
    IReadOnlyList<string> Organizations, IReadOnlyList<string> Roles, IReadOnlyList<string> MessageKinds, IReadOnlyList<string> Mobiles, bool Enabled,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The robot's reply to a test message: whether it took it, its <c>errcode</c> and <c>errmsg</c>, and what that means.</summary>
public sealed record ChannelTestResult(bool Sent, int? ErrorCode, string RobotMessage, string Explanation);
