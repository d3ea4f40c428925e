using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Persistence.Records;
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
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("用户名或密码错误");
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
