using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Manyi.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// Whether a signed-in principal's security stamp is still the user's (<see cref="SecurityStamps"/>), cheaply: one
/// compiled query reads the stamp column alone (Identity's own check loads and tracks the whole user row), and a stamp
/// read is kept per user for <see cref="Interval"/> (<c>Manyi:Security:StampCheckSeconds</c>, 5 s; 0 reads it at every
/// request). A change of the stamp on this node (<see cref="Changed"/>: every update of a user through the user manager,
/// a role change, a lock) takes effect at the next request all the same: the user's kept stamp is dropped and, for
/// <see cref="ChangeGuard"/> after the change, not kept again, so that a stamp read before a change's transaction
/// commits is never kept. Another node sees the change within <see cref="Interval"/>.
/// </summary>
public sealed class SecurityStampCheck
{
    /// <summary>How long after a change on this node the user's stamp is read at every request (a change's transaction commits well within it).</summary>
    public static readonly TimeSpan ChangeGuard = TimeSpan.FromSeconds(30);

    /// <summary>Bounds the memory: past this many users, the kept stamps are dropped and read again.</summary>
    private const int MaxKept = 50_000;

    /// <summary>The compiled query per model (a compiled query serves one model: SQLite's or PostgreSQL's).</summary>
    private static readonly ConditionalWeakTable<IModel, Func<ManyiDbContext, string, CancellationToken, Task<string?>>> StampOf = [];

    private static Func<ManyiDbContext, string, CancellationToken, Task<string?>> Compile(IModel _) => EF.CompileAsyncQuery(
        (ManyiDbContext db, string id, CancellationToken _) => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).FirstOrDefault());

    private readonly ConcurrentDictionary<string, Kept> _kept = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _changedUntil = new(StringComparer.Ordinal);
    private readonly string _userIdClaim;
    private readonly string _stampClaim;
    private long _changes;

    public SecurityStampCheck(IOptions<IdentityOptions> identity, IOptions<SecurityOptions> security)
    {
        _userIdClaim = identity.Value.ClaimsIdentity.UserIdClaimType;
        _stampClaim = identity.Value.ClaimsIdentity.SecurityStampClaimType;
        Interval = TimeSpan.FromSeconds(security.Value.StampCheckSeconds);
    }

    /// <summary>How long a stamp read from the database is trusted on this node for changes made elsewhere.</summary>
    public TimeSpan Interval { get; }

    /// <summary>True when <paramref name="principal"/> names a user whose stamp is the one it carries.</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, ManyiDbContext db, CancellationToken cancellationToken)
    {
        if (principal.FindFirstValue(_userIdClaim) is not { } userId || principal.FindFirstValue(_stampClaim) is not { } carried) return false;
        var now = Environment.TickCount64;
        if (_kept.TryGetValue(userId, out var kept) && now < kept.Until) return kept.Stamp == carried;

        var changes = Volatile.Read(ref _changes);
        var stamp = await StampOf.GetValue(db.Model, Compile)(db, userId, cancellationToken);
        if (Interval > TimeSpan.Zero && !(_changedUntil.TryGetValue(userId, out var until) && now < until))
        {
            if (_kept.Count >= MaxKept) _kept.Clear();
            var entry = new Kept(stamp, now + (long)Interval.TotalMilliseconds);
            _kept[userId] = entry;
            // A change since the read began: what was read may be the old stamp; drop it (Changed may have run before the line above).
            if (Volatile.Read(ref _changes) != changes) _kept.TryRemove(KeyValuePair.Create(userId, entry));
        }
        return stamp is not null && stamp == carried;
    }

    /// <summary>The user's stamp changed (or is about to, in a transaction not yet committed): read it from the database again.</summary>
    public void Changed(string userId)
    {
        _changedUntil[userId] = Environment.TickCount64 + (long)ChangeGuard.TotalMilliseconds;
        Interlocked.Increment(ref _changes);
        _kept.TryRemove(userId, out _);
        if (_changedUntil.Count > 1_000)
            foreach (var (id, until) in _changedUntil)
                if (until <= Environment.TickCount64) _changedUntil.TryRemove(KeyValuePair.Create(id, until));
    }

    private sealed record Kept(string? Stamp, long Until);
}
