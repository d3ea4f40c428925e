using System.Security.Claims;
using Manyi.Persistence;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// Revoked access ends at the next request: every signed-in request (cookie or bearer token) is checked against the
/// user's security stamp, which a role change, a password change or reset, a sign-out and an administrator's lock all
/// renew. Identity's own cookie check runs only every 30 minutes and its bearer tokens are never checked, so a demoted
/// administrator's token kept working for an hour. The check reads the stamp alone and keeps it for a few seconds
/// (<see cref="SecurityStampCheck"/>); a change on this node still takes effect at the next request. A lockout after wrong
/// passwords refuses new sign-ins but ends no open session: anyone can type five wrong passwords, and that must not sign
/// the real user out.
/// </summary>
public static class SecurityStamps
{
    /// <summary>How often an open page (a Blazor circuit, which makes no requests of its own) checks again.</summary>
    public static readonly TimeSpan CircuitRevalidation = TimeSpan.FromSeconds(30);

    public static IApplicationBuilder UseManyiSecurityStamps(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.User.Identity?.IsAuthenticated == true
            && !await http.RequestServices.GetRequiredService<SecurityStampCheck>().IsCurrentAsync(http.User,
                http.RequestServices.GetRequiredService<ManyiDbContext>(), http.RequestAborted))
        {
            http.User = new ClaimsPrincipal(new ClaimsIdentity());
            // A revoked cookie is also taken off the browser; a revoked bearer token simply answers 401 from now on.
            if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                http.Response.Cookies.Delete("manyi");
        }
        await next(http);
    });

    public static IServiceCollection AddManyiCircuitRevalidation(this IServiceCollection services) => services
        .AddSingleton<SecurityStampCheck>()
        .AddScoped<AuthenticationStateProvider, RevalidatingIdentityState>();

    private sealed class RevalidatingIdentityState(ILoggerFactory logs, IServiceScopeFactory scopes, SecurityStampCheck stamps)
        : RevalidatingServerAuthenticationStateProvider(logs)
    {
        protected override TimeSpan RevalidationInterval => CircuitRevalidation;

        protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            return await stamps.IsCurrentAsync(state.User, scope.ServiceProvider.GetRequiredService<ManyiDbContext>(), cancellationToken);
        }
    }
}
