using Manyi.Engine;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// Response headers and cookie rules against content sniffing, leaked addresses, injected scripts and framing; cookies
/// are <c>Secure</c> whenever <c>Manyi:PublicUrl</c> is https; an administrator's sign-in cookie lasts a working day
/// (<c>Manyi:Security:AdministratorSignInHours</c>), everyone else's <c>Manyi:Security:SignInDays</c> (14).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Enforced on every page: scripts from this site only (no inline script or handler, no eval), MudBlazor's inline
    /// styles, the circuit's WebSocket, no plugins, no foreign base or form targets, no framing by other sites. The
    /// designer's drops use Blazor's <c>@ondragover:preventDefault</c>, not an inline handler, and the pages render no
    /// inline import map (<c>App.razor</c>).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddManyiCookieRules(this IServiceCollection services)
    {
        services.AddOptions<CookiePolicyOptions>().Configure<IOptions<ManyiOptions>>((options, manyi) =>
        {
            var https = (manyi.Value.PublicUrl ?? "").StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            options.Secure = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            options.HttpOnly = HttpOnlyPolicy.Always;
        });
        services.AddManyiOptions<SecurityOptions>(SecurityOptions.Section, security => security.Problems());
        services.AddOptions<CookieAuthenticationOptions>(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
            .PostConfigure<IOptions<SecurityOptions>>((cookie, security) =>
        {
            var administrators = TimeSpan.FromHours(security.Value.AdministratorSignInHours);
            cookie.ExpireTimeSpan = TimeSpan.FromDays(security.Value.SignInDays);
            var signingIn = cookie.Events.OnSigningIn;
            cookie.Events.OnSigningIn = async context =>
            {
                await signingIn(context);
                // An administrator's cookie can change everything: it lasts a working day, renewed while in use.
                if (context.Principal?.IsInRole(Manyi.Persistence.Records.ManyiRoles.Administrator) == true)
                {
                    context.Options.SlidingExpiration = true;
                    context.Properties.ExpiresUtc = context.Properties.IssuedUtc?.Add(administrators) ?? DateTimeOffset.UtcNow.Add(administrators);
                }
            };
        });
        return services;
    }

    public static IApplicationBuilder UseManyiSecurityHeaders(this IApplicationBuilder app)
    {
        app.UseCookiePolicy();
        return app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers.XFrameOptions = "DENY";
                // Hangfire's dashboard has inline scripts of its own; it is for administrators and keeps its defaults.
                if (!http.Request.Path.StartsWithSegments("/hangfire"))
                {
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }
                return Task.CompletedTask;
            });
            await next(http);
        });
    }
}
