using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// The per-account half of <see cref="RateLimits"/>: the account is in the request's body (the e-mail address tried) or
/// is the signed-in administrator, which a rate limiting policy cannot read, so the endpoints and pages ask here. Known
/// and unknown addresses count alike, so a refusal tells nothing about who has an account.
/// </summary>
public sealed class AccountThrottle : IDisposable
{
    public enum Kind { SignIn, PasswordEmail, AdministratorEmail }

    private readonly Dictionary<Kind, PartitionedRateLimiter<string>> _limiters;

    public AccountThrottle(IOptions<RateLimitOptions> options)
    {
        var limits = options.Value;
        _limiters = new()
        {
            [Kind.SignIn] = PerAccount(limits.SignInsPerAccount, limits.Window),
            [Kind.PasswordEmail] = PerAccount(limits.PasswordEmailsPerAccount, limits.Window),
            [Kind.AdministratorEmail] = PerAccount(limits.AdministratorEmailsPerAccount, limits.Window),
        };
    }

    /// <summary>Counts one attempt; null when it may go on, otherwise how long until the account may try again.</summary>
    public TimeSpan? Refusal(Kind kind, string? account)
    {
        using var lease = _limiters[kind].AttemptAcquire((account ?? "").Trim().ToUpperInvariant());
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values) limiter.Dispose();
    }

    private static PartitionedRateLimiter<string> PerAccount(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account, _ => RateLimits.FixedWindow(permits, window)));
}
