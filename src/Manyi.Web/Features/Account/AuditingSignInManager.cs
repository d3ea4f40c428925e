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
    /// <summary>The user name of the password sign-in under way, whose success <see cref="SignInWithClaimsAsync"/> audits.</summary>
    private string? _signingIn;

    /// <summary>
    /// A failed sign-in answers <see cref="SignInResult.Failed"/> whether the account is unknown, the password wrong or
    /// the account locked out, after one password hash in each case: a locked-out answer, or a quicker one, told a
    /// stranger which addresses have accounts. The audit trail still says which it was.
    /// </summary>
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        SignInResult result;
        if (user is null || await UserManager.IsLockedOutAsync(user))
        {
            // The work a wrong password costs (Identity checks neither an unknown account's nor a locked one's).
            UserManager.PasswordHasher.HashPassword(user ?? new ManyiUser(), password);
            result = user is null ? SignInResult.Failed : SignInResult.LockedOut;
        }
        else
        {
            _signingIn = userName;
            try
            {
                result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            }
            finally
            {
                _signingIn = null;
            }
            if (result.Succeeded || result.RequiresTwoFactor) return result;
        }
        audit.Record(result.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed, AuditSubjects.User, user?.Id, new { userName },
            userId: user?.Id, userName: user?.UserName ?? userName);
        await db.SaveChangesAsync();
        return SignInResult.Failed;
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
