using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Web.Tests.Features.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 17's done-when, the secretariat's morning: on 1 May of <see cref="DashboardScenario"/>'s year, with two more
/// organizations that never reported their headcount, the administrator opens the dashboard, follows "who is late" to the
/// late list, reminds every late organization after a confirmation that names how many tasks, organizations and
/// recipients, and moves two deadlines on — in the browser alone, at a desk's width and at a phone's. Every page passes
/// <see cref="PageChecks"/> and is written as a screenshot (<c>secretariat-morning-*-1366/-390</c>).
/// </summary>
public sealed class SecretariatMorningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly (string Id, string Name, string Operator, string City)[] AlsoLate =
    [
        ("broadcast-xinxiang", "新乡广电", "广电", "新乡"),
        ("mobile-anyang", "安阳移动", "移动", "安阳"),
    ];

    /// <summary>Late on 1 May: 洛阳电信 and the two above, whose headcount reports were due on 30 April.</summary>
    private static readonly string[] Late = [DashboardScenario.Telecom, .. AlsoLate.Select(o => o.Id)];

    [Theory, InlineData(1366), InlineData(390)]
    public async Task The_secretariat_finds_who_is_late_reminds_them_after_a_confirmation_and_extends_two_deadlines(int width)
    {
        var clock = DashboardScenario.NewClock();
        await using var app = await BrowserApp.StartAsync(settings => DashboardScenario.Configure(settings, clock));
        using var admin = await app.CreateApiClientAsync();
        await DashboardScenario.SetUpAsync(app.Services, admin, email => app.CreateApiClientAsync(email, ManyiApp.UserPassword), clock, AlsoLate);
        var walk = new Walk(width, [DashboardScenario.Mobile, DashboardScenario.Unicom, .. Late]);
        var page = await app.NewPageAsync(width, width > 600 ? 768 : 844);
        walk.Watch(page);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        // The dashboard's first screen: three tasks are late.
        await page.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("overdue-count")).ToHaveTextAsync("3");
        await Assertions.Expect(page.GetByTestId("overdue-list")).ToContainTextAsync("洛阳电信");
        await walk.CheckAsync(page, "dashboard");

        // "Who is late" opens the list of all tasks, filtered to the late ones.
        await page.GetByTestId("overdue-count").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/tasks\\?overdue=true$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        var rows = page.GetByTestId("task-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "仅逾期 Overdue only" })).ToBeCheckedAsync();
        foreach (var name in new[] { "洛阳电信", "新乡广电", "安阳移动" })
            await Assertions.Expect(rows.Filter(new() { HasText = name }).GetByTestId("task-status")).ToContainTextAsync("逾期");
        await walk.CheckAsync(page, "late-list");

        // Remind now, all three: nothing is sent before the confirmation, which names 3 tasks, 3 organizations and 6
        // recipients (each organization's participant and contact).
        await page.GetByTestId("select-page").CheckAsync();
        await Assertions.Expect(page.GetByTestId("selected-count")).ToContainTextAsync("已选 3 项（3 个单位）");
        await page.GetByTestId("bulk-remind").ClickAsync();
        await Assertions.Expect(page.GetByTestId("remind-scope")).ToContainTextAsync("所选 3 项任务（3 个单位）");
        await Assertions.Expect(page.GetByTestId("remind-scope")).ToContainTextAsync("共 6 位收件人");
        Assert.Empty(await ChasersAsync(app));
        await walk.CheckAsync(page, "remind-confirm");
        await page.GetByTestId("remind-submit").ClickAsync();

        var result = page.GetByTestId("bulk-result");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-done", "true");
        await Assertions.Expect(result.Locator("[data-testid=bulk-result-item][data-outcome=ok]")).ToHaveCountAsync(3);
        await walk.CheckAsync(page, "reminded");
        // After the deadline the reminder is the overdue notice: one e-mail to each recipient, in the outbox.
        Assert.Equal([.. Late.SelectMany(id => new[] { $"contact.{id}@example.org", DashboardScenario.Participant(id) }).Order(StringComparer.Ordinal)],
            (await ChasersAsync(app)).Select(m => m.To).Order(StringComparer.Ordinal));
        Assert.All(await ChasersAsync(app), m => Assert.Equal("overdue", m.Kind));

        // Extend two of them: the dialog is the confirmation and names its scope.
        foreach (var name in new[] { "洛阳电信", "新乡广电" })
            await rows.Filter(new() { HasText = name }).GetByTestId("select-task").CheckAsync();
        await Assertions.Expect(page.GetByTestId("selected-count")).ToContainTextAsync("已选 2 项（2 个单位）");
        await page.GetByTestId("bulk-extend").ClickAsync();
        await Assertions.Expect(page.GetByTestId("extend-scope")).ToContainTextAsync("所选 2 项任务（2 个单位）");
        await Assertions.Expect(page.GetByTestId("extend-scope")).ToContainTextAsync("其他任务的截止时间不变");
        await page.GetByLabel(new Regex("新截止时间")).FillAsync("2025-05-09T18:00");
        await page.GetByLabel(new Regex("原因")).FillAsync("五一假期顺延 After the May Day holiday");
        await walk.CheckAsync(page, "extend-confirm");
        await page.GetByTestId("extend-submit").ClickAsync();

        await Assertions.Expect(result).ToHaveAttributeAsync("data-done", "true");
        await Assertions.Expect(result.Locator("[data-testid=bulk-result-item][data-outcome=ok]")).ToHaveCountAsync(2);
        await Assertions.Expect(result).ToContainTextAsync("截止时间改为 Now due 2025年5月9日 周五 18:00");
        // No longer late: the late list keeps 安阳移动 only.
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("安阳移动");
        await walk.CheckAsync(page, "extended");
        var due = await QueryAsync(app, db => db.Tasks.Where(t => t.Stage == "headcount" && Late.Contains(t.OrganizationId!))
            .ToDictionaryAsync(t => t.OrganizationId!, t => t.DueAt, Ct));
        Assert.Equal(new DateTimeOffset(2025, 5, 9, 18, 0, 0, TimeSpan.FromHours(8)), due[DashboardScenario.Telecom]);
        Assert.Equal(new DateTimeOffset(2025, 5, 9, 18, 0, 0, TimeSpan.FromHours(8)), due["broadcast-xinxiang"]);
        Assert.Equal(new DateTimeOffset(2025, 4, 30, 18, 0, 0, TimeSpan.FromHours(8)), due["mobile-anyang"]);

        // The open tasks show the new deadline.
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "仅逾期 Overdue only" }).UncheckAsync();
        await page.GetByTestId("apply-filters").ClickAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "洛阳电信" }).GetByTestId("task-due")).ToHaveTextAsync("2025年5月9日 周五 18:00");
        await Assertions.Expect(rows.Filter(new() { HasText = "新乡广电" }).GetByTestId("task-due")).ToHaveTextAsync("2025年5月9日 周五 18:00");
        await walk.CheckAsync(page, "open-tasks");

        // The dashboard counts one late task now; the message log lists the six overdue notices.
        await page.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("overdue-count")).ToHaveTextAsync("1");
        await walk.CheckAsync(page, "dashboard-after");
        await page.GotoAsync("/admin/emails?kind=overdue");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("email-row")).ToHaveCountAsync(6);
        await walk.CheckAsync(page, "message-log");

        Assert.True(walk.Problems.Count == 0, $"{walk.Problems.Count} problems:\n" + string.Join("\n", walk.Problems));
    }

    /// <summary>The e-mails that chase a task (reminders and overdue notices), in the outbox.</summary>
    private static Task<List<Manyi.Persistence.Records.OutboxMessageRecord>> ChasersAsync(BrowserApp app) =>
        QueryAsync(app, db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == "reminder" || m.Kind == "overdue").ToListAsync(Ct));

    private static async Task<T> QueryAsync<T>(BrowserApp app, Func<ManyiDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ManyiDbContext>());
    }

    /// <summary>The pages of the walk at one width: each checked and written as a screenshot; page errors and server errors collected.</summary>
    private sealed class Walk(int width, IReadOnlyList<string> ids)
    {
        public List<string> Problems { get; } = [];

        public void Watch(IPage page)
        {
            page.PageError += (_, error) => Problems.Add($"{page.Url}: page error: {error}");
            page.Response += (_, response) => { if (response.Status >= 500) Problems.Add($"{page.Url}: {response.Status} for {response.Url}"); };
        }

        public async Task CheckAsync(IPage page, string name)
        {
            await BrowserApp.ScreenshotAsync(page, $"secretariat-morning-{name}-{width}");
            Problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            Problems.AddRange(await PageChecks.CodesReadAsync(page, ids));
            Problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        }
    }
}
