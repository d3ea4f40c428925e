using Manyi.Engine.Tasks;
using System.Net;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Demo;
using Manyi.Web.Features.Organizations;
using Manyi.Testing;
using Manyi.Web.Tests.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Demo;

/// <summary>The demo data: the 58 organizations of 2025 and four demo accounts, seeded once, passwords printed once.</summary>
public sealed class DemoDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_2025_population_ships_as_the_spreadsheet_the_import_reads_with_the_attachment_s_cities_and_no_personal_data()
    {
        var sheet = YearPopulation.Read(File.ReadAllBytes(Campaign.CampaignSimulation.RepositoryFile("campaigns/" + YearPopulation.FileName)));

        Assert.Equal(58, sheet.Rows.Count);
        Assert.Equal([SheetColumn.Id, SheetColumn.Name, SheetColumn.Operator, SheetColumn.City, SheetColumn.Level], sheet.Columns.Order());
        // Attachment 1 of 豫通行协〔2025〕6号, operator by operator, cities in the notice's order.
        Assert.Equal("郑州 开封 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 南阳 信阳 驻马店 济源",
            string.Join(" ", sheet.Rows.Where(r => r[SheetColumn.Operator] == "电信").Select(r => r[SheetColumn.City])));
        Assert.Equal([17, 14, 14, 13], new[] { "移动", "联通", "电信", "广电" }.Select(op => sheet.Rows.Count(r => r[SheetColumn.Operator] == op)));
        Assert.All(sheet.Rows, r => Assert.Equal(r[SheetColumn.City] + r[SheetColumn.Operator], r[SheetColumn.Name]));
    }

    [Theory, InlineData("sqlite")]
    public async Task Seeding_creates_the_58_organizations_and_four_accounts_prints_the_passwords_once_and_is_idempotent(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        Assert.Equal(0, await app.CountOrganizationsAsync()); // Manyi:Demo:Enabled=false in the tests

        var firstOutput = new StringWriter();
        var first = await SeedAsync(app, firstOutput);
        var secondOutput = new StringWriter();
        var second = await SeedAsync(app, secondOutput);

        Assert.Equal(58, first.OrganizationsCreated);
        Assert.Equal(["secretariat@example.org", "reviewer@example.org", "zhengzhou.mobile@example.org", "kaifeng.unicom@example.org"],
            first.AccountsCreated.Select(a => a.Email));
        var printed = firstOutput.ToString();
        Assert.All(first.AccountsCreated, a =>
        {
            Assert.Contains(a.Email, printed, StringComparison.Ordinal);
            Assert.Contains(a.Password, printed, StringComparison.Ordinal);
            Assert.True(a.Password.Length >= 12 && a.Password.Any(char.IsDigit) && a.Password.Any(char.IsLower), a.Password);
        });
        Assert.Contains("密码 Password", printed, StringComparison.Ordinal);
        Assert.Contains("will not be printed again", printed, StringComparison.Ordinal);
        Assert.Equal(4, first.AccountsCreated.Select(a => a.Password).Distinct().Count());
        Assert.Equal((0, 0, ""), (second.OrganizationsCreated, second.AccountsCreated.Count, secondOutput.ToString()));

        var organizations = await app.QueryAsync(db => db.Organizations.Include(o => o.Contacts).ToListAsync(Ct));
        Assert.Equal(58, organizations.Count);
        Assert.Equal([17, 14, 14, 13], new[] { "移动", "联通", "电信", "广电" }.Select(op => organizations.Count(o => o.Operator == op)));
        Assert.All(organizations, o =>
        {
            Assert.Matches("^(mobile|unicom|telecom|broadcast)-[a-z]+$", o.Id);
            Assert.Equal(o.City + o.Operator, o.Name);
            Assert.Equal($"contact.{o.Id}@example.org", Assert.Single(o.Contacts).Email);
        });
        Assert.Contains(organizations, o => o is { Id: "telecom-jiyuan", Name: "济源电信" });
        Assert.Contains(organizations, o => o is { Id: "broadcast-xinyang", Name: "信阳广电" });
        Assert.Contains(organizations, o => o is { Id: "mobile-pingdingshan", Name: "平顶山移动", City: "平顶山" });

        var secretariat = first.AccountsCreated[0];
        var admin = await app.CreateClientForAsync(secretariat.Email, secretariat.Password);
        var zhengzhou = first.AccountsCreated[2];
        var participant = await app.CreateClientForAsync(zhengzhou.Email, zhengzhou.Password);
        var me = await participant.FetchAsync("/api/auth/me").ExpectOkAsync();
        Assert.Equal(["Participant"], me.GetArray("roles").Select(r => r!.GetValue<string>()));
        Assert.Equal(["mobile-zhengzhou"], me.GetArray("organizations").Select(o => o!.GetValue<string>()));
        var reviewers = await admin.FetchAsync("/api/users?role=Reviewer").ExpectOkAsync();
        Assert.Equal(["reviewer@example.org"], reviewers.GetArray("items").Select(u => u.GetString("email")));
        Assert.Equal(HttpStatusCode.Forbidden, (await participant.FetchAsync("/api/organizations")).StatusCode);
        Assert.Equal(1, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "organizations.imported", Ct)));
    }

    [Theory, InlineData("sqlite")]
    public async Task An_account_that_already_exists_is_left_alone(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var existing = await app.CreateUserAsync("reviewer@example.org", ManyiRoles.Reviewer);

        var seeded = await SeedAsync(app, new StringWriter());

        Assert.Equal(58, seeded.OrganizationsCreated);
        Assert.DoesNotContain(seeded.AccountsCreated, a => a.Email == "reviewer@example.org");
        await app.CreateClientForAsync("reviewer@example.org", ManyiApp.UserPassword);
        Assert.Equal(existing.Id, await app.QueryAsync(db => db.Users.Where(u => u.Email == "reviewer@example.org").Select(u => u.Id).SingleAsync(Ct)));
    }

    [Fact]
    public void Demo_data_is_on_by_default_for_sqlite_only_and_configuration_wins()
    {
        Assert.True(DemoOptions.IsEnabled(null, DatabaseProvider.Sqlite));
        Assert.False(DemoOptions.IsEnabled(null, DatabaseProvider.PostgreSql));
        Assert.False(DemoOptions.IsEnabled(false, DatabaseProvider.Sqlite));
        Assert.True(DemoOptions.IsEnabled(true, DatabaseProvider.PostgreSql));
    }

    private static async Task<DemoSeeding> SeedAsync(ManyiApp app, TextWriter output)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync(output, Ct);
    }

    /// <summary>
    /// The first start on the embedded default rehearses the 2025 campaign from this week: the notice published, every
    /// organization's headcount task open, a few already reported, the demo participants' left to try; a second
    /// start changes nothing.
    /// </summary>
    [Fact]
    public async Task The_first_start_rehearses_the_2025_campaign_from_this_week_and_a_restart_does_not_start_it_again()
    {
        await using var storage = await ManyiStorage.CreateAsync("sqlite");
        var workflows = Path.Combine(Path.GetDirectoryName(Workflows.RepositoryFilePath("workflows/campaign.json"))!);
        async Task<ManyiApp> StartAsync()
        {
            var app = new ManyiApp(storage);
            app.Settings["Manyi:Demo:Enabled"] = "true";
            app.Settings["Manyi:WorkflowsDirectory"] = workflows;
            _ = app.Server; // starts the host: seeding, the workflows folder, the demo campaign
            return app;
        }

        await using (var app = await StartAsync())
        {
            var campaigns = await app.QueryAsync(db => db.WorkflowInstances.Where(i => i.DefinitionId == "campaign").ToListAsync(Ct));
            var campaign = Assert.Single(campaigns);
            Assert.Equal(("campaign-2025", "Suspended"), (campaign.CorrelationId, campaign.Status)); // waiting for its participants
            var tasks = await app.QueryAsync(db => db.Tasks.ToListAsync(Ct));
            Assert.Equal(HumanTaskStatus.Completed, Assert.Single(tasks, t => t.ActivityId == "notice").Status);
            var headcounts = tasks.Where(t => t.ActivityId == "headcount").ToList();
            Assert.Equal(58, headcounts.Count);
            Assert.Equal(DemoCampaign.HeadcountsReported, headcounts.Count(t => t.Status == HumanTaskStatus.Completed));
            Assert.Equal(HumanTaskStatus.Open, headcounts.Single(t => t.OrganizationId == "mobile-zhengzhou").Status);
            Assert.Equal(HumanTaskStatus.Open, headcounts.Single(t => t.OrganizationId == "unicom-kaifeng").Status);
            // Rehearsed from this week: the open headcount tasks fall due in the future.
            Assert.All(headcounts.Where(t => t.Status == HumanTaskStatus.Open), t => Assert.True(t.DueAt > DateTimeOffset.UtcNow, $"{t.Id} due {t.DueAt}"));

            var summary = await app.CreateClient().FetchAsync("/api/campaigns/2025/headcount").ExpectOkAsync();
            Assert.Equal(DemoCampaign.HeadcountsReported, summary.GetArray("rows").Count(r => r.GetString("status") == "Completed"));
        }

        await using (var again = await StartAsync())
        {
            Assert.Equal(1, await again.QueryAsync(db => db.WorkflowInstances.CountAsync(i => i.DefinitionId == "campaign", Ct)));
            Assert.Equal(58, await again.QueryAsync(db => db.Tasks.CountAsync(t => t.ActivityId == "headcount", Ct)));
        }
    }
}
