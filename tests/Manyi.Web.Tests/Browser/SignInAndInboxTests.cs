using System.Text.RegularExpressions;
using Manyi.Web.Infrastructure;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>Sign-in and the task inbox in a real browser (Debian's Chromium, headless).</summary>
public sealed class SignInAndInboxTests
{
    private const string Participant = "zhengzhou.mobile@example.org";
    private const string Organization = "mobile-zhengzhou";
    private const string OrganizationName = "郑州移动";
    private static readonly DateTimeOffset Due = new(2099, 4, 30, 18, 0, 0, TimeSpan.FromHours(8));

    /// <summary>One headcount task for 郑州移动, due 2099-04-30 18:00 Beijing time.</summary>
    private static string Headcount(string definitionId) => Workflows.HeadcountReport(definitionId, [Organization],
        """{"fields": [{"name": "trainees", "label": "培训人数", "type": "number", "required": true, "min": 1, "max": 50, "integer": true}]}""",
        due: $"{Due:yyyy-MM-ddTHH:mm:sszzz}");

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GetByLabel(new Regex("电子邮箱")).FillAsync(email);
        await page.GetByLabel(new Regex("密码")).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task A_participant_is_sent_to_sign_in_then_sees_their_organizations_task_in_the_inbox_and_signs_out()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Headcount("headcount"));
        await admin.ExecuteAsync("headcount");
        var page = await app.NewPageAsync();

        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login\\?ReturnUrl=%2F$"));
        await BrowserApp.ScreenshotAsync(page, "login");
        await SignInAsync(page, Participant, ManyiApp.UserPassword);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的待办 My tasks" })).ToBeVisibleAsync();
        var row = page.GetByTestId("inbox-task");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("培训人数报送 Headcount report");
        await Assertions.Expect(row).ToContainTextAsync(OrganizationName);
        await Assertions.Expect(row).ToContainTextAsync("2099年4月30日 周四 18:00");
        Assert.Equal("2099年4月30日 周四 18:00", Dates.Beijing(Due));
        await Assertions.Expect(row.GetByTestId("due-badge")).ToContainTextAsync(new Regex("剩 \\d+ 天"));
        await Assertions.Expect(page.Locator("link[href*='MudBlazor']")).ToHaveCountAsync(1);
        Assert.True((await page.APIRequest.GetAsync(await page.Locator("link[href*='MudBlazor']").GetAttributeAsync("href") ?? "")).Ok,
            "MudBlazor's stylesheet is served");
        await BrowserApp.ScreenshotAsync(page, "inbox");

        await page.GetByRole(AriaRole.Button, new() { Name = "退出 Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login$"));
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login"));
    }

    [Fact]
    public async Task A_participant_without_tasks_is_told_what_happens_next()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync(width: 390, height: 844);

        await page.GotoAsync("/account/login");
        await SignInAsync(page, Participant, ManyiApp.UserPassword);

        await Assertions.Expect(page.GetByTestId("inbox-empty")).ToContainTextAsync("暂无待办任务");
        await BrowserApp.ScreenshotAsync(page, "inbox-empty-phone");
    }

    [Fact]
    public async Task A_wrong_password_shows_the_error_and_the_fifth_locks_the_account()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync();

        await page.GotoAsync("/account/login");
        await SignInAsync(page, Participant, "not-the-password-1");

        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("电子邮箱或密码错误");
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("Wrong e-mail or password");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login$"));
        await BrowserApp.ScreenshotAsync(page, "login-wrong-password");

        for (var attempt = 2; attempt <= 5; attempt++) await SignInAsync(page, Participant, "not-the-password-1");
        // Locked now, with the right password too; the page says what it says for any failure, so that nobody learns
        // from it which addresses have accounts, and names the rule.
        await SignInAsync(page, Participant, ManyiApp.UserPassword);
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("电子邮箱或密码错误");
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("账号将锁定 15 分钟");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login$"));
        await BrowserApp.ScreenshotAsync(page, "login-locked-out");
    }

    [Fact]
    public async Task The_language_switch_shows_English_alone_and_the_choice_sticks()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync();
        await page.GotoAsync("/account/login");
        await SignInAsync(page, Participant, ManyiApp.UserPassword);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的待办 My tasks" })).ToBeVisibleAsync();

        await page.GetByTestId("language-switch").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My tasks", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByText("我的待办")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "inbox-english");

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My tasks", Exact = true })).ToBeVisibleAsync();
        await page.GetByTestId("language-switch").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的待办 My tasks" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
    }

    [Fact]
    public async Task An_unknown_address_answers_404_with_the_not_found_page()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, Participant);

        var response = await page.GotoAsync("/no/such/page");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("页面不存在");
        await Assertions.Expect(page.GetByTestId("menu")).ToBeVisibleAsync();
    }
}
