using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Microsoft.AspNetCore.Identity;
using Manyi.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Account;

/// <summary>
/// Identity's user manager, with every password set through a reset code (a forgotten password, an accepted
/// invitation) or changed by its owner written to the audit trail. Identity's <c>/api/auth/resetPassword</c> comes through here.
/// </summary>
public sealed class AuditingUserManager(
    IUserStore<ManyiUser> store,
    IOptions<IdentityOptions> options,
    IPasswordHasher<ManyiUser> hasher,
    IEnumerable<IUserValidator<ManyiUser>> userValidators,
    IEnumerable<IPasswordValidator<ManyiUser>> passwordValidators,
    ILookupNormalizer normalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<ManyiUser>> logger,
    ManyiDbContext db,
    AuditTrail audit,
    SecurityStampCheck stamps)
    : UserManager<ManyiUser>(store, options, hasher, userValidators, passwordValidators, normalizer, errors, services, logger)
{
    /// <summary>Every change of a user (its security stamp among them) goes through here: the kept stamp is read again.</summary>
    protected override async Task<IdentityResult> UpdateUserAsync(ManyiUser user)
    {
        stamps.Changed(user.Id);
        try
        {
            return await base.UpdateUserAsync(user);
        }
        finally
        {
            stamps.Changed(user.Id);
        }
    }

    public override async Task<IdentityResult> DeleteAsync(ManyiUser user)
    {
        try
        {
            return await base.DeleteAsync(user);
        }
        finally
        {
            stamps.Changed(user.Id);
        }
    }

    public override async Task<IdentityResult> ResetPasswordAsync(ManyiUser user, string token, string newPassword)
    {
        var result = await base.ResetPasswordAsync(user, token, newPassword);
        if (!result.Succeeded) return result;
        audit.Record(AuditActions.PasswordReset, AuditSubjects.User, user.Id, userId: user.Id, userName: user.UserName);
        await db.SaveChangesAsync();
        return result;
    }

    public override async Task<IdentityResult> ChangePasswordAsync(ManyiUser user, string currentPassword, string newPassword)
    {
        var result = await base.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded) return result;
        audit.Record(AuditActions.PasswordChanged, AuditSubjects.User, user.Id, userId: user.Id, userName: user.UserName);
        await db.SaveChangesAsync();
        return result;
    }
}
