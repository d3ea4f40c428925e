using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>
/// What a stranger can repeat is limited per client address and per account, and known and unknown accounts get the
/// same answers after the same work (issue 15: "LockedOut" for known addresses only, slower forgotten-password answers
/// for known addresses, 16 reset e-mails in a row to one user).
/// </summary>
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ManyiApp> StartAsync(string provider, params (string Key, int Value)[] limits)
    {
        var app = await ManyiApp.StartAsync(provider);
        foreach (var (key, value) in limits) app.Settings[$"Manyi:RateLimits:{key}"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return app;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var seconds = Assert.IsType<TimeSpan>(response.Headers.RetryAfter?.Delta).TotalSeconds;
        Assert.InRange(seconds, 1, 15 * 60);
        var problem = await response.ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("请", problem.GetString("detail"), StringComparison.Ordinal);
        Assert.Contains("try again in", problem.GetString("detail"), StringComparison.Ordinal);
    }

    [Theory, InlineData("sqlite")]
    public async Task Sign_in_is_limited_per_account_known_or_not_and_per_address(string provider)
    {
        await using var app = await StartAsync(provider, ("SignInsPerAccount", 3), ("SignInsPerAddress", 8));
        await app.CreateUserAsync("known@example.org", ManyiRoles.Reviewer);
        var anonymous = app.CreateAnonymousClient();
        Task<HttpResponseMessage> Login(string email, string password = "wrong-pass-2025") =>
            anonymous.PostAsJsonAsync("/api/auth/login", new { email, password }, Ct);

        foreach (var email in new[] { "known@example.org", "unknown@example.org" })
        {
            for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Login(email)).StatusCode);
            await AssertTooManyAsync(await Login(email, ManyiApp.UserPassword));
        }
        // Eight counted from this address: the next account is refused at its first try.
        await AssertTooManyAsync(await Login("third@example.org"));
        // A reset code is a password too: same per-address count.
        await AssertTooManyAsync(await anonymous.PostAsJsonAsync("/api/auth/resetPassword",
            new { email = "known@example.org", resetCode = "x", newPassword = "a-new-password-2025" }, Ct));
    }

    [Theory, InlineData("sqlite")]
    public async Task The_sign_in_page_says_how_long_to_wait_when_an_address_tried_too_often(string provider)
    {
        await using var app = await StartAsync(provider, ("SignInsPerAddress", 2));
        var browser = app.Server.CreateClient(); // follows no redirect
        // The limit counts the form's posts, not the page itself.
        for (var i = 0; i < 3; i++) (await browser.FetchAsync("/account/login")).EnsureSuccessStatusCode();
        var form = () => new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "a@example.org", ["Input.Password"] = "x" });

        for (var i = 0; i < 2; i++) Assert.NotEqual(HttpStatusCode.SeeOther, (await browser.PostAsync("/account/login", form(), Ct)).StatusCode);
        var refused = await browser.PostAsync("/account/login", form(), Ct);

        Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        var page = WebUtility.HtmlDecode(await (await browser.FetchAsync(refused.Headers.Location!.ToString())).Content.ReadAsStringAsync(Ct));
        Assert.Contains("尝试过于频繁", page, StringComparison.Ordinal);
        Assert.Contains("Too many attempts", page, StringComparison.Ordinal);
    }

    [Theory, InlineData("sqlite")]
    public async Task Forgotten_password_requests_are_limited_per_account_and_per_address(string provider)
    {
        await using var app = await StartAsync(provider, ("PasswordEmailsPerAccount", 2), ("PasswordEmailsPerAddress", 6));
        app.Settings["Manyi:Hangfire:Server"] = "false";
        await app.CreateUserAsync("known@example.org", ManyiRoles.Reviewer);
        var anonymous = app.CreateAnonymousClient();
        Task<HttpResponseMessage> Forgot(string email) => anonymous.PostAsJsonAsync("/api/auth/forgotPassword", new { email }, Ct);

        foreach (var email in new[] { "known@example.org", "unknown@example.org" })
        {
            for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await Forgot(email)).StatusCode);
            await AssertTooManyAsync(await Forgot(email));
        }
        await AssertTooManyAsync(await Forgot("third@example.org"));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_forgotten_password_does_the_same_work_in_the_request_for_known_and_unknown_addresses(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:Hangfire:Server"] = "false";
        await app.CreateUserAsync("known@example.org", ManyiRoles.Reviewer);
        var anonymous = app.CreateAnonymousClient();

        var known = await anonymous.PostAsJsonAsync("/api/auth/forgotPassword", new { email = "known@example.org" }, Ct);
        var unknown = await anonymous.PostAsJsonAsync("/api/auth/forgotPassword", new { email = "unknown@example.org" }, Ct);

        Assert.Equal((HttpStatusCode.OK, ""), (known.StatusCode, await known.Content.ReadAsStringAsync(Ct)));
        Assert.Equal((HttpStatusCode.OK, ""), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync(Ct)));
        // Each request enqueued one job and wrote nothing else: no code, no e-mail yet, for either address.
        var jobs = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 100);
        Assert.Equal(["known@example.org", "unknown@example.org"],
            jobs.Where(j => j.Value.Job.Type == typeof(PasswordResetJob)).Select(j => (string)j.Value.Job.Args[0]).Order());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        Assert.False(await db.OutboxMessages.AnyAsync(Ct));

        // The jobs: the known address gets its code, the unknown one nothing.
        var job = scope.ServiceProvider.GetRequiredService<PasswordResetJob>();
        await job.SendAsync("known@example.org");
        await job.SendAsync("unknown@example.org");
        var sent = await db.OutboxMessages.SingleAsync(Ct);
        Assert.Equal("password-reset", sent.Kind);
        Assert.Contains("known@example.org", sent.To, StringComparison.Ordinal);
    }

    [Theory, InlineData("sqlite")]
    public async Task An_administrators_e_mails_by_hand_are_limited_per_account(string provider)
    {
        await using var app = await StartAsync(provider, ("AdministratorEmailsPerAccount", 2));
        var user = await app.CreateUserAsync("invited@example.org", ManyiRoles.Reviewer);
        var admin = app.CreateClient();

        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.NoContent, (await admin.PostJsonAsync($"/api/users/{user.Id}/invitation", null)).StatusCode);
        await AssertTooManyAsync(await admin.PostJsonAsync($"/api/users/{user.Id}/invitation", null));
        await AssertTooManyAsync(await admin.PostAsJsonAsync("/api/users", new { email = "new@example.org", role = ManyiRoles.Reviewer }, Ct));
        await AssertTooManyAsync(await admin.PostJsonAsync("/api/tasks/any-task/remind", null));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Unknown_wrong_and_locked_out_accounts_get_the_same_answer_after_one_password_hash(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var hasher = new CountingHasher();
        app.TestServices = services => services.AddSingleton<IPasswordHasher<ManyiUser>>(hasher);
        await app.CreateUserAsync("known@example.org", ManyiRoles.Reviewer);
        var anonymous = app.CreateAnonymousClient();
        async Task<(HttpStatusCode, string, int)> LoginAsync(string email, string password)
        {
            var before = hasher.Count;
            var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password }, Ct);
            var problem = await response.ExpectAsync(HttpStatusCode.Unauthorized);
            return (response.StatusCode, problem.GetString("detail"), hasher.Count - before);
        }

        var unknown = await LoginAsync("unknown@example.org", "wrong-pass-2025");
        for (var i = 0; i < 4; i++) await LoginAsync("known@example.org", "wrong-pass-2025");
        var wrong = await LoginAsync("known@example.org", "wrong-pass-2025");
        var locked = await LoginAsync("known@example.org", ManyiApp.UserPassword);

        Assert.Equal((HttpStatusCode.Unauthorized, "Failed", 1), unknown);
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, locked);
    }

    /// <summary>Identity's hasher, counting its hashes and checks: the work a sign-in costs.</summary>
    private sealed class CountingHasher : IPasswordHasher<ManyiUser>
    {
        private readonly PasswordHasher<ManyiUser> _inner = new(Microsoft.Extensions.Options.Options.Create(
            new PasswordHasherOptions { IterationCount = ManyiApp.TestHashIterations }));
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string HashPassword(ManyiUser user, string password)
        {
            Interlocked.Increment(ref _count);
            return _inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(ManyiUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _count);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
