using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Account;

public sealed partial class AccountTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite")]
    public async Task Every_api_route_but_sign_in_needs_a_signed_in_user_and_self_registration_is_off(string provider)
    {
        var app = await apps.For(provider);
        var anonymous = app.CreateAnonymousClient();

        foreach (var url in new[] { "/api/tasks", "/api/workflow-definitions", "/api/workflow-instances", "/api/audit", "/api/auth/me" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.FetchAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/events/e/trigger", "{}")).StatusCode);
        await anonymous.PostJsonAsync("/api/auth/register", """{"email": "me@example.org", "password": "pass-word-2025"}""").ExpectAsync(HttpStatusCode.NotFound);

        var me = await app.CreateClient().FetchAsync("/api/auth/me").ExpectOkAsync();
        Assert.Equal(ManyiApp.AdminEmail, me.GetString("email"));
        Assert.Equal(["Administrator"], me.GetArray("roles").Select(r => r!.GetValue<string>()));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Five_wrong_passwords_lock_the_account_and_every_attempt_is_audited(string provider)
    {
        var app = await apps.For(provider);
        var email = Unique.Email("zhengzhou.mobile");
        var user = await app.CreateUserAsync(email, ManyiRoles.Participant, "mobile-zhengzhou");
        var anonymous = app.CreateAnonymousClient();
        Task<HttpResponseMessage> Login(string password) =>
            anonymous.PostAsJsonAsync("/api/auth/login", new { email, password }, Ct);

        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Login("wrong-password-1")).StatusCode);
        var locked = await Login(ManyiApp.UserPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        // The same answer as an unknown address's: a "LockedOut" told strangers which addresses have accounts.
        Assert.Equal("Failed", (await locked.Content.ReadFromJsonAsync<JsonObject>(Ct))!.GetString("detail"));
        var audit = await app.CreateClient().FetchAsync($"/api/audit?user={user.Id}").ExpectOkAsync();
        var actions = audit.GetArray("items").Select(a => a.GetString("action")).Reverse().ToList();
        Assert.Equal([.. Enumerable.Repeat("user.sign-in-failed", 4), "user.locked-out", "user.locked-out"], actions);

        await app.CreateClient().PostJsonAsync($"/api/users/{user.Id}/unlock", null).ExpectOkAsync();
        Assert.Equal(HttpStatusCode.OK, (await Login(ManyiApp.UserPassword)).StatusCode);
    }

    [Theory, InlineData("sqlite")]
    public async Task A_forgotten_password_is_reset_with_the_code_mailed_through_a_real_SMTP_server(string provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await ManyiApp.StartAsync(provider); // its own SMTP settings, and its jobs must run: a host of its own
        app.Settings["Manyi:Smtp:Host"] = "127.0.0.1";
        app.Settings["Manyi:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Manyi:Smtp:Security"] = "None";
        app.Settings["Manyi:Smtp:From"] = "manyi@example.org";
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, "unicom-kaifeng");
        var anonymous = app.CreateAnonymousClient();

        (await anonymous.PostAsJsonAsync("/api/auth/forgotPassword", new { email = "kaifeng.unicom@example.org" }, Ct)).EnsureSuccessStatusCode();
        // An unknown address gets the same answer and no e-mail, so that nobody can probe for accounts.
        (await anonymous.PostAsJsonAsync("/api/auth/forgotPassword", new { email = "nobody@example.org" }, Ct)).EnsureSuccessStatusCode();

        var mail = await WaitForMailAsync(smtp);
        Assert.Equal(["kaifeng.unicom@example.org"], mail.Recipients);
        Assert.Contains("重置密码", mail.Message.Subject, StringComparison.Ordinal);
        var code = Uri.UnescapeDataString(ResetCode().Match(mail.Message.TextBody ?? "").Groups[1].Value);
        Assert.NotEmpty(code);

        var weak = await anonymous.PostAsJsonAsync("/api/auth/resetPassword", new { email = "kaifeng.unicom@example.org", resetCode = code, newPassword = "short" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        (await anonymous.PostAsJsonAsync("/api/auth/resetPassword",
            new { email = "kaifeng.unicom@example.org", resetCode = code, newPassword = "a-new-password-2025" }, Ct)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "kaifeng.unicom@example.org", password = ManyiApp.UserPassword }, Ct)).StatusCode);
        await app.CreateClientForAsync("kaifeng.unicom@example.org", "a-new-password-2025");
        var resets = await app.CreateClient().FetchAsync("/api/audit?action=user.password-reset").ExpectOkAsync();
        Assert.Equal("kaifeng.unicom@example.org", Assert.Single(resets.GetArray("items")).GetString("userName"));
        Assert.Single(smtp.Messages);
        await using var scope = app.Services.CreateAsyncScope();
        var outbox = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.SingleAsync(Ct);
        Assert.Equal(OutboxStatus.Sent, outbox.Status);
        Assert.Equal("password-reset", outbox.Kind);
    }

    [Theory, InlineData("sqlite")]
    public async Task With_the_sign_in_cookie_a_change_needs_the_antiforgery_token(string provider)
    {
        var app = await apps.For(provider);
        var browser = app.CreateAnonymousClient();
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = ManyiApp.AdminEmail, password = ManyiApp.AdminPassword }, Ct))
            .EnsureSuccessStatusCode();
        await browser.FetchAsync("/api/workflow-definitions").ExpectOkAsync();

        var refused = await browser.PostJsonAsync("/api/workflow-definitions/import", Workflows.Hello("cookie-hello")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("X-XSRF-TOKEN", refused.GetString("detail"), StringComparison.Ordinal);

        var token = await browser.FetchAsync("/api/auth/antiforgery").ExpectOkAsync();
        browser.DefaultRequestHeaders.Add(token.GetString("headerName"), token.GetString("token"));
        await browser.ImportAsync(Workflows.Hello("cookie-hello"));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_jobs_dashboard_is_for_administrators(string provider)
    {
        var app = await apps.For(provider);
        var email = Unique.Email("zhengzhou.mobile");
        await app.CreateUserAsync(email, ManyiRoles.Participant, "mobile-zhengzhou");

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().FetchAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.CreateClientForAsync(email)).FetchAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().FetchAsync("/hangfire")).StatusCode);
    }

    private static async Task<SmtpTestServer.Received> WaitForMailAsync(SmtpTestServer smtp)
    {
        for (var waited = 0; waited < 300 && smtp.Messages.IsEmpty; waited++) await Task.Delay(100, Ct);
        return Assert.Single(smtp.Messages);
    }

    [GeneratedRegex(@"reset-password\?email=[^&\s]+&code=([^&\s]+)")]
    private static partial Regex ResetCode();
}
