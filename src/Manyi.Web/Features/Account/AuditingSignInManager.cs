using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Account;

/// <summary>
/// Identity's sign-in, with every password sign-in written to the audit trail: succeeded, failed, or locked out.
/// Both the web app's cookie sign-in and the API's <c>/api/auth/login</c> come through here.
/// </summary>
public sealed class AuditingSignInManager(
    UserManager<ManyiUser> users,
    IHttpContextAccessor http,
    IUserClaimsPrincipalFactory<ManyiUser> claims,
    IOptions<IdentityOptions> options,
    ILogger<SignInManager<ManyiUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ManyiUser> confirmation,
    ManyiDbContext db,
    AuditTrail audit)
    : SignInManager<ManyiUser>(users, http, claims, options, logger, schemes, confirmation)
{
    /// <summary>The stamp must match and the user must not be locked out: both end a session at its next request.</summary>
    public override async Task<ManyiUser?> ValidateSecurityStampAsync(System.Security.Claims.ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is not null && await UserManager.IsLockedOutAsync(user) ? null : user;
    }

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure);
        var user = await UserManager.FindByNameAsync(userName);
        var action = result.Succeeded ? AuditActions.SignedIn : result.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed;
        audit.Record(action, "user", user?.Id, new { userName }, userId: user?.Id, userName: user?.UserName ?? userName);
        await db.SaveChangesAsync();
        return result;
    }
}
