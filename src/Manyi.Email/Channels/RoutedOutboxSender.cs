using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Email.Channels;

/// <summary>
/// The outbox's one sender: an e-mail row goes to SMTP (<see cref="MailKitOutboxSender"/>), a robot line to its robot's
/// digest (<see cref="RobotOutboxSender"/>). Both share the rows, the jobs, the retries and the reconciliation.
/// </summary>
public sealed class RoutedOutboxSender(IServiceScopeFactory scopes, IServiceProvider services, MailKitOutboxSender mail) : IOutboxSender
{
    /// <summary>Attempts a line may use before it is given up with the job's last one (the outbox job makes 6).</summary>
    public const int MaxAttempts = 6;

    public async Task SendAsync(string key, CancellationToken cancellationToken)
    {
        if (await ChannelOfAsync(key, cancellationToken) is { } channelId)
            await services.GetRequiredService<RobotOutboxSender>().SendAsync(key, channelId, cancellationToken);
        else
            await mail.SendAsync(key, cancellationToken);
    }

    public async Task MarkFailedAsync(string key, CancellationToken cancellationToken)
    {
        if (await ChannelOfAsync(key, cancellationToken) is { } channelId)
            await services.GetRequiredService<RobotOutboxSender>().MarkFailedAsync(key, channelId, MaxAttempts, cancellationToken);
        else
            await mail.MarkFailedAsync(key, cancellationToken);
    }

    public Task<IReadOnlyList<string>> PendingKeysAsync(int max, CancellationToken cancellationToken) => mail.PendingKeysAsync(max, cancellationToken);

    private async Task<long?> ChannelOfAsync(string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.Key == key).Select(m => m.ChannelId).FirstOrDefaultAsync(cancellationToken);
    }
}
