using System.Text.RegularExpressions;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// What a new user meets after the README's start command: the demo data with the 2025 campaign rehearsed from this
/// week. Each demo account opens every page of its role on a desk (1366 px) and on a phone (390 px); each answers 200,
/// shows its heading, neither the server nor the page's circuit reports an error, and each passes
/// <see cref="PageChecks"/>: it fits the screen, no internal id or code is read in Chinese mode, and axe finds no
/// serious or critical violation. A screenshot of each is written.
/// </summary>
public sealed class DemoWalkthroughTests
{
    private const string Password = "demo-walk-2025";

    [Fact]
    public async Task Every_page_works_for_each_demo_account_on_the_2025_demo_campaign()
    {
        await using var app = await BrowserApp.StartAsync(settings =>
        {
            settings.Settings["Manyi:Demo:Enabled"] = "true";
            settings.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        });
        // The demo passwords are random and printed once; the walk gives the accounts one it knows.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ManyiUser>>();
            foreach (var email in new[] { "secretariat@example.org", "reviewer@example.org", "zhengzhou.mobile@example.org" })
            {
                var user = (await users.FindByEmailAsync(email))!;
                Assert.True((await users.RemovePasswordAsync(user)).Succeeded);
                Assert.True((await users.AddPasswordAsync(user, Password)).Succeeded);
            }
        }
        using var api = await app.CreateApiClientAsync("secretariat@example.org", Password);
        var campaignId = (await api.FetchAsync("/api/campaigns").ExpectOkAsync()).AsArray().Single()!.GetString("instanceId");
        var headcount = (await api.FetchAsync("/api/tasks?all=true&stage=headcount&organization=mobile-zhengzhou").ExpectOkAsync())
            .GetArray("items").Single().GetString("id");

        List<string> ids, definitionIds;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Manyi.Persistence.ManyiDbContext>();
            ids = await db.Organizations.Select(o => o.Id).ToListAsync(TestContext.Current.CancellationToken);
            definitionIds = await db.WorkflowDefinitions.Select(d => d.DefinitionId).Distinct().ToListAsync(TestContext.Current.CancellationToken);
        }
        var problems = new List<string>();
        problems.AddRange(await JournalProblemsAsync(app, $"/admin/instances/{campaignId}", [.. ids, .. definitionIds]));
        await WalkAsync(app, ids, problems, "secretariat@example.org",
            ("/", "我的待办"), ("/admin", "活动看板"), ("/admin/tasks", "全部任务"), ("/admin/organizations", "参评单位"),
            ("/admin/users", "用户"), ("/admin/instances", "流程实例"), ($"/admin/instances/{campaignId}", "campaign"),
            ("/admin/emails", "消息记录"), ("/admin/channels", "群机器人"), ("/admin/rehearsals", "演练"), ("/admin/workflows", "流程"), ($"/tasks/{headcount}", "培训人数"), ("/review", "评审"), ("/account/password", "修改密码"));
        await WalkAsync(app, ids, problems, "zhengzhou.mobile@example.org",
            ("/", "我的待办"), ($"/tasks/{headcount}", "培训人数"), ("/organization/timeline", "郑州移动"), ("/account/password", "修改密码"));
        await WalkAsync(app, ids, problems, "reviewer@example.org", ("/", "我的待办"), ("/review", "评审"));
        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// The campaign's journal as the secretariat reads it (at 1366 px, where its 说明 column shows): every line says what
    /// happened in Chinese first (no line in English alone: "Opened 1 task(s)", "Notice '…' queued for 58 organization(s)"),
    /// and no line names an organization or a workflow by its id ("Dispatched 58 instance(s) of 'participant'").
    /// </summary>
    private static async Task<IReadOnlyList<string>> JournalProblemsAsync(BrowserApp app, string path, IReadOnlyList<string> ids)
    {
        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, "secretariat@example.org", Password);
        await page.GotoAsync(path);
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("journal-message").First).ToBeVisibleAsync();
        var lines = (await page.GetByTestId("journal-message").AllInnerTextsAsync()).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var problems = new List<string>();
        // Enough of the year to mean something: its start, its tasks, its children and its notices.
        if (lines.Count < 5) problems.Add($"journal: only {lines.Count} lines with a message");
        problems.AddRange(lines.Where(l => !Regex.IsMatch(l, @"^\P{IsCJKUnifiedIdeographs}{0,40}\p{IsCJKUnifiedIdeographs}"))
            .Select(l => $"journal: a line without Chinese first: {l}"));
        problems.AddRange(lines.SelectMany(l => ids.Where(id => Regex.IsMatch(l, $@"(?<![\w.-]){Regex.Escape(id)}(?![\w-])")).Select(id => $"journal: the id '{id}' in: {l}")));
        // Behind 原始数据 Raw the lines read as stored: their keys.
        await page.GetByTestId("raw-toggle").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=journal-entry] [data-raw]").First).ToBeVisibleAsync();
        var raw = string.Join("\n", await page.Locator("[data-testid=journal-entry] [data-raw]").AllInnerTextsAsync());
        if (!raw.Contains("children.dispatched", StringComparison.Ordinal)) problems.Add("journal: the raw view does not show the stored key children.dispatched");
        await page.CloseAsync();
        return problems;
    }

    private static async Task WalkAsync(BrowserApp app, IReadOnlyList<string> ids, List<string> found, string email, params (string Path, string Text)[] pages)
    {
        foreach (var width in new[] { 1366, 390 }) await WalkAsync(app, ids, found, email, width, pages);
    }

    private static async Task WalkAsync(BrowserApp app, IReadOnlyList<string> ids, List<string> found, string email, int width, (string Path, string Text)[] pages)
    {
        var page = await app.NewPageAsync(width, width > 600 ? 768 : 844);
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add($"{page.Url}: console: {message.Text}"); };
        page.PageError += (_, error) => problems.Add($"{page.Url}: page error: {error}");
        page.Response += (_, response) => { if (response.Status >= 400) problems.Add($"{page.Url}: {response.Status} for {response.Url}"); };
        await BrowserApp.SignInAsync(page, email, Password);
        foreach (var (path, text) in pages)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{email} {path}: HTTP {response.Status}");
            // The account pages are plain forms in their own layout; every other page runs interactively.
            if (!path.StartsWith("/account/", StringComparison.Ordinal)) await BrowserApp.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main, .mud-main-content").First).ToContainTextAsync(text);
            await Assertions.Expect(page.GetByTestId("error-status")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("forbidden")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("not-found")).ToHaveCountAsync(0);
            await BrowserApp.ScreenshotAsync(page, "demo-" + email.Split('@')[0].Replace('.', '-') + Regex.Replace(Regex.Replace(path, "[0-9a-f]{32}", "id"), "[^a-z0-9]+", "-").TrimEnd('-') + $"-{width}");
            problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            problems.AddRange(await PageChecks.CodesReadAsync(page, ids));
            problems.AddRange(await PageChecks.AxeViolationsAsync(page));
            problems.AddRange(await PageChecks.UnlabelledScrollRegionsAsync(page));
        }
        found.AddRange(problems.Select(p => $"{email} @{width}: {p}"));
    }
}
