using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The administrator's campaign dashboard and e-mail log in a real browser.</summary>
public sealed class DashboardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly (string Id, string Name, string Operator, string City)[] Organizations =
    [
        ("mobile-zhengzhou", "郑州移动", "移动", "郑州"),
        ("unicom-kaifeng", "开封联通", "联通", "开封"),
        ("telecom-luoyang", "洛阳电信", "电信", "洛阳"),
    ];

    internal static string Participant(string organization) => $"participant.{organization}@example.org";

    /// <summary>Three organizations with a contact each and a participant each; the repository's campaign and participant workflows published.</summary>
    internal static async Task<HttpClient> SetUpAsync(BrowserApp app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            foreach (var (id, name, op, city) in Organizations)
                db.Organizations.Add(new OrganizationRecord
                {
                    Id = id, Name = name, Operator = op, City = city, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
                    Contacts = [new OrganizationContactRecord { OrganizationId = id, Name = "联系人", Email = $"contact.{id}@example.org" }],
                });
            await db.SaveChangesAsync(Ct);
        }
        foreach (var (id, name, _, _) in Organizations) await app.CreateParticipantAsync(Participant(id), id, name);
        var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("workflows/participant.json"), Ct));
        await admin.DeployAsync(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("workflows/campaign.json"), Ct));
        return admin;
    }

    /// <summary>
    /// Issue 20's done-when: the dashboard's risk list shows a high-risk organization with its reasons. The year starts
    /// this week; 开封联通's headcount report is reminded twice and nothing happens, which (with the reminder weight set to
    /// 3, as a secretariat may set it) makes it 高 whatever its deadline. Issue 17's "what changed since yesterday" on the
    /// first screen: the notice published and the reminders, each number a link to the list it counts.
    /// </summary>
    [Fact]
    public async Task The_risk_list_and_what_changed_show_on_the_dashboard_each_with_links_to_their_lists()
    {
        await using var app = await BrowserApp.StartAsync(settings =>
        {
            settings.Settings["Manyi:Risk:PointsPerUnansweredReminder"] = "3";
            settings.Settings["Manyi:Risk:MaxReminderPoints"] = "6";
        });
        var admin = await SetUpAsync(app);
        var year = JsonNode.Parse(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct))!.AsObject();
        year["organizations"] = new JsonArray([.. Organizations.Select(o => (JsonNode)o.Id)]);
        await admin.PostJsonAsync("/api/campaigns?startingNow=true", year.ToJsonString()).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items"));
        await admin.PostJsonAsync($"/api/tasks/{notice.GetString("id")}/complete",
            """{"outcome": "Published", "data": {"documentNumber": "豫通行协〔2025〕6号"}}""").ExpectOkAsync();
        var kaifeng = await app.CreateApiClientAsync(Participant("unicom-kaifeng"), ManyiApp.UserPassword);
        var headcount = Assert.Single((await kaifeng.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync()).GetArray("items")).GetString("id");
        for (var i = 0; i < 2; i++) await admin.PostAsync($"/api/tasks/{headcount}/remind", null, Ct).ExpectOkAsync();

        var problems = new List<string>();
        foreach (var width in new[] { 1366, 390 })
        {
            var page = await app.NewPageAsync(width, 900);
            await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
            await page.GotoAsync("/admin?year=2025");
            await BrowserApp.WaitForInteractiveAsync(page);
            var first = page.GetByTestId("risk-row").First;
            await Assertions.Expect(first).ToHaveAttributeAsync("data-organization", "unicom-kaifeng");
            await Assertions.Expect(first).ToHaveAttributeAsync("data-level", "High");
            await Assertions.Expect(first).ToContainTextAsync("高");
            await Assertions.Expect(first).ToContainTextAsync("开封联通");
            await Assertions.Expect(first).ToContainTextAsync("已提醒 2 次，此后没有进展（+6）");
            await Assertions.Expect(first.GetByRole(AriaRole.Link, new() { Name = "开封联通" })).ToHaveAttributeAsync("href", $"/tasks/{headcount}");
            await Assertions.Expect(page.GetByTestId("risk-remind")).ToContainTextAsync("提醒高风险单位（1 项）");

            // What changed since the previous working day: the notice published, the two reminders (one e-mail per recipient).
            var changes = page.GetByTestId("changes-panel");
            await Assertions.Expect(changes.GetByTestId("changes-since")).ToContainTextAsync("自 ");
            await Assertions.Expect(changes.Locator("[data-testid=change-completed][data-stage=notice]")).ToContainTextAsync("1 项活动通知已完成");
            var reminders = changes.Locator("[data-testid=change-email][data-kind=reminder]");
            await Assertions.Expect(reminders).ToContainTextAsync("封截止提醒邮件");
            await Assertions.Expect(changes.GetByTestId("change-overdue")).ToHaveCountAsync(0);
            await Assertions.Expect(changes.GetByTestId("change-uploads")).ToHaveCountAsync(0);
            await BrowserApp.ScreenshotAsync(page, $"dashboard-changes-{width}");
            await page.GetByTestId("risk-list").ScrollIntoViewIfNeededAsync();
            await BrowserApp.ScreenshotAsync(page, $"dashboard-risks-{width}");
            // The help under the list shows the weights as set (3 a reminder, at most 6) and what the rule cannot foresee.
            var rule = page.GetByTestId("risk-rule");
            await rule.Locator("summary").ClickAsync();
            await Assertions.Expect(rule).ToContainTextAsync("每发一次提醒而此后没有上传材料或保存草稿 +3（最多 +6）");
            await Assertions.Expect(rule).ToContainTextAsync("4 分及以上为高风险");
            await Assertions.Expect(rule).ToContainTextAsync("低风险不等于不会逾期");
            await BrowserApp.ScreenshotAsync(page, $"dashboard-risk-rule-{width}");
            problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            problems.AddRange(await PageChecks.CodesReadAsync(page, Organizations.Select(o => o.Id)));
            problems.AddRange(await PageChecks.AxeViolationsAsync(page));

            // Each number opens the list it counts.
            var sent = int.Parse(await reminders.GetByRole(AriaRole.Link).InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(sent >= 2, $"two reminders, one e-mail per recipient: {sent}");
            await reminders.GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/emails\\?kind=reminder&channel=email&since="));
            await Assertions.Expect(page.GetByTestId("filter-since")).ToContainTextAsync("自 ");
            await Assertions.Expect(page.GetByTestId("email-row")).ToHaveCountAsync(sent);
            problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            await page.GoBackAsync();
            await page.Locator("[data-testid=change-completed][data-stage=notice]").GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/tasks\\?status=Completed&stage=notice&closedSince="));
            await Assertions.Expect(page.GetByTestId("since-chip")).ToContainTextAsync("新关闭的任务");
            await Assertions.Expect(page.GetByTestId("task-row")).ToHaveCountAsync(1);
            problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_administrator_starts_the_year_follows_it_on_the_dashboard_filters_the_grid_and_reads_the_email_log()
    {
        await using var app = await BrowserApp.StartAsync();
        var admin = await SetUpAsync(app);
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        // No campaign yet: the page says how to start one, and starts it after a confirmation.
        await page.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("dashboard-empty")).ToContainTextAsync("还没有开始任何年度活动");
        await page.GetByText("演练：把日期整体移到本周").ClickAsync();
        await page.GetByTestId("start-campaign").ClickAsync();
        await Assertions.Expect(page.GetByTestId("start-confirmation")).ToContainTextAsync("确定开始 2025 年度活动吗");
        await page.GetByTestId("confirm-start").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin\\?year=2025$"));
        await Assertions.Expect(page.GetByTestId("organizations-count")).ToHaveTextAsync("3");
        // The headcount reports are not open until the secretariat publishes the notice.
        await Assertions.Expect(page.GetByTestId("progress-row")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=stage-cell][data-stage=headcount][data-state=NotReached]")).ToHaveCountAsync(3);

        // The notice is published and 开封联通 reports 4 trainees and signs them up (through the API, as the other pages' tests do in the browser).
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items"));
        await admin.PostJsonAsync($"/api/tasks/{notice.GetString("id")}/complete",
            """{"outcome": "Published", "data": {"documentNumber": "豫通行协〔2025〕6号"}}""").ExpectOkAsync();
        var kaifeng = await app.CreateApiClientAsync(Participant("unicom-kaifeng"), ManyiApp.UserPassword);
        var headcount = Assert.Single((await kaifeng.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync()).GetArray("items"));
        await kaifeng.PostJsonAsync($"/api/tasks/{headcount.GetString("id")}/complete", new JsonObject
        {
            ["outcome"] = "Submitted",
            ["data"] = new JsonObject
            {
                ["trainees"] = 4,
                ["names"] = new JsonArray([.. Enumerable.Range(1, 4).Select(i => (JsonNode)new JsonObject { ["name"] = $"学员{i}", ["position"] = "客服经理" })]),
            },
        }.ToJsonString()).ExpectOkAsync();
        var signup = Assert.Single((await kaifeng.FetchAsync("/api/tasks?stage=signup").ExpectOkAsync()).GetArray("items"));
        await kaifeng.PostJsonAsync($"/api/tasks/{signup.GetString("id")}/complete",
            """{"outcome": "SignedUp", "data": {"attendees": 4, "feeAccepted": true}}""").ExpectOkAsync();

        await page.ReloadAsync();
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("headcount-trainees")).ToHaveTextAsync("4");
        await Assertions.Expect(page.GetByTestId("headcount-reported")).ToContainTextAsync("1/3 家已报送");
        var kaifengRow = page.Locator("[data-testid=progress-row][data-organization=unicom-kaifeng]");
        await Assertions.Expect(kaifengRow.GetByTestId("organization-trainees")).ToHaveTextAsync("4");
        await Assertions.Expect(kaifengRow.Locator("[data-stage=headcount]")).ToHaveAttributeAsync("data-state", "Done");
        await Assertions.Expect(kaifengRow.Locator("[data-stage=signup]")).ToHaveAttributeAsync("data-state", "Done");
        await Assertions.Expect(kaifengRow.Locator("[data-stage=training]")).ToHaveAttributeAsync("data-state", "Open");
        // The certificate task opens when the training ends (16 May), not at the sign-up.
        await Assertions.Expect(kaifengRow.Locator("[data-stage=certificate]")).ToHaveAttributeAsync("data-state", "NotReached");
        await Assertions.Expect(page.Locator("[data-testid=stage-cell][data-stage=headcount][data-state=Open]")).ToHaveCountAsync(2);
        var headcountStage = page.Locator("[data-testid=funnel-stage][data-stage=headcount]");
        await Assertions.Expect(headcountStage.GetByTestId("stage-reached")).ToContainTextAsync("到达 3");
        await Assertions.Expect(headcountStage.GetByTestId("stage-done")).ToContainTextAsync("完成 1");
        await Assertions.Expect(headcountStage.Locator("svg")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("email-counts")).ToContainTextAsync("通知 Notice");
        await Assertions.Expect(page.GetByTestId("hangfire-link")).ToHaveAttributeAsync("href", "/hangfire");
        await BrowserApp.ScreenshotAsync(page, "dashboard");

        // Filters run on the server: by name (typed), by a stage's state (from the address).
        await page.GetByTestId("filter-name").FillAsync("洛阳");
        await page.GetByTestId("filter-apply").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("name=%E6%B4%9B%E9%98%B3"));
        await Assertions.Expect(page.GetByTestId("progress-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("progress-row")).ToHaveAttributeAsync("data-organization", "telecom-luoyang");
        await Assertions.Expect(page.GetByTestId("headcount-trainees")).ToHaveTextAsync("4");
        await page.GotoAsync("/admin?year=2025&stage=headcount&state=Open");
        await Assertions.Expect(page.GetByTestId("progress-row")).ToHaveCountAsync(2);
        await page.GotoAsync("/admin?year=2025&operator=广电");
        await Assertions.Expect(page.GetByTestId("grid-empty")).ToContainTextAsync("没有符合筛选条件的参评单位");

        // The grid's row links to the organization's open task, or (waiting for the training) to its workflow.
        await page.GotoAsync("/admin?year=2025&operator=联通");
        Assert.Empty((await kaifeng.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));
        await Assertions.Expect(page.GetByTestId("organization-link")).ToHaveAttributeAsync("href", new Regex("^/admin/instances/"));

        // The e-mail log, and one message.
        await page.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.GetByTestId("email-log-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/emails$"));
        await Assertions.Expect(page.GetByTestId("email-row").First).ToBeVisibleAsync();
        var rows = await page.GetByTestId("email-row").CountAsync();
        Assert.True(rows >= 3, $"the three notices at least, got {rows}");
        await BrowserApp.ScreenshotAsync(page, "email-log");
        await page.GotoAsync("/admin/emails?recipient=contact.unicom");
        await Assertions.Expect(page.GetByTestId("email-row")).ToHaveCountAsync(2);
        await page.GotoAsync("/admin/emails?status=bounced");
        await Assertions.Expect(page.Locator("[data-testid=filter-error][data-field=status]")).ToContainTextAsync("bounced");

        await page.GotoAsync("/admin/emails?recipient=contact.unicom&kind=notice");
        await BrowserApp.WaitForInteractiveAsync(page);
        var invitation = page.GetByTestId("email-link").Filter(new() { HasText = "培训通知" });
        await invitation.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/emails/\\d+$"));
        await Assertions.Expect(page.GetByTestId("email-subject")).ToContainTextAsync("培训通知");
        await Assertions.Expect(page.GetByTestId("email-to")).ToContainTextAsync("contact.unicom-kaifeng@example.org");
        await Assertions.Expect(page.GetByTestId("email-body")).ToContainTextAsync("济南");
        await Assertions.Expect(page.GetByTestId("email-attachment")).ToContainTextAsync(".ics");
        await BrowserApp.ScreenshotAsync(page, "email-detail");

        // At phone width.
        var phone = await app.NewPageAsync(width: 390, height: 844);
        await BrowserApp.SignInAsync(phone, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await phone.GotoAsync("/admin");
        await Assertions.Expect(phone.GetByTestId("headcount-trainees")).ToHaveTextAsync("4");
        await Assertions.Expect(phone.GetByTestId("progress-grid")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(phone, "dashboard-phone");

        // In English mode the grid's dates are English too (the training's end: "16 May" rather than "5月16日").
        await page.GotoAsync("/admin?year=2025");
        var training = page.Locator("[data-testid=progress-row][data-organization=unicom-kaifeng] [data-stage=training] .dashboard-sub");
        await Assertions.Expect(training).ToHaveTextAsync(new Regex("^\\d{1,2}月\\d{1,2}日$"));
        await page.GotoAsync("/language/en?returnUrl=/admin?year=2025");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(training).ToHaveTextAsync(new Regex("^\\d{1,2} [A-Z][a-z]{2}$"));
    }

    [Fact]
    public async Task A_participant_opening_the_dashboard_or_the_email_log_gets_the_forbidden_page()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant("mobile-zhengzhou"), "mobile-zhengzhou", "郑州移动");
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, Participant("mobile-zhengzhou"));

        var response = await page.GotoAsync("/admin");
        await Assertions.Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync();
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByTestId("progress-grid")).ToHaveCountAsync(0);
        await page.GotoAsync("/admin/emails");
        await Assertions.Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("email-log")).ToHaveCountAsync(0);
    }
}
