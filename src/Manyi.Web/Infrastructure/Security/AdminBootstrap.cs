using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// At start-up: the three roles exist, and the first administrator comes from configuration when there is none;
/// after the demo data (which may bring one), <see cref="WarnIfNoAdministratorAsync"/> says when nobody can administer.
/// </summary>
public sealed class AdminBootstrap(RoleManager<IdentityRole> roles, UserManager<ManyiUser> users, IOptions<BootstrapOptions> options,
    TimeProvider time, ILogger<AdminBootstrap> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var role in ManyiRoles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role {role}");

        if ((await users.GetUsersInRoleAsync(ManyiRoles.Administrator)).Count > 0) return;
        var (email, password) = (options.Value.AdminEmail, options.Value.AdminPassword);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password)) return;
        var admin = await users.FindByEmailAsync(email);
        if (admin is null)
        {
            admin = new ManyiUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "系统管理员 System administrator", CreatedAt = time.GetUtcNow() };
            Check(await users.CreateAsync(admin, password), "Manyi:Bootstrap:AdminPassword");
        }
        Check(await users.AddToRoleAsync(admin, ManyiRoles.Administrator), "the administrator role");
        logger.LogInformation("Created the first administrator, {Email}, from Manyi:Bootstrap.", email);
    }

    public async Task WarnIfNoAdministratorAsync()
    {
        if ((await users.GetUsersInRoleAsync(ManyiRoles.Administrator)).Count == 0)
            logger.LogWarning("There is no administrator yet: set Manyi:Bootstrap:AdminEmail and Manyi:Bootstrap:AdminPassword to create the first one.");
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Start-up cannot create {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
