using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Features.Organizations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Demo;

/// <summary><c>Manyi:Demo</c>: whether start-up seeds demo data into an empty database.</summary>
public sealed class DemoOptions
{
    public const string Section = "Manyi:Demo";

    /// <summary>Unset means on for the embedded SQLite file (a try-out) and off on PostgreSQL (a real installation).</summary>
    public bool? Enabled { get; set; }

    /// <summary>Whether the first seeding also rehearses the 2025 campaign from this week (<see cref="DemoCampaign"/>); on by default.</summary>
    public bool Campaign { get; set; } = true;

    public static bool IsEnabled(bool? enabled, DatabaseProvider provider) => enabled ?? provider == DatabaseProvider.Sqlite;
}

public static class DemoDataSetup
{
    public static IServiceCollection AddManyiDemoData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section));
        services.AddScoped<DemoData>();
        services.AddScoped<DemoCampaign>();
        return services;
    }
}

/// <summary>A demo account created by this start-up, with the password it was given.</summary>
public sealed record DemoAccount(string Role, string Email, string Password, IReadOnlyList<string> Organizations);

public sealed record DemoSeeding(int OrganizationsCreated, IReadOnlyList<DemoAccount> AccountsCreated);

/// <summary>
/// Demo data for trying Manyi out: the 58 organizations eligible in 2025 (豫通行协〔2025〕6号, attachment 1), read from
/// <c>campaigns/2025-organizations.csv</c> (<see cref="YearPopulation"/>), each given one invented contact under example.org, and four demo accounts (an administrator, a reviewer, two participants) with
/// random passwords, printed once. It seeds only a database without organizations, in one transaction, so a second
/// start does nothing. The organizations go through the spreadsheet import's rules and upsert.
/// </summary>
public sealed class DemoData(ManyiDbContext db, UserManager<ManyiUser> users, AuditTrail audit, TimeProvider time, ManyiDatabase database,
    IOptions<DemoOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<DemoData> logger)
{
    private static readonly (string Role, string Label, string Email, string DisplayName, string[] Organizations)[] Accounts =
    [
        (ManyiRoles.Administrator, "管理员 Administrator", "secretariat@example.org", "协会秘书处（演示）Secretariat (demo)", []),
        (ManyiRoles.Reviewer, "评审专家 Reviewer", "reviewer@example.org", "评审专家（演示）Reviewer (demo)", []),
        (ManyiRoles.Participant, "联系人 Participant", "zhengzhou.mobile@example.org", "郑州移动联系人（演示）Zhengzhou Mobile contact (demo)", ["mobile-zhengzhou"]),
        (ManyiRoles.Participant, "联系人 Participant", "kaifeng.unicom@example.org", "开封联通联系人（演示）Kaifeng Unicom contact (demo)", ["unicom-kaifeng"]),
    ];

    /// <summary>
    /// At start-up: seeds when <see cref="DemoOptions.Enabled"/> (or the provider's default) says so, printing to the
    /// console. True when this start seeded the organizations (a first start) and <see cref="DemoOptions.Campaign"/> is on: the demo campaign starts then.
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        if (!DemoOptions.IsEnabled(options.Value.Enabled, database.Provider))
        {
            logger.LogDebug("Demo data is off ({Section}:Enabled).", DemoOptions.Section);
            return false;
        }
        return (await SeedAsync(Console.Out, cancellationToken)).OrganizationsCreated > 0 && options.Value.Campaign;
    }

    /// <summary>Seeds a database without organizations; does nothing otherwise. New accounts' passwords go to the log and <paramref name="console"/>.</summary>
    public async Task<DemoSeeding> SeedAsync(TextWriter console, CancellationToken cancellationToken)
    {
        if (await db.Organizations.AnyAsync(cancellationToken))
        {
            logger.LogInformation("Demo data: the database already has organizations; nothing to seed.");
            return new DemoSeeding(0, []);
        }
        var now = time.GetUtcNow();
        var created = new List<DemoAccount>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var content = YearPopulation.Content(configuration, environment)
                ?? throw new InvalidOperationException($"Demo data: {YearPopulation.PathOf(configuration, environment)} not found.");
            var plan = await OrganizationImport.PlanAsync(db, Sheet(YearPopulation.Read(content)), cancellationToken);
            if (plan.HasRejections)
                throw new InvalidOperationException("The demo organizations break the import's rules: " +
                    string.Join(" ", plan.Report(dryRun: true, written: false).Items.SelectMany(i => i.Reasons)));
            plan.Apply(db, now);
            audit.Record(AuditActions.OrganizationsImported, AuditSubjects.Organization, null,
                new { source = "demo data", created = plan.Count(ImportOutcomes.Created) }, userName: "demo data");
            await db.SaveChangesAsync(cancellationToken);

            foreach (var account in Accounts)
            {
                if (await users.FindByEmailAsync(account.Email) is not null) continue;
                var password = NewPassword();
                var user = new ManyiUser { UserName = account.Email, Email = account.Email, EmailConfirmed = true, DisplayName = account.DisplayName, CreatedAt = now };
                Check(await users.CreateAsync(user, password), account.Email);
                Check(await users.AddToRoleAsync(user, account.Role), account.Email);
                db.OrganizationMembers.AddRange(account.Organizations.Select(o => new OrganizationMemberRecord { UserId = user.Id, OrganizationId = o }));
                created.Add(new DemoAccount(account.Role, account.Email, password, account.Organizations));
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Demo data: seeded {Organizations} organizations and {Accounts} demo account(s).",
                plan.Count(ImportOutcomes.Created), created.Count);
            if (created.Count > 0)
            {
                var table = Table(created);
                logger.LogWarning("{DemoAccounts}", table);
                await console.WriteLineAsync(table);
                await console.FlushAsync(cancellationToken);
            }
            return new DemoSeeding(plan.Count(ImportOutcomes.Created), created);
        }
    }

    /// <summary>The year's organizations, each with an invented contact (名称联系人, contact.&lt;id&gt;@example.org) where the file has none.</summary>
    public static OrganizationSheet Sheet(OrganizationSheet population)
    {
        var rows = population.Rows.Select(row => row[SheetColumn.Email].Length > 0 ? row : new SheetRow(row.Number, new Dictionary<SheetColumn, string>(row.Cells)
        {
            [SheetColumn.Contact] = $"{row[SheetColumn.Name]}联系人",
            [SheetColumn.Email] = $"contact.{row[SheetColumn.Id]}@example.org",
        })).ToList();
        return new OrganizationSheet(new HashSet<SheetColumn>(population.Columns) { SheetColumn.Contact, SheetColumn.Email }, rows);
    }

    /// <summary>16 characters of lowercase letters and digits (no look-alikes), with at least one of each: beyond Identity's rules.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        while (true)
        {
            var password = RandomNumberGenerator.GetString(alphabet, 16);
            if (password.Any(char.IsDigit) && password.Any(char.IsLower)) return password;
        }
    }

    private static string Table(IReadOnlyList<DemoAccount> accounts)
    {
        var rows = new List<string[]> { new[] { "角色 Role", "邮箱 E-mail", "密码 Password", "参评单位 Organization" } };
        rows.AddRange(accounts.Select(a => new[] { Accounts.First(x => x.Email == a.Email).Label, a.Email, a.Password, string.Join(", ", a.Organizations) }));
        var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => Width(r[i]))).ToArray();
        var text = new StringBuilder();
        text.AppendLine("演示账户已创建（密码随机生成）。Demo accounts created (random passwords):");
        foreach (var row in rows)
            text.AppendLine("  " + string.Join("  ", row.Select((cell, i) => cell + new string(' ', widths[i] - Width(cell)))).TrimEnd());
        text.AppendLine("这些密码只显示这一次，不会再次显示。忘记密码时，请在登录页使用“忘记密码”，或请管理员重新发送邀请（POST /api/users/{id}/invitation）。");
        text.Append("These passwords are shown this once and will not be printed again. To reset one, use \"forgot password\" on the sign-in page, " +
                    "or ask an administrator to send a new invitation (POST /api/users/{id}/invitation).");
        return text.ToString();
    }

    /// <summary>Columns on a terminal: East Asian wide characters take two.</summary>
    private static int Width(string text) => text.Sum(c => c is >= '\u1100' and <= '\u115F' or >= '\u2E80' and <= '\uA4CF' or >= '\uAC00' and <= '\uD7A3'
        or >= '\uF900' and <= '\uFAFF' or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60' or >= '\uFFE0' and <= '\uFFE6' ? 2 : 1);

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "Demo data cannot create {0}: {1}", email,
                string.Join(" ", result.Errors.Select(e => e.Description))));
    }
}
