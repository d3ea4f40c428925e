using MailKit.Net.Smtp;
using Manyi.Email.Delivery;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Manyi.Email.Outbox;

/// <summary>
/// Sends outbox messages, never twice at once: a sender first claims the row (a conditional update that only one
/// caller can win), hands the message over, and marks it Sent in a transaction of its own right after the server
/// accepted it. A sender that dies between the server's acceptance and the mark leaves the claim to expire, and the
/// message is sent again with the same Message-Id: whether the server took it cannot be known. A failed attempt is recorded with the server's reply and rethrown, so that the caller retries.
/// </summary>
public sealed class MailKitOutboxSender(
    IServiceScopeFactory scopes,
    IMailDelivery delivery,
    SmtpOptions smtp,
    EmailOptions options,
    TimeProvider time,
    ILogger<MailKitOutboxSender> logger) : IOutboxSender
{
    private const int MaxErrorLength = 2000;
    private readonly MailboxAddress _from = EmailAddresses.Parse(smtp.From, "Manyi:Smtp:From");

    public Task SendAsync(string key, CancellationToken cancellationToken) => SendAsync(key, isLastAttempt: false, cancellationToken);

    /// <summary>
    /// Sends one outbox message; does nothing when it was sent already or another sender is sending it. On failure
    /// records the attempt and the server's reply and rethrows; with <paramref name="isLastAttempt"/> the message is
    /// also marked Failed (its caller will not retry).
    /// </summary>
    public async Task SendAsync(string key, bool isLastAttempt, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(LogScope.Of("OutboxKey", key));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();

        if (!await ClaimAsync(db, key, cancellationToken))
        {
            var current = await db.OutboxMessages.Where(m => m.Key == key)
                .Select(m => new { m.Status, m.ClaimedUntil }).FirstOrDefaultAsync(cancellationToken);
            if (current is null)
                logger.LogWarning("Outbox message {Key} does not exist; nothing to send", key);
            else if (current.Status == OutboxStatus.Sent)
                logger.LogDebug("Outbox message {Key} was sent already", key);
            else
                logger.LogInformation("Outbox message {Key} is being sent by another sender (claimed until {ClaimedUntil})", key, current.ClaimedUntil);
            return;
        }

        var record = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Key == key, cancellationToken);
        using var instanceScope = record.InstanceId is null ? null : logger.BeginScope(LogScope.Of("WorkflowInstanceId", record.InstanceId));
        // The attempt ends before the claim does, so that no second sender can start while this one may still deliver.
        var limit = options.ClaimTimeout * 0.9;
        using var overdue = new CancellationTokenSource(limit, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overdue.Token);
        try
        {
            var message = OutboxMime.Build(record, _from, time.GetUtcNow());
            await delivery.DeliverAsync(message, attempt.Token);
        }
        catch (Exception ex)
        {
            var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
            var error = ex is OperationCanceledException && overdue.IsCancellationRequested && !cancelled
                ? $"The attempt took longer than {limit} and was abandoned."
                : Describe(ex);
            var failed = isLastAttempt && !cancelled;
            await RecordFailureAsync(db, key, error, failed);
            EmailTelemetry.Failed(record.Kind, failed);
            if (failed)
                logger.LogError(ex, "Outbox message {Key} ({Kind}) failed for good after {Attempts} attempts: {Error}", key, record.Kind, record.Attempts, error);
            else
                logger.LogWarning(ex, "Outbox message {Key} ({Kind}), attempt {Attempts}, failed: {Error}", key, record.Kind, record.Attempts, error);
            throw;
        }

        await MarkSentAsync(db, key);
        EmailTelemetry.Sent(record.Kind);
        logger.LogInformation("Outbox message {Key} ({Kind}) sent to {To} via {Delivery}", key, record.Kind, record.To, delivery.Description);
    }

    /// <summary>Marks a message Failed (its retries are exhausted), with a reason when there is no server reply to keep.</summary>
    public Task MarkFailedAsync(string key, CancellationToken cancellationToken) => MarkFailedAsync(key, reason: null, cancellationToken);

    public async Task MarkFailedAsync(string key, string? reason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        await db.OutboxMessages
            .Where(m => m.Key == key && m.Status != OutboxStatus.Sent)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Failed)
                .SetProperty(m => m.LastError, m => reason == null ? m.LastError : reason), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> PendingKeysAsync(int max, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var now = time.GetUtcNow();
        return await db.OutboxMessages
            .Where(m => m.Status == OutboxStatus.Queued && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.Id)
            .Select(m => m.Key)
            .Take(max)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Claims the message for this attempt and counts the attempt. Only one concurrent caller's update matches; a
    /// claim whose sender died expires after <see cref="EmailOptions.ClaimTimeout"/>.
    /// </summary>
    private async Task<bool> ClaimAsync(ManyiDbContext db, string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now + options.ClaimTimeout;
        var claimed = await db.OutboxMessages
            .Where(m => m.Key == key && m.Status != OutboxStatus.Sent && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ClaimedUntil, until)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
        return claimed == 1;
    }

    /// <summary>Right after the server accepted the message, in a transaction of its own; retried, since a lost mark would mean a second send.</summary>
    private async Task MarkSentAsync(ManyiDbContext db, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var sentAt = time.GetUtcNow();
                await db.OutboxMessages.Where(m => m.Key == key).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Sent)
                    .SetProperty(m => m.SentAt, sentAt)
                    .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < 3)
            {
                logger.LogWarning(ex, "Marking outbox message {Key} sent failed (try {Attempt}); trying again", key, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The claim stays until it expires, so no other sender repeats the message before then.
                logger.LogCritical(ex, "Outbox message {Key} was delivered but could not be marked sent", key);
                throw;
            }
        }
    }

    private static Task RecordFailureAsync(ManyiDbContext db, string key, string error, bool failed) =>
        db.OutboxMessages.Where(m => m.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.Status, failed ? OutboxStatus.Failed : OutboxStatus.Queued), CancellationToken.None);

    /// <summary>The server's reply when there is one: code, its meaning, what it refused, and its text.</summary>
    internal static string Describe(Exception ex)
    {
        var text = ex switch
        {
            SmtpCommandException smtp => $"{(int)smtp.StatusCode} {smtp.StatusCode} ({smtp.ErrorCode}" +
                                         (smtp.Mailbox is null ? "" : $" {smtp.Mailbox.Address}") + $"): {smtp.Message}",
            OperationCanceledException => "The attempt was cancelled.",
            _ => $"{ex.GetType().Name}: {ex.Message}",
        };
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }
}
