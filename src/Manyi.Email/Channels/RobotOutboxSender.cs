using System.Text.Json.Nodes;
using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Manyi.Email.Channels;

/// <summary>
/// Sends a robot's waiting lines as its digest. A sender claims every waiting line of the channel at once (a
/// conditional update with its own claim id, so two nodes never claim the same line), writes them as few messages as
/// the size limit allows, takes a token from the robot's shared bucket for each, and marks each message's lines Sent
/// right after the robot accepted it. A rate-limit answer pauses the bucket and retries later; a refusal (signature,
/// keyword, invalid webhook) fails the lines at once with the robot's reason; any other failure is retried.
/// </summary>
public sealed class RobotOutboxSender(
    IServiceScopeFactory scopes,
    RobotClient client,
    RobotDigests digests,
    RobotRateLimits limits,
    ChannelSecrets secrets,
    ChannelOptions options,
    EmailOptions email,
    TimeProvider time,
    ILogger<RobotOutboxSender> logger)
{
    /// <summary>The most lines one digest takes; the rest wait for the next.</summary>
    public const int MaxLines = 500;

    public async Task SendAsync(string key, long channelId, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(LogScope.Of("OutboxKey", key));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var claim = Guid.NewGuid().ToString("N");
        var lines = await ClaimAsync(db, channelId, claim, cancellationToken);
        if (lines.Count == 0)
        {
            logger.LogDebug("Robot line {Key}: nothing waiting (sent with an earlier digest, or being sent)", key);
            return;
        }

        var record = await db.NotificationChannels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        if (record is null || !record.Enabled)
        {
            await FailAsync(db, claim, lines.Select(l => l.Id), "频道已删除或停用。The channel was deleted or disabled.");
            return;
        }
        var channel = Channel.From(record);
        var url = secrets.Unprotect(record.WebhookUrl);
        var secret = record.Secret is null ? null : secrets.Unprotect(record.Secret);
        var pending = lines.Select(l => l.Id).ToHashSet();
        try
        {
            foreach (var digest in await digests.BuildAsync(channel.Kind, lines, channel.Mobiles, cancellationToken))
            {
                await WaitForTokenAsync(channel, cancellationToken);
                var reply = await client.SendAsync(channel.Kind, url, secret, digest.Message, options.Timeout, cancellationToken);
                switch (reply.Outcome)
                {
                    case RobotOutcome.Sent:
                        await MarkSentAsync(db, claim, digest.LineIds);
                        pending.ExceptWith(digest.LineIds);
                        EmailTelemetry.Sent("robot");
                        logger.LogInformation("Robot digest of {Lines} line(s) sent to channel {Channel} ({Kind})", digest.LineIds.Count, channel.Id, channel.Kind.Id);
                        break;
                    case RobotOutcome.Refused:
                        await FailAsync(db, claim, pending, reply.Describe());
                        EmailTelemetry.Failed("robot", true);
                        logger.LogError("Channel {Channel} refused the digest for good: {Reply}", channel.Id, reply.Describe());
                        return;
                    case RobotOutcome.RateLimited:
                        await limits.PauseAsync(channel.Id, channel.Kind, RobotClient.PauseAfterRateLimit(channel.Kind), CancellationToken.None);
                        throw new RobotDeliveryException(reply.Describe());
                    default:
                        throw new RobotDeliveryException(reply.Describe());
                }
            }
        }
        catch (Exception ex)
        {
            var error = ex is RobotDeliveryException ? ex.Message : MailKitOutboxSender.Describe(ex);
            await ReleaseAsync(db, claim, pending, error);
            EmailTelemetry.Failed("robot", false);
            logger.LogWarning(ex, "Robot digest for channel {Channel} failed; {Lines} line(s) wait for the retry: {Error}", channelId, pending.Count, error);
            throw;
        }
    }

    /// <summary>Marks the line Failed after its last retry, and with it the lines of the channel that used up as many attempts.</summary>
    public async Task MarkFailedAsync(string key, long channelId, int attempts, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        await db.OutboxMessages
            .Where(m => m.ChannelId == channelId && m.Status == OutboxStatus.Queued && (m.Key == key || m.Attempts >= attempts))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Failed), cancellationToken);
    }

    /// <summary>Waits in place for the robot's next token when it comes soon; otherwise leaves the lines to the retry.</summary>
    private async Task WaitForTokenAsync(Channel channel, CancellationToken cancellationToken)
    {
        while (await limits.TryTakeAsync(channel.Id, channel.Kind, cancellationToken) is var wait && wait > TimeSpan.Zero)
        {
            if (wait > options.MaxRateWait)
                throw new RobotDeliveryException($"机器人限流中，{Math.Ceiling(wait.TotalSeconds)} 秒后重试。The robot's rate limit allows the next message in {Math.Ceiling(wait.TotalSeconds)} s; retrying later.");
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<RobotLine>> ClaimAsync(ManyiDbContext db, long channelId, string claim, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now + email.ClaimTimeout;
        var candidates = await db.OutboxMessages
            .Where(m => m.ChannelId == channelId && m.Status == OutboxStatus.Queued && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.Id).Select(m => m.Id).Take(MaxLines).ToListAsync(cancellationToken);
        if (candidates.Count == 0) return [];
        // The same condition again: a line another sender claimed meanwhile is not taken twice.
        await db.OutboxMessages
            .Where(m => candidates.Contains(m.Id) && m.Status == OutboxStatus.Queued && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ClaimedUntil, until)
                .SetProperty(m => m.ClaimedBy, claim)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
        var rows = await db.OutboxMessages.AsNoTracking().Where(m => m.ClaimedBy == claim)
            .Select(m => new { m.Id, m.Payload, m.Kind, m.Subject }).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new RobotLine(r.Id, Facts(r.Payload, r.Kind, r.Subject)))];
    }

    private static JsonObject Facts(string? payload, string kind, string title)
    {
        var facts = (payload is null ? null : JsonNode.Parse(payload) as JsonObject) ?? new JsonObject { ["title"] = title };
        facts["kind"] ??= kind;
        return facts;
    }

    /// <summary>Right after the robot accepted the message; retried, since a lost mark would mean a second send.</summary>
    private async Task MarkSentAsync(ManyiDbContext db, string claim, IReadOnlyList<long> ids)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var sentAt = time.GetUtcNow();
                await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.ClaimedBy == claim).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sent)
                    .SetProperty(m => m.SentAt, sentAt)
                    .SetProperty(m => m.LastError, (string?)null)
                    .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < 3)
            {
                logger.LogWarning(ex, "Marking robot lines sent failed (try {Attempt}); trying again", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, CancellationToken.None);
            }
        }
    }

    private static Task FailAsync(ManyiDbContext db, string claim, IEnumerable<long> ids, string reason)
    {
        var list = ids.ToList();
        return db.OutboxMessages.Where(m => list.Contains(m.Id) && m.ClaimedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Failed)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    private static Task ReleaseAsync(ManyiDbContext db, string claim, IEnumerable<long> ids, string error)
    {
        var list = ids.ToList();
        return db.OutboxMessages.Where(m => list.Contains(m.Id) && m.ClaimedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LastError, error.Length <= 2000 ? error : error[..2000])
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }
}

/// <summary>A robot did not take the digest this time (rate limit, error code, HTTP error, time-out); the job retries.</summary>
public sealed class RobotDeliveryException(string message) : Exception(message);
