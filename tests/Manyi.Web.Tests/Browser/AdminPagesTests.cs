using System.Text;
using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The administrators' pages in a real browser: organizations (import), users (invite), all tasks (bulk actions).</summary>
public sealed class AdminPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Header = "编号 Id,名称 Name,运营商 Operator,城市 City,级别 Level,联系人 Contact,邮箱 Email,电话 Phone";

    private static async Task<IPage> SignInAsAdminAsync(BrowserApp app, string path, int width = 1280)
    {
        var page = await app.NewPageAsync(width);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync(path);
        await BrowserApp.WaitForInteractiveAsync(page);
        return page;
    }

    private static async Task<T> QueryAsync<T>(BrowserApp app, Func<ManyiDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ManyiDbContext>());
    }

    private static FilePayload Csv(string name, params string[] lines) =>
        new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n") };

    [Fact]
    public async Task An_import_with_a_bad_row_shows_its_reasons_and_writes_nothing_then_the_corrected_file_is_imported()
    {
        await using var app = await BrowserApp.StartAsync();
        var page = await SignInAsAdminAsync(app, "/admin/organizations");
        await Assertions.Expect(page.GetByTestId("organizations-empty")).ToContainTextAsync("没有参评单位");

        await page.GetByTestId("import-file").SetInputFilesAsync(Csv("organizations.csv", Header,
            "mobile-zhengzhou,郑州移动,移动,郑州,市,郑州联系人,zz.mobile@example.org,",
            "unicom-kaifeng,开封联通,联通,,市,开封联系人,kf.unicom@example.org,"));

        var errors = page.GetByTestId("import-error-row");
        await Assertions.Expect(errors).ToHaveCountAsync(1);
        await Assertions.Expect(errors).ToHaveAttributeAsync("data-row", "3");
        await Assertions.Expect(errors).ToContainTextAsync("unicom-kaifeng");
        await Assertions.Expect(errors).ToContainTextAsync("城市必填");
        await Assertions.Expect(page.GetByTestId("import-rejected")).ToContainTextAsync("未写入任何数据");
        Assert.Equal(0, await QueryAsync(app, db => db.Organizations.CountAsync(Ct)));
        await BrowserApp.ScreenshotAsync(page, "organizations-import-errors");

        await page.GetByTestId("import-file").SetInputFilesAsync(Csv("organizations-fixed.csv", Header,
            "mobile-zhengzhou,郑州移动,移动,郑州,市,郑州联系人,zz.mobile@example.org,",
            "unicom-kaifeng,开封联通,联通,开封,市,开封联系人,kf.unicom@example.org,"));

        await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("新增 2 个");
        await Assertions.Expect(page.GetByTestId("import-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("organization-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("organization-row").First).ToContainTextAsync("郑州移动");
        Assert.Equal(2, await QueryAsync(app, db => db.Organizations.CountAsync(Ct)));

        // The export link is a plain GET with the sign-in cookie, in the layout the import reads.
        var export = await page.APIRequest.GetAsync(await page.GetByTestId("export-csv").GetAttributeAsync("href") ?? "");
        Assert.True(export.Ok, $"export answered {export.Status}");
        Assert.Contains("开封联通", await export.TextAsync(), StringComparison.Ordinal);
        await BrowserApp.ScreenshotAsync(page, "organizations");
    }

    [Fact]
    public async Task An_invitation_names_the_missing_field_then_the_invited_user_gets_the_e_mail()
    {
        await using var app = await BrowserApp.StartAsync();
        var page = await SignInAsAdminAsync(app, "/admin/users");
        await Assertions.Expect(page.GetByTestId("user-row")).ToHaveCountAsync(1);

        await page.GetByTestId("user-invite").ClickAsync();
        await page.GetByTestId("invite-email").FillAsync("reviewer.new@example.org");
        await page.GetByTestId("invite-name").FillAsync("新评审专家");
        // A participant needs an organization: the field says so, and nobody is invited.
        await page.GetByTestId("invite-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("invite-dialog")).ToContainTextAsync("联系人至少要属于一个参评单位");
        Assert.Equal(0, await QueryAsync(app, db => db.OutboxMessages.CountAsync(Ct)));

        await page.GetByText("评审专家 Reviewer").ClickAsync();
        await page.GetByTestId("invite-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("users-message")).ToContainTextAsync("已邀请 reviewer.new@example.org");
        await Assertions.Expect(page.GetByTestId("user-row")).ToHaveCountAsync(2);
        var mail = await QueryAsync(app, db => db.OutboxMessages.SingleAsync(m => m.Kind == "invitation", Ct));
        Assert.Equal("reviewer.new@example.org", mail.To);
        Assert.Contains("新评审专家", mail.TextBody, StringComparison.Ordinal);
        await BrowserApp.ScreenshotAsync(page, "users");
    }

    /// <summary>A headcount report fanned out to 郑州移动 and 开封联通, due 2099-04-30 18:00 Beijing time.</summary>
    private static string Headcount(string definitionId) => Workflows.HeadcountReport(definitionId, ["mobile-zhengzhou", "unicom-kaifeng"]);

    [Fact]
    public async Task Two_selected_tasks_get_a_later_deadline_and_a_reminder_now_with_a_result_for_each()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zhengzhou.mobile@example.org", "mobile-zhengzhou", "郑州移动");
        await app.CreateParticipantAsync("kaifeng.unicom@example.org", "unicom-kaifeng", "开封联通");
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Headcount("headcount"));
        await admin.ExecuteAsync("headcount");
        var page = await SignInAsAdminAsync(app, "/admin/tasks");

        var rows = page.GetByTestId("task-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.First.GetByTestId("task-due")).ToHaveTextAsync("2099年4月30日 周四 18:00");
        await BrowserApp.ScreenshotAsync(page, "all-tasks");
        // The stage is a word from the catalogue, and a choice; the organization is found by typing part of its name.
        await Assertions.Expect(rows.First.GetByTestId("task-stage")).ToContainTextAsync("培训人数报送");
        await page.GetByTestId("filter-stage").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("培训报名 Training sign-up").ClickAsync();
        await page.GetByTestId("apply-filters").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tasks-empty")).ToBeVisibleAsync();
        await page.GetByTestId("filter-stage").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("培训人数报送 Headcount report").ClickAsync();
        var organization = page.GetByTestId("filter-organization").Locator("input");
        await organization.FillAsync("开封");
        // The list is searched on the server after a pause: choose only once it shows what "开封" finds, and apply
        // only once the choice is in the field (a click on the list before its search came back was lost in CI).
        await Assertions.Expect(page.Locator(".mud-popover-open")).Not.ToContainTextAsync("郑州");
        await page.Locator(".mud-popover-open").GetByText("开封联通").ClickAsync();
        await Assertions.Expect(organization).ToHaveValueAsync("开封联通");
        await page.GetByTestId("apply-filters").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("开封联通");
        await organization.FillAsync("");
        await page.GetByTestId("apply-filters").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        // One task of a step sent to both organizations: the dialog says the other one moves with it.
        await page.GetByTestId("select-task").Nth(0).CheckAsync();
        await page.GetByTestId("bulk-extend").ClickAsync();
        await Assertions.Expect(page.GetByTestId("extend-scope")).ToContainTextAsync("另有 1 项未选的任务");
        await page.GetByTestId("extend-cancel").ClickAsync();
        await page.GetByTestId("select-task").Nth(1).CheckAsync();
        await Assertions.Expect(page.GetByTestId("selected-count")).ToContainTextAsync("已选 2 项（2 个单位）");
        await page.GetByTestId("bulk-extend").ClickAsync();
        // Each organization's task is a step of its own here: the dialog says that no other task moves.
        await Assertions.Expect(page.GetByTestId("extend-scope")).ToContainTextAsync("所选 2 项任务（2 个单位）");
        await Assertions.Expect(page.GetByTestId("extend-scope")).ToContainTextAsync("其他任务的截止时间不变");
        await page.GetByLabel(new Regex("新截止时间")).FillAsync("2099-05-20T18:00");
        await page.GetByLabel(new Regex("原因")).FillAsync("培训推迟 Training postponed");
        await page.GetByTestId("extend-submit").ClickAsync();

        var result = page.GetByTestId("bulk-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-done", "true");
        await Assertions.Expect(result.GetByTestId("bulk-progress")).ToHaveTextAsync("2 / 2");
        await Assertions.Expect(result.Locator("[data-testid=bulk-result-item][data-outcome=ok]")).ToHaveCountAsync(2);
        await Assertions.Expect(result).ToContainTextAsync("截止时间改为 Now due 2099年5月20日 周三 18:00");
        await Assertions.Expect(rows.Nth(0).GetByTestId("task-due")).ToHaveTextAsync("2099年5月20日 周三 18:00");
        await Assertions.Expect(rows.Nth(1).GetByTestId("task-due")).ToHaveTextAsync("2099年5月20日 周三 18:00");
        var due = await QueryAsync(app, db => db.Tasks.Select(t => t.DueAt).ToListAsync(Ct));
        Assert.All(due, d => Assert.Equal(new DateTimeOffset(2099, 5, 20, 18, 0, 0, TimeSpan.FromHours(8)), d));

        await page.GetByTestId("select-page").CheckAsync();
        await page.GetByTestId("bulk-remind").ClickAsync();
        // Nothing is sent before the confirmation, which says how many tasks, organizations and recipients.
        await Assertions.Expect(page.GetByTestId("remind-scope")).ToContainTextAsync("所选 2 项任务（2 个单位）");
        await Assertions.Expect(page.GetByTestId("remind-scope")).ToContainTextAsync("共 2 位收件人");
        Assert.Equal(0, await QueryAsync(app, db => db.OutboxMessages.CountAsync(m => m.Kind == "reminder", Ct)));
        await BrowserApp.ScreenshotAsync(page, "all-tasks-remind-confirm");
        await page.GetByTestId("remind-submit").ClickAsync();

        await Assertions.Expect(result).ToHaveAttributeAsync("data-done", "true");
        await Assertions.Expect(result).ToContainTextAsync("立即提醒");
        var items = result.Locator("[data-testid=bulk-result-item][data-outcome=ok]");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        await Assertions.Expect(result).ToContainTextAsync("已发送给 Sent to zhengzhou.mobile@example.org");
        await Assertions.Expect(result).ToContainTextAsync("已发送给 Sent to kaifeng.unicom@example.org");
        var reminders = await QueryAsync(app, db => db.OutboxMessages.Where(m => m.Kind == "reminder").Select(m => m.To).OrderBy(t => t).ToListAsync(Ct));
        Assert.Equal(["kaifeng.unicom@example.org", "zhengzhou.mobile@example.org"], reminders);
        await BrowserApp.ScreenshotAsync(page, "all-tasks-bulk-result");
    }
}
