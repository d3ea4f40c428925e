using System.Security.Claims;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// The signed-in user of this request: who, which roles, and which organizations they act for. Every endpoint that
/// returns or changes organization data asks <see cref="CanActFor"/>; hiding things in the UI is not enough.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor http, CircuitPrincipal circuit, ManyiDbContext db) : IAuditActor
{
    private IReadOnlySet<string>? _organizations;

    // An interactive page's circuit first: there, the HttpContext is absent or stale.
    private ClaimsPrincipal Principal => circuit.User ?? http.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsSignedIn => Principal.Identity?.IsAuthenticated == true;

    public string Id => Principal.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No user is signed in.");

    public string Name => Principal.Identity?.Name ?? Id;

    /// <summary>The e-mail address the user signed in with (current: a new address renews the security stamp); null without one.</summary>
    public string? Email => Principal.FindFirstValue(ClaimTypes.Email) is { Length: > 0 } email ? email : null;

    public bool IsAdministrator => Principal.IsInRole(ManyiRoles.Administrator);

    public bool IsReviewer => Principal.IsInRole(ManyiRoles.Reviewer);

    /// <summary>
    /// The user's roles as signed in. Current: a role change renews the security stamp, which every request checks
    /// (<see cref="SecurityStamps"/>), so a sign-in with roles since changed gets no further.
    /// </summary>
    public IReadOnlyList<string> Roles => [.. Principal.FindAll(ClaimTypes.Role).Select(c => c.Value)];

    string? IAuditActor.UserId => IsSignedIn ? Id : null;

    string? IAuditActor.UserName => IsSignedIn ? Name : null;

    /// <summary>The client's address, for the audit trail.</summary>
    public string? Address => circuit.User is not null ? circuit.Address : http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    /// <summary>The organizations the user is a member of (participants; administrators usually have none).</summary>
    public async Task<IReadOnlySet<string>> OrganizationsAsync(CancellationToken cancellationToken) =>
        _organizations ??= (await db.OrganizationMembers.AsNoTracking()
            .Where(m => m.UserId == Id).Select(m => m.OrganizationId).ToListAsync(cancellationToken)).ToHashSet();

    /// <summary>Administrators act for every organization; anyone else for the ones they are a member of.</summary>
    public async Task<bool> CanActForAsync(string? organizationId, CancellationToken cancellationToken) =>
        IsAdministrator || (organizationId is not null && (await OrganizationsAsync(cancellationToken)).Contains(organizationId));
}
