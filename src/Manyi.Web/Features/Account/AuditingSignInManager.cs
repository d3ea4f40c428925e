using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
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

    /// <summary>The user name of the password sign-in under way, whose success <see cref="SignInWithClaimsAsync"/> audits.</summary>
    private string? _signingIn;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        _signingIn = userName;
        SignInResult result;
        try
        {
            result = await base.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure);
        }
        finally
        {
            _signingIn = null;
        }
        if (result.Succeeded) return result;
        var user = await UserManager.FindByNameAsync(userName);
        audit.Record(result.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed, AuditSubjects.User, user?.Id, new { userName },
            userId: user?.Id, userName: user?.UserName ?? userName);
        await db.SaveChangesAsync();
        return result;
    }

    /// <summary>
    /// A password sign-in's audit line is written before the cookie or token is issued: when it cannot be written (the
    /// storage is read-only), nobody is signed in unaudited.
    /// </summary>
    public override async Task SignInWithClaimsAsync(ManyiUser user, AuthenticationProperties? authenticationProperties, IEnumerable<System.Security.Claims.Claim> additionalClaims)
    {
        if (_signingIn is { } userName)
        {
            audit.Record(AuditActions.SignedIn, AuditSubjects.User, user.Id, new { userName }, userId: user.Id, userName: user.UserName ?? userName);
            await db.SaveChangesAsync();
        }
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
    }
}
