using Microsoft.AspNetCore.Mvc;
using System.Text;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure.Security;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Account;
using Manyi.Web.Features.Organizations;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Users;

/// <summary>
/// The user rules the endpoints (<see cref="UsersApi"/>) and the users page share: list, inspect, invite (the new user
/// sets a password from the e-mailed link), change roles and organizations, unlock, and send a new invitation (which
/// also serves as an administrator's password reset). A participant always acts for at least one organization, and the
/// last administrator cannot lose the role.
/// </summary>
public sealed class UserService(ManyiDbContext db, UserManager<ManyiUser> users, AccountEmails emails, AuditTrail audit, CurrentUser current, TimeProvider time)
{
    /// <summary>Users by e-mail; filters: role, organization, a search in the e-mail and name, locked out or not.</summary>
    public async Task<Outcome<Page<UserSummary>>> ListAsync(UserQuery filter, CancellationToken cancellationToken)
    {
        var (role, organization, search, lockedOut) = (filter.Role, filter.Organization, filter.Search, filter.LockedOut);
        var query = db.Users.AsNoTracking();
        var now = time.GetUtcNow();
        // Locked out: too many failed sign-ins, until LockoutEnd; Identity leaves a past LockoutEnd behind.
        if (lockedOut == true) query = query.Where(u => u.LockoutEnd != null && u.LockoutEnd > now);
        if (lockedOut == false) query = query.Where(u => u.LockoutEnd == null || u.LockoutEnd <= now);
        if (!string.IsNullOrWhiteSpace(role))
        {
            if (CanonicalRole(role) is not { } canonical)
                return new Failure.Invalid("role", RoleProblem(role));
            var normalized = canonical.ToUpperInvariant();
            query = query.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == normalized)));
        }
        if (!string.IsNullOrWhiteSpace(organization))
        {
            var organizationId = organization.Trim();
            query = query.Where(u => db.OrganizationMembers.Any(m => m.UserId == u.Id && m.OrganizationId == organizationId));
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim();
            var upper = text.ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(upper) || u.DisplayName.Contains(text));
        }
        var (page, pageSize) = Page.Clamp(filter.Page, filter.PageSize);
        var total = await query.CountAsync(cancellationToken);
        var users = await query.OrderBy(u => u.NormalizedEmail).ThenBy(u => u.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var ids = users.Select(u => u.Id).ToList();
        var roles = await RolesOfAsync(ids, cancellationToken);
        var memberships = (await db.OrganizationMembers.AsNoTracking().Where(m => ids.Contains(m.UserId)).ToListAsync(cancellationToken))
            .ToLookup(m => m.UserId, m => m.OrganizationId);
        return new Page<UserSummary>(users.Select(u => new UserSummary(u.Id, u.Email, u.DisplayName, roles[u.Id].ToList(),
            memberships[u.Id].Order(StringComparer.Ordinal).ToList(), u.LockoutEnd > now, u.PasswordHash is not null, u.CreatedAt)).ToList(), total, page, pageSize);
    }

    public async Task<Outcome<UserResponse>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? NotFound(id) : await ResponseAsync(user, cancellationToken);
    }

    /// <summary>
    /// Creates a user without a password, with one role and the organizations they act for, and e-mails the invitation
    /// (a link with a set-password code). A conflict when the address is taken.
    /// </summary>
    public async Task<Outcome<UserResponse>> InviteAsync(InviteUserRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim() ?? "";
        if (!OrganizationRules.IsValidEmail(email)) errors["email"] = [OrganizationRules.EmailProblem(request.Email)];
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email.Split('@')[0] : request.DisplayName.Trim();
        if (displayName.Length > ManyiUser.MaxDisplayNameLength)
            errors["displayName"] = [$"显示名最多 {ManyiUser.MaxDisplayNameLength} 个字符。The display name has more than {ManyiUser.MaxDisplayNameLength} characters."];
        var role = CanonicalRole(request.Role);
        if (role is null) errors["role"] = [RoleProblem(request.Role)];
        var organizations = await CheckOrganizationsAsync(request.Organizations, role == ManyiRoles.Participant, errors, cancellationToken);
        if (errors.Count > 0) return new Failure.Invalid(errors);
        if (await users.FindByEmailAsync(email) is not null) return EmailTaken(email);

        // Confirmed: the administrator vouches for the address, and only its owner receives the code. Identity's reset and
        // forgot-password endpoints ignore unconfirmed addresses, so the invitation code would not work otherwise.
        var user = new ManyiUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, CreatedAt = time.GetUtcNow() };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
                return created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                    ? EmailTaken(email)
                    : new Failure.Invalid(new Dictionary<string, string[]> { ["email"] = [.. created.Errors.Select(e => e.Description)] });
            Check(await users.AddToRoleAsync(user, role!));
            db.OrganizationMembers.AddRange(organizations.Select(o => new OrganizationMemberRecord { UserId = user.Id, OrganizationId = o }));
            audit.Record(AuditActions.Invited, AuditSubjects.User, user.Id, new { email, role, organizations });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        // After the commit: the outbox row is written by a scope of its own, which must not wait for this transaction.
        await SendInvitationAsync(user);
        return await ResponseAsync(user, cancellationToken);
    }

    /// <summary>Replaces the user's roles; audited with before and after. The last administrator keeps the role (a conflict).</summary>
    public async Task<Outcome<UserResponse>> ChangeRolesAsync(string id, ChangeRolesRequest request, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound(id);
        var requested = (request.Roles ?? []).Select(r => (Given: r, Role: CanonicalRole(r))).ToList();
        var unknown = requested.Where(r => r.Role is null).Select(r => RoleProblem(r.Given)).ToArray();
        if (unknown.Length > 0) return new Failure.Invalid(new Dictionary<string, string[]> { ["roles"] = unknown });
        var after = ManyiRoles.All.Where(r => requested.Any(q => q.Role == r)).ToList();
        if (after.Count == 0)
            return new Failure.Invalid("roles", $"至少需要一个角色：{string.Join("、", ManyiRoles.All)}。A user needs at least one role: {string.Join(", ", ManyiRoles.All)}.");
        if (after.Contains(ManyiRoles.Participant) && !await db.OrganizationMembers.AnyAsync(m => m.UserId == id, cancellationToken))
            return new Failure.Invalid("roles", "联系人至少要属于一个参评单位，请先设置其参评单位（PUT /api/users/{id}/organizations）。" +
                                                "A participant needs at least one organization; set the user's organizations first (PUT /api/users/{id}/organizations).");
        var before = ManyiRoles.All.Intersect(await users.GetRolesAsync(user)).ToList();
        if (before.SequenceEqual(after)) return await ResponseAsync(user, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (before.Contains(ManyiRoles.Administrator) && !after.Contains(ManyiRoles.Administrator))
        {
            // Two administrators demoting each other at once must not both see the other still there.
            await db.LockRoleAsync("ADMINISTRATOR", cancellationToken);
            var administrators = await (from ur in db.UserRoles
                                        join r in db.Roles on ur.RoleId equals r.Id
                                        where r.NormalizedName == "ADMINISTRATOR"
                                        select ur.UserId).CountAsync(cancellationToken);
            if (administrators <= 1)
                return new Failure.Conflict($"{user.Email} 是最后一位管理员，不能移除其管理员角色；请先让另一位用户成为管理员。" +
                                            $"{user.Email} is the last administrator and cannot lose the role; make another user an administrator first.");
        }
        Check(await users.RemoveFromRolesAsync(user, before.Except(after)));
        Check(await users.AddToRolesAsync(user, after.Except(before)));
        // Signed-in sessions carry the roles as claims: a new stamp makes them refresh (or end) at their next validation.
        Check(await users.UpdateSecurityStampAsync(user));
        audit.Record(AuditActions.RolesChanged, AuditSubjects.User, id, new { email = user.Email, before, after });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ResponseAsync(user, cancellationToken);
    }

    /// <summary>Replaces the organizations the user acts for; audited with before and after.</summary>
    public async Task<Outcome<UserResponse>> ChangeOrganizationsAsync(string id, ChangeOrganizationsRequest request, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        var after = await CheckOrganizationsAsync(request.Organizations, await users.IsInRoleAsync(user, ManyiRoles.Participant), errors, cancellationToken);
        if (errors.Count > 0) return new Failure.Invalid(errors);
        var memberships = await db.OrganizationMembers.Where(m => m.UserId == id).ToListAsync(cancellationToken);
        var before = memberships.Select(m => m.OrganizationId).Order(StringComparer.Ordinal).ToList();
        if (!before.SequenceEqual(after))
        {
            db.OrganizationMembers.RemoveRange(memberships.Where(m => !after.Contains(m.OrganizationId)));
            db.OrganizationMembers.AddRange(after.Except(before).Select(o => new OrganizationMemberRecord { UserId = id, OrganizationId = o }));
            audit.Record(AuditActions.OrganizationsChanged, AuditSubjects.User, id, new { email = user.Email, before, after });
            await db.SaveChangesAsync(cancellationToken);
        }
        return await ResponseAsync(user, cancellationToken);
    }

    /// <summary>
    /// Locks the account until an administrator unlocks it: no sign-in, and a new security stamp ends every open session
    /// at its next request (a lockout after wrong passwords ends none). An administrator cannot lock themself out.
    /// </summary>
    public async Task<Outcome<UserResponse>> LockAsync(string id, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound(id);
        if (id == current.Id) return new Failure.Conflict("不能锁定自己的账号。You cannot lock your own account.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        Check(await users.UpdateSecurityStampAsync(user));
        audit.Record(AuditActions.Locked, AuditSubjects.User, id, new { email = user.Email });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ResponseAsync(user, cancellationToken);
    }

    /// <summary>Ends a lockout (after too many failed sign-ins) and resets the failure count.</summary>
    public async Task<Outcome<UserResponse>> UnlockAsync(string id, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound(id);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var lockedUntil = user.LockoutEnd;
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        audit.Record(AuditActions.Unlocked, AuditSubjects.User, id, new { email = user.Email, lockedUntil });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ResponseAsync(user, cancellationToken);
    }

    /// <summary>
    /// E-mails a new invitation: a link to set a password. For a user whose invitation was lost or expired, and for an
    /// administrator's password reset (the old password works until the new one is set).
    /// </summary>
    public async Task<Outcome<string>> ReinviteAsync(string id, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound(id);
        audit.Record(AuditActions.Invited, AuditSubjects.User, id, new { email = user.Email, again = true });
        await db.SaveChangesAsync(cancellationToken);
        await SendInvitationAsync(user);
        return id;
    }

    private async Task SendInvitationAsync(ManyiUser user)
    {
        // Encoded the way Identity's own reset endpoints expect the code.
        var token = await users.GeneratePasswordResetTokenAsync(user);
        await emails.SendInvitationAsync(user, WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>The distinct, known organization ids (sorted); problems for unknown ones, and for a participant with none.</summary>
    private async Task<List<string>> CheckOrganizationsAsync(IReadOnlyList<string>? given, bool isParticipant,
        Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var ids = (given ?? []).Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var known = await db.Organizations.Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0)
            errors["organizations"] = [$"参评单位不存在：{string.Join("、", unknown)}。Unknown organizations: {string.Join(", ", unknown)}."];
        else if (isParticipant && ids.Count == 0)
            errors["organizations"] = ["联系人至少要属于一个参评单位。A participant needs at least one organization."];
        return ids;
    }

    /// <summary>The role's stored name for any casing of it, or null for a role that does not exist.</summary>
    private static string? CanonicalRole(string? role) =>
        ManyiRoles.All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static string RoleProblem(string? role) =>
        string.IsNullOrWhiteSpace(role)
            ? $"角色必填：{string.Join("、", ManyiRoles.All)}。A role is required: {string.Join(", ", ManyiRoles.All)}."
            : $"角色“{role}”不存在，可用：{string.Join("、", ManyiRoles.All)}。Role '{role}' does not exist; use {string.Join(", ", ManyiRoles.All)}.";

    private async Task<ILookup<string, string>> RolesOfAsync(List<string> userIds, CancellationToken cancellationToken) =>
        (await (from ur in db.UserRoles.AsNoTracking()
                join r in db.Roles.AsNoTracking() on ur.RoleId equals r.Id
                where userIds.Contains(ur.UserId)
                select new { ur.UserId, r.Name }).ToListAsync(cancellationToken))
        .OrderBy(x => ManyiRoles.All.TakeWhile(r => r != x.Name).Count())
        .ToLookup(x => x.UserId, x => x.Name!);

    private async Task<UserResponse> ResponseAsync(ManyiUser user, CancellationToken cancellationToken)
    {
        var roles = await RolesOfAsync([user.Id], cancellationToken);
        var organizations = await (from m in db.OrganizationMembers.AsNoTracking()
                                   join o in db.Organizations.AsNoTracking() on m.OrganizationId equals o.Id
                                   where m.UserId == user.Id
                                   orderby o.Id
                                   select new UserOrganization(o.Id, o.Name)).ToListAsync(cancellationToken);
        return new UserResponse(user.Id, user.Email, user.DisplayName, roles[user.Id].ToList(), organizations, user.EmailConfirmed,
            user.PasswordHash is not null, user.LockoutEnd > time.GetUtcNow(), user.LockoutEnd, user.AccessFailedCount, user.CreatedAt);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"The user store refused the change: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }

    private static Failure.Conflict EmailTaken(string email) => new($"邮箱 {email} 已有用户。A user with the e-mail address {email} already exists.");

    private static Failure.NotFound NotFound(string id) => new($"用户 {id} 不存在。User '{id}' does not exist.");
}

/// <summary>The user list's filters: role, organization, a search in the e-mail and name, locked out (or not).</summary>
public sealed record UserQuery(
    [FromQuery(Name = "role")] string? Role = null,
    [FromQuery(Name = "organization")] string? Organization = null,
    [FromQuery(Name = "search")] string? Search = null,
    [FromQuery(Name = "lockedOut")] bool? LockedOut = null,
    [FromQuery(Name = "page")] int Page = 1,
    [FromQuery(Name = "pageSize")] int PageSize = 50);
