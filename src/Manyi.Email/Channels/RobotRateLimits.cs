using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Email.Channels;

/// <summary>
/// Each robot's token bucket, kept on its channel row so that every node draws from the same one: a node takes a token
/// with a conditional update on the bucket's revision, and reads again when another node changed it first.
/// </summary>
public sealed class RobotRateLimits(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Takes a token: <see cref="TimeSpan.Zero"/> when taken, else how long until one is there (nothing taken).</summary>
    public async Task<TimeSpan> TryTakeAsync(long channelId, ChannelKind kind, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        while (true)
        {
            var bucket = await db.NotificationChannels.AsNoTracking().Where(c => c.Id == channelId)
                .Select(c => new { c.BucketTokens, c.BucketAt, c.BucketRevision }).FirstOrDefaultAsync(cancellationToken);
            if (bucket is null) return TimeSpan.Zero;
            var now = time.GetUtcNow();
            var tokens = Refilled(kind, bucket.BucketTokens, bucket.BucketAt, now);
            if (tokens < 1) return TimeSpan.FromSeconds((1 - tokens) / kind.PerSecond);
            var revision = bucket.BucketRevision;
            var taken = await db.NotificationChannels.Where(c => c.Id == channelId && c.BucketRevision == revision)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.BucketTokens, tokens - 1)
                    .SetProperty(c => c.BucketAt, now)
                    .SetProperty(c => c.BucketRevision, revision + 1), cancellationToken);
            if (taken == 1) return TimeSpan.Zero;
        }
    }

    /// <summary>The robot said "too frequent": the bucket is emptied below zero, so no node calls it again before <paramref name="pause"/> has passed.</summary>
    public async Task PauseAsync(long channelId, ChannelKind kind, TimeSpan pause, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var now = time.GetUtcNow();
        await db.NotificationChannels.Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.BucketTokens, 1 - pause.TotalSeconds * kind.PerSecond)
            .SetProperty(c => c.BucketAt, now)
            .SetProperty(c => c.BucketRevision, c => c.BucketRevision + 1), cancellationToken);
    }

    /// <summary>A new channel's bucket starts full.</summary>
    public static double Full(ChannelKind kind) => kind.Capacity;

    private static double Refilled(ChannelKind kind, double tokens, DateTimeOffset? at, DateTimeOffset now) =>
        at is null ? kind.Capacity : Math.Min(kind.Capacity, tokens + Math.Max(0, (now - at.Value).TotalSeconds) * kind.PerSecond);
}
