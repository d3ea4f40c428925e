using System.Security.Claims;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.RateLimiting;

namespace Manyi.Web.Features.Account;

/// <summary>
/// Sign-in for scripts and the web app: ASP.NET Core's Identity API endpoints under <c>/api/auth</c>
/// (<c>POST /api/auth/login</c> returns a bearer token; <c>?useCookies=true</c> sets the cookie instead), plus who am I,
/// sign-out and the antiforgery token that cookie-authenticated API calls send. Self-registration is off: users are
/// invited by administrators.
/// </summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Sign-in");
        group.AddEndpointFilter(async (context, next) =>
        {
            var path = context.HttpContext.Request.Path;
            if (path.StartsWithSegments("/api/auth/register"))
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.",
                    detail: "自助注册已关闭，请联系管理员邀请。Self-registration is off; ask an administrator for an invitation.");
            // Accounts are invited with a checked address: Identity's e-mail confirmation is no product feature, and its
            // links were built from the request's Host header (an attacker's site in a real e-mail).
            if (path.StartsWithSegments("/api/auth/confirmEmail") || path.StartsWithSegments("/api/auth/resendConfirmationEmail"))
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.",
                    detail: "账号由管理员邀请，无需确认邮箱。Accounts are invited by administrators; there is no e-mail confirmation.");
            if (context.Arguments.OfType<InfoRequest>().Any(r => !string.IsNullOrEmpty(r.NewEmail)))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["newEmail"] = ["邮箱地址由管理员修改。An administrator changes e-mail addresses."],
                });
            // Identity's own changes (password, two-factor) and sign-out, made with the cookie, need the antiforgery token too.
            if (path.StartsWithSegments("/api/auth/manage") || path.StartsWithSegments("/api/auth/logout"))
                return await CookieAntiforgery.RefusalAsync(context.HttpContext) ?? await next(context);
            if (AccountLimit(context) is { } refusal) return refusal;
            if (context.Arguments.OfType<ForgotPasswordRequest>().FirstOrDefault() is { } forgot)
            {
                // Every address gets the same answer after the same work: only a job is enqueued (PasswordResets).
                context.HttpContext.RequestServices.GetRequiredService<PasswordResets>().Request(forgot.Email);
                return TypedResults.Ok();
            }
            var result = await next(context);
            // Identity answers a union (Results<…>) whose inner result is the sign-in with the new principal.
            if (path.StartsWithSegments("/api/auth/refresh") && (result is INestedHttpResult nested ? nested.Result : result) is SignInHttpResult { Principal: var principal })
                await AuditRefreshAsync(context.HttpContext, principal);
            return result;
        });
        group.MapIdentityApi<ManyiUser>().Add(endpoint =>
        {
            // Per client address; AccountLimit counts per account.
            var policy = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText?.Split('/').LastOrDefault() switch
            {
                "login" or "resetPassword" => RateLimits.SignIn,
                "forgotPassword" => RateLimits.PasswordEmail,
                _ => null,
            };
            if (policy is not null) endpoint.Metadata.Add(new EnableRateLimitingAttribute(policy));
        });
        group.MapGet("/me", Me).RequireAuthorization(ManyiPolicies.SignedIn);
        group.MapPost("/logout", Logout).RequireAuthorization(ManyiPolicies.SignedIn);
        group.MapGet("/antiforgery", Antiforgery).RequireAuthorization(ManyiPolicies.SignedIn);
        return group;
    }

    /// <summary>The per-account count of a sign-in, password reset or forgotten password: a 429, or null when it may go on.</summary>
    private static IResult? AccountLimit(EndpointFilterInvocationContext context)
    {
        (AccountThrottle.Kind Kind, string Account)? attempt = context.Arguments.FirstOrDefault() switch
        {
            LoginRequest login => (AccountThrottle.Kind.SignIn, login.Email),
            ResetPasswordRequest reset => (AccountThrottle.Kind.SignIn, reset.Email),
            ForgotPasswordRequest forgot => (AccountThrottle.Kind.PasswordEmail, forgot.Email),
            _ => null,
        };
        if (attempt is not var (kind, account)) return null;
        var http = context.HttpContext;
        return http.RequestServices.GetRequiredService<AccountThrottle>().Refusal(kind, account) is { } retryAfter
            ? RateLimits.TooManyRequests(http, retryAfter)
            : null;
    }

    /// <summary>A refresh token traded for a new access token: a sign-in without a password, so in the audit trail too.</summary>
    private static async Task AuditRefreshAsync(HttpContext http, ClaimsPrincipal principal)
    {
        var services = http.RequestServices;
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        services.GetRequiredService<AuditTrail>().Record(AuditActions.TokenRefreshed, AuditSubjects.User, userId,
            userId: userId, userName: principal.Identity?.Name);
        await services.GetRequiredService<ManyiDbContext>().SaveChangesAsync(http.RequestAborted);
    }

    public static async Task<Ok<Me>> Me(CurrentUser user, UserManager<ManyiUser> users, CancellationToken cancellationToken)
    {
        var record = await users.FindByIdAsync(user.Id);
        var roles = record is null ? [] : await users.GetRolesAsync(record);
        return TypedResults.Ok(new Me(user.Id, record?.Email, record?.DisplayName, [.. roles],
            [.. (await user.OrganizationsAsync(cancellationToken)).Order()]));
    }

    /// <summary>
    /// Signs out everywhere: a new security stamp ends every cookie, bearer token and refresh token of the user at its
    /// next use (a bearer token cannot be taken back from the client, only refused).
    /// </summary>
    public static async Task<NoContent> Logout(SignInManager<ManyiUser> signIn, CurrentUser user)
    {
        if (await signIn.UserManager.FindByIdAsync(user.Id) is { } record) await signIn.UserManager.UpdateSecurityStampAsync(record);
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    /// <summary>The token a cookie-authenticated client sends in the <c>X-XSRF-TOKEN</c> header with every change.</summary>
    public static Ok<AntiforgeryToken> Antiforgery(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(new AntiforgeryToken(tokens.RequestToken!, tokens.HeaderName!));
    }
}

public sealed record Me(string Id, string? Email, string? DisplayName, string[] Roles, string[] Organizations);

public sealed record AntiforgeryToken(string Token, string HeaderName);
