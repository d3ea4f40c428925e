using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Manyi.Web.Tests.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The account pages in a real browser: a forgotten password, an invitation, changing one's password.</summary>
public sealed partial class AccountPagesTests
{
    private const string Participant = "kaifeng.unicom@example.org";
    private const string Organization = "unicom-kaifeng";
    private const string OrganizationName = "开封联通";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_forgotten_password_is_mailed_and_reset_and_the_rules_are_shown_per_field()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync();

        await page.GotoAsync("/account/login");
        await page.GetByTestId("forgot-password-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/forgot-password$"));
        // Enhanced navigation changes the address before it patches the page: typing earlier would be lost.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "忘记密码 Forgot your password" })).ToBeVisibleAsync();
        await page.GetByLabel(new Regex("电子邮箱")).FillAsync(Participant);
        await BrowserApp.ScreenshotAsync(page, "forgot-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "发送重置链接 Send the link" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("forgot-sent")).ToContainTextAsync($"如果 {Participant} 是已登记的地址");

        // An unknown address gets the very same answer, and no mail.
        await page.GotoAsync("/account/forgot-password");
        await page.GetByLabel(new Regex("电子邮箱")).FillAsync("nobody@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "发送重置链接 Send the link" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("forgot-sent")).ToContainTextAsync("如果 nobody@example.org 是已登记的地址");

        var link = await MailedLinkAsync(app, Participant, "password-reset", "/account/reset-password");
        Assert.Empty(await MailsToAsync(app, "nobody@example.org"));

        // A mangled code is refused before anything is typed, with the way to a new one.
        await page.GotoAsync(link[..^4] + "xxxx");
        await Assertions.Expect(page.GetByTestId("code-invalid")).ToContainTextAsync("无效或已过期");
        await Assertions.Expect(page.GetByTestId("new-link")).ToHaveAttributeAsync("href", "/account/forgot-password");

        await page.GotoAsync(link);
        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("short");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "设置密码 Set the password" }).ClickAsync();
        var errors = page.GetByTestId("new-password-errors");
        await Assertions.Expect(errors.Filter(new() { HasText = "至少需要 10 个字符" })).ToHaveCountAsync(1);
        await Assertions.Expect(errors.Filter(new() { HasText = "Include at least one digit" })).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(page, "reset-password");

        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("a-new-password-2025");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("a-new-password-2024");
        await page.GetByRole(AriaRole.Button, new() { Name = "设置密码 Set the password" }).ClickAsync();
        await Assertions.Expect(page.GetByText("两次输入的密码不一致")).ToBeVisibleAsync();

        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("a-new-password-2025");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("a-new-password-2025");
        await page.GetByRole(AriaRole.Button, new() { Name = "设置密码 Set the password" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login\\?done=reset"));
        await Assertions.Expect(page.GetByTestId("login-notice")).ToContainTextAsync("密码已设置");
        await Assertions.Expect(page.GetByLabel(new Regex("电子邮箱"))).ToHaveValueAsync(Participant);

        await page.GetByLabel(new Regex("^密码")).FillAsync(ManyiApp.UserPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("电子邮箱或密码错误");
        await BrowserApp.SignInAsync(page, Participant, "a-new-password-2025");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的待办 My tasks" })).ToBeVisibleAsync();

        // The link works once.
        var again = await app.NewPageAsync();
        await again.GotoAsync(link);
        await Assertions.Expect(again.GetByTestId("code-invalid")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_invited_user_sets_a_password_from_the_invitation_and_signs_in()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await ManyiApp.CreateUserAsync(app.Services, "someone.else@example.org", ManyiRoles.Participant, (Organization, OrganizationName));
        await admin.PostJsonAsync("/api/users", $$"""{"email": "new.contact@example.org", "displayName": "新联系人", "role": "Participant", "organizations": ["{{Organization}}"]}""")
            .ExpectAsync(System.Net.HttpStatusCode.Created);
        var link = await MailedLinkAsync(app, "new.contact@example.org", "invitation", "/account/accept-invitation");
        var page = await app.NewPageAsync(width: 390, height: 844);

        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "接受邀请，设置密码 Accept the invitation: set your password" })).ToBeVisibleAsync();
        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("invited-pass-2025");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("invited-pass-2025");
        await page.GetByRole(AriaRole.Button, new() { Name = "设置密码 Set the password" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/login\\?done=invitation"));
        await BrowserApp.SignInAsync(page, "new.contact@example.org", "invited-pass-2025");
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Changing_the_password_names_a_wrong_current_password_then_keeps_the_person_signed_in()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Organization, OrganizationName);
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, Participant);

        await page.GetByTestId("user-name").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/password$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "修改密码 Change password" })).ToBeVisibleAsync();

        await page.GetByLabel(new Regex("当前密码")).FillAsync("not-my-password-1");
        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("changed-pass-2025");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("changed-pass-2025");
        await page.GetByRole(AriaRole.Button, new() { Name = "修改密码 Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("current-password-errors")).ToContainTextAsync("当前密码不正确");
        await BrowserApp.ScreenshotAsync(page, "change-password");

        await page.GetByLabel(new Regex("当前密码")).FillAsync(ManyiApp.UserPassword);
        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("nodigits-only");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("nodigits-only");
        await page.GetByRole(AriaRole.Button, new() { Name = "修改密码 Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-password-errors")).ToContainTextAsync("至少一个数字");

        await page.GetByLabel(new Regex("当前密码")).FillAsync(ManyiApp.UserPassword);
        await page.GetByLabel("新密码 New password", new() { Exact = true }).FillAsync("changed-pass-2025");
        await page.GetByLabel(new Regex("再次输入新密码")).FillAsync("changed-pass-2025");
        await page.GetByRole(AriaRole.Button, new() { Name = "修改密码 Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("password-changed")).ToContainTextAsync("密码已修改");

        // Still signed in (the cookie was renewed with the new security stamp), and the new password is the one that works.
        await page.GotoAsync("/");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的待办 My tasks" })).ToBeVisibleAsync();
        var other = await app.NewPageAsync();
        await other.GotoAsync("/account/login");
        await other.GetByLabel(new Regex("电子邮箱")).FillAsync(Participant);
        await other.GetByLabel(new Regex("^密码")).FillAsync(ManyiApp.UserPassword);
        await other.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Assertions.Expect(other.GetByTestId("login-error")).ToBeVisibleAsync();
        await BrowserApp.SignInAsync(other, Participant, "changed-pass-2025");
        await using var scope = app.Services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<ManyiDbContext>().AuditEntries;
        Assert.Equal(1, await audit.CountAsync(a => a.Action == "user.password-changed" && a.UserName == Participant, Ct));
    }

    [Fact]
    public async Task A_participant_sees_the_organizations_timeline_and_the_calendar_link()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zhengzhou.mobile@example.org", "mobile-zhengzhou", "郑州移动");
        using var admin = await app.CreateApiClientAsync();
        foreach (var workflow in new[] { "workflows/participant.json", "workflows/campaign.json" })
            await admin.DeployAsync(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile(workflow), Ct));
        // The 2025 calendar moved to 2099: the notice is published and the headcount reported, the sign-up is open.
        var settings = JsonNode.Parse((await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct))
            .Replace("2025-", "2099-", StringComparison.Ordinal))!.AsObject();
        settings["campaign"]!["year"] = 2099;
        settings["organizations"] = new JsonArray("mobile-zhengzhou");
        await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items")).GetString("id");
        await admin.PostJsonAsync($"/api/tasks/{notice}/complete", """{"outcome": "Published", "data": {"documentNumber": "豫通行协〔2099〕6号"}}""").ExpectOkAsync();
        using var participant = await app.CreateApiClientAsync("zhengzhou.mobile@example.org", ManyiApp.UserPassword);
        var headcount = Assert.Single((await participant.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync()).GetArray("items")).GetString("id");
        await participant.PostJsonAsync($"/api/tasks/{headcount}/complete", """{"outcome": "Submitted", "data": {"trainees": 1, "names": [{"name": "学员一"}]}}""").ExpectOkAsync();
        var signup = Assert.Single((await participant.FetchAsync("/api/tasks?stage=signup").ExpectOkAsync()).GetArray("items")).GetString("id");
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "zhengzhou.mobile@example.org");

        await page.GetByTestId("menu").GetByRole(AriaRole.Link, new() { Name = "本单位进程 Our timeline" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/organization/timeline$"));
        await Assertions.Expect(page.GetByTestId("timeline-stage")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("[data-stage=headcount]")).ToHaveAttributeAsync("data-status", "Done");
        await Assertions.Expect(page.Locator("[data-stage=headcount]").GetByTestId("stage-date")).ToContainTextAsync("完成于");
        var current = page.Locator("[data-stage=signup]");
        await Assertions.Expect(current).ToHaveAttributeAsync("data-status", "Current");
        await Assertions.Expect(current.GetByTestId("stage-date")).ToContainTextAsync("截止 2099年5月7日 周四 18:00");
        await Assertions.Expect(current.GetByTestId("stage-status")).ToContainTextAsync(new Regex("剩 \\d+ 天"));
        await Assertions.Expect(current.GetByTestId("stage-task-link")).ToHaveAttributeAsync("href", $"/tasks/{signup}");
        await Assertions.Expect(page.Locator("[data-stage=submission]")).ToHaveAttributeAsync("data-status", "Upcoming");
        await Assertions.Expect(page.Locator("[data-stage=submission]").GetByTestId("stage-date")).ToContainTextAsync("计划 2099年9月10日 周四 24:00");
        var url = await page.Locator("input[data-testid=calendar-url], [data-testid=calendar-url] input").InputValueAsync();
        Assert.Matches("^http://127\\.0\\.0\\.1:\\d+/calendar/[A-Za-z0-9_-]+\\.ics$", url);
        var feed = await page.APIRequest.GetAsync(url);
        Assert.Equal(200, feed.Status);
        Assert.Contains("培训报名", await feed.TextAsync(), StringComparison.Ordinal);
        await page.GetByTestId("calendar-copy").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calendar-copied")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "timeline");

        var phone = await app.NewPageAsync(width: 390, height: 844);
        await BrowserApp.SignInAsync(phone, "zhengzhou.mobile@example.org");
        await phone.GotoAsync("/organization/timeline");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await Assertions.Expect(phone.Locator("[data-stage=signup]")).ToHaveAttributeAsync("data-status", "Current");
        await BrowserApp.ScreenshotAsync(phone, "timeline-phone");
    }

    [Fact]
    public async Task A_reviewer_sees_the_reviews_filters_them_and_opens_one()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zhengzhou.mobile@example.org", "mobile-zhengzhou", "郑州移动");
        await app.CreateParticipantAsync("kaifeng.unicom@example.org", "unicom-kaifeng", "开封联通");
        await ManyiApp.CreateUserAsync(app.Services, "expert@example.org", ManyiRoles.Reviewer);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(ReviewsApiTests.ReviewWorkflow("review-only"));
        await admin.ExecuteAsync("review-only", "mobile-zhengzhou");
        await admin.ExecuteAsync("review-only", "unicom-kaifeng");
        using var expert = await app.CreateApiClientAsync("expert@example.org", ManyiApp.UserPassword);
        var reviews = (await expert.FetchAsync("/api/reviews").ExpectOkAsync()).GetArray("items");
        var kaifeng = reviews.Single(r => r.GetString("organizationId") == "unicom-kaifeng")!.GetString("taskId");
        var zhengzhou = reviews.Single(r => r.GetString("organizationId") == "mobile-zhengzhou")!.GetString("taskId");
        await expert.PostJsonAsync($"/api/tasks/{kaifeng}/complete", """{"outcome": "Rated", "data": {"rating": "AAA"}}""").ExpectOkAsync();
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "expert@example.org");

        await page.GetByTestId("menu").GetByRole(AriaRole.Link, new() { Name = "评审 Reviews" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/review$"));
        var row = page.GetByTestId("review-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("郑州移动");
        await Assertions.Expect(row).ToContainTextAsync("待评审");
        await Assertions.Expect(row.GetByTestId("review-link")).ToHaveAttributeAsync("href", $"/tasks/{zhengzhou}");
        await BrowserApp.ScreenshotAsync(page, "review-list");

        await page.GetByTestId("status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "全部 All" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/review\\?status=any$"));
        await Assertions.Expect(row).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"[data-task-id='{kaifeng}']")).ToContainTextAsync("AAA");

        await page.GotoAsync("/review?status=any&organization=unicom-kaifeng");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("开封联通");
        await Assertions.Expect(row).ToContainTextAsync("已评审");

        // A participant is not a reviewer: the page says so.
        var participant = await app.NewPageAsync();
        await BrowserApp.SignInAsync(participant, "zhengzhou.mobile@example.org");
        await participant.GotoAsync("/review");
        await Assertions.Expect(participant.GetByTestId("review-list")).ToHaveCountAsync(0);
        await Assertions.Expect(participant.GetByTestId("forbidden")).ToBeVisibleAsync();
    }

    private static async Task<List<OutboxMessageRecord>> MailsToAsync(BrowserApp app, string to)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking().Where(m => m.To == to).ToListAsync(Ct);
    }

    /// <summary>The path and query of the link in the one mail of this kind to this address (the outbox keeps every mail sent).</summary>
    private static async Task<string> MailedLinkAsync(BrowserApp app, string to, string kind, string path)
    {
        for (var waited = 0; waited < 100; waited++)
        {
            if ((await MailsToAsync(app, to)).Where(m => m.Kind == kind).ToList() is [var mail])
            {
                var match = Link().Match(mail.TextBody);
                Assert.True(match.Success, $"No link in the mail: {mail.TextBody}");
                var uri = new Uri(match.Value);
                Assert.Equal(path, uri.AbsolutePath);
                return uri.PathAndQuery;
            }
            await Task.Delay(100, Ct);
        }
        throw new InvalidOperationException($"No '{kind}' mail to {to}.");
    }

    [GeneratedRegex(@"https?://\S+/account/\S+")]
    private static partial Regex Link();
}
