using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>The probe's smaller holes: formula injection in CSV, e-mail confirmation endpoints, antiforgery on Identity's own changes, headers, cookies.</summary>
public sealed class SmallerHolesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Csv_exports_defuse_formulas_and_the_organizations_export_imports_back_unchanged(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.PostJsonAsync("/api/organizations", """
            {"id": "formula", "name": "=1+1", "operator": "移动", "city": "郑州",
             "contacts": [{"name": "@SUM(1,2)", "email": "f@example.org", "phone": "-2+3"}]}
            """).ExpectAsync(HttpStatusCode.Created);

        var csv = await (await client.FetchAsync("/api/organizations/export?format=csv")).Content.ReadAsStringAsync(Ct);
        var audit = await (await client.FetchAsync("/api/audit/export")).Content.ReadAsStringAsync(Ct);

        Assert.Contains("'=1+1", csv, StringComparison.Ordinal);
        Assert.Contains("'@SUM(1,2)", csv, StringComparison.Ordinal);
        Assert.Contains("'-2+3", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", audit.Replace(",\"=", "", StringComparison.Ordinal), StringComparison.Ordinal);
        await client.DeleteAsync("/api/organizations/formula", Ct);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "organizations.csv" } };
        await (await client.PostAsync("/api/organizations/import", form, Ct)).ExpectAsync(HttpStatusCode.OK);
        var back = await client.FetchAsync("/api/organizations/formula").ExpectOkAsync();
        Assert.Equal("=1+1", back.GetString("name"));
        Assert.Equal("@SUM(1,2)", back.GetArray("contacts")[0].GetString("name"));
    }

    /// <summary>
    /// Anyone can put text into the audit trail (the address typed at a failed sign-in is its user): a cell that starts
    /// with a tab or a carriage return is as much a formula to a spreadsheet as one that starts with '='.
    /// </summary>
    [Theory]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    public async Task The_audit_export_defuses_cells_led_by_a_tab_or_a_carriage_return(string typed)
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var failed = await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/login", new { email = typed, password = "not-the-password-1" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);

        var audit = await (await app.CreateClient().FetchAsync("/api/audit/export")).Content.ReadAsStringAsync(Ct);

        Assert.Contains("'" + typed, audit, StringComparison.Ordinal);
        Assert.DoesNotContain("," + typed, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"" + typed, audit, StringComparison.Ordinal);
    }

    /// <summary>
    /// Host-header injection: the links in a calendar feed come from <c>Manyi:PublicUrl</c> (its development default
    /// when unset, as here), never from the Host header of the request that fetched the feed.
    /// </summary>
    [Fact]
    public async Task The_calendar_feeds_links_never_come_from_the_requests_host()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var user = await app.CreateUserAsync("zhengzhou.mobile@example.org", Manyi.Persistence.Records.ManyiRoles.Participant, "mobile-zhengzhou");
        var admin = app.CreateClient();
        await admin.DeployAsync(Workflows.HeadcountReport("headcount", ["mobile-zhengzhou"]));
        await admin.ExecuteAsync("headcount");
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var taskId = Assert.Single((await participant.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items")).GetString("id");
        string path;
        await using (var scope = app.Services.CreateAsyncScope())
            path = await Manyi.Web.Features.Timeline.CalendarFeed.PathForAsync(scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>(),
                scope.ServiceProvider.GetRequiredService<UserManager<Manyi.Persistence.Records.ManyiUser>>(), user.Id);
        var forged = app.CreateAnonymousClient();
        forged.DefaultRequestHeaders.Host = "evil.example";

        var feed = Ical.Net.Calendar.Load(await (await forged.FetchAsync(path)).EnsureSuccessStatusCode().Content.ReadAsStringAsync(Ct))!;

        var due = Assert.Single(feed.Events);
        Assert.Equal($"http://localhost:5000/tasks/{taskId}", due.Url!.ToString());
        Assert.DoesNotContain("evil.example", due.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/auth/resendConfirmationEmail", """{"email": "admin@example.org"}""", HttpStatusCode.NotFound)]
    [InlineData("/api/auth/manage/info", """{"newEmail": "evil@example.org"}""", HttpStatusCode.BadRequest)]
    public async Task E_mail_confirmation_and_change_email_are_off(string url, string body, HttpStatusCode status)
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Host = "evil.example";

        await client.PostJsonAsync(url, body).ExpectAsync(status);

        Assert.Equal(ManyiApp.AdminEmail, (await client.FetchAsync("/api/auth/me").ExpectOkAsync()).GetString("email"));
    }

    [Theory]
    [InlineData("/api/auth/manage/info")]
    [InlineData("/api/auth/manage/2fa")]
    [InlineData("/api/auth/logout")]
    public async Task Identitys_own_changes_with_the_cookie_need_the_antiforgery_token(string url)
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var browser = app.CreateAnonymousClient();
        (await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = ManyiApp.AdminEmail, password = ManyiApp.AdminPassword }, Ct))
            .EnsureSuccessStatusCode();

        var refused = await browser.PostJsonAsync(url, "{}").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("X-XSRF-TOKEN", refused.GetString("detail"), StringComparison.Ordinal);
        await browser.FetchAsync("/api/auth/me").ExpectOkAsync();
    }

    [Fact]
    public async Task Pages_and_the_api_send_the_security_headers_and_an_https_site_sets_secure_cookies()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        app.Settings["Manyi:PublicUrl"] = "https://manyi.example.org";
        var anonymous = app.CreateAnonymousClient();

        var page = await anonymous.FetchAsync("/account/login");
        var api = await anonymous.FetchAsync("/api/tasks");
        var signIn = await anonymous.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = ManyiApp.AdminEmail, password = ManyiApp.AdminPassword }, Ct);

        foreach (var response in new[] { page, api })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        // The script policy is enforced, not only reported: no inline script anywhere (PagesRunNoInlineScript).
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("Content-Security-Policy-Report-Only"));
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("manyi=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        // An administrator's cookie lasts a working day, not 14.
        var expires = DateTimeOffset.Parse(cookie.Split(';').Single(p => p.Trim().StartsWith("expires=", StringComparison.OrdinalIgnoreCase)).Split('=')[1]);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(7), TimeSpan.FromHours(9));
    }

    /// <summary>
    /// The enforced script policy allows no inline script: no page or component may carry an inline event handler
    /// (<c>ondragover="…"</c>; Blazor's <c>@ondragover:preventDefault</c> instead) or a script element without a source.
    /// Two inline handlers in the designer kept the policy report-only.
    /// </summary>
    [Fact]
    public void Pages_run_no_inline_script()
    {
        var source = Workflows.RepositoryFilePath("src/Manyi.Web");
        var offending = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(source, f), Line: i + 1, Text: line)))
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"(^|\s)on[a-z]+=""|<script(?![^>]*\bsrc=)[^>]*>|<ImportMap"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.Empty(offending);
    }
}
