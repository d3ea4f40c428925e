using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>
/// A role change, a sign-out, a password change and an administrator's lock take effect at the very next request, cookie
/// and bearer alike; a lockout after wrong passwords ends no open session.
/// </summary>
public sealed class RevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Email = "deputy@example.org";

    private sealed record Session(HttpClient Bearer, string RefreshToken, HttpClient Cookie);

    /// <summary>The user signed in twice: a bearer token (with its refresh token) and, separately, the sign-in cookie.</summary>
    private static async Task<Session> SignInAsync(ManyiApp app, string password = ManyiApp.UserPassword)
    {
        var bearer = app.CreateAnonymousClient();
        var tokens = (await bearer.PostAsJsonAsync("/api/auth/login", new { email = Email, password }, Ct)).EnsureSuccessStatusCode();
        var body = (await tokens.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetString("accessToken"));
        var cookie = app.CreateAnonymousClient();
        (await cookie.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = Email, password }, Ct)).EnsureSuccessStatusCode();
        return new Session(bearer, body.GetString("refreshToken"), cookie);
    }

    private static async Task AssertRevokedAsync(ManyiApp app, Session session, string url = "/api/auth/me")
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Bearer.FetchAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Cookie.FetchAsync(url)).StatusCode);
        var refresh = await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.RefreshToken }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_demoted_administrator_loses_administrator_routes_at_the_next_request(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var deputy = await app.CreateUserAsync(Email, ManyiRoles.Administrator);
        var session = await SignInAsync(app);
        await session.Bearer.FetchAsync("/api/users").ExpectOkAsync();
        await session.Cookie.FetchAsync("/api/users").ExpectOkAsync();

        await app.CreateClient().PutAsJsonAsync($"/api/users/{deputy.Id}/roles", new { roles = new[] { ManyiRoles.Reviewer } }, Ct);

        await AssertRevokedAsync(app, session, "/api/users");
        // Signed in again, the user has the new role only.
        var again = await SignInAsync(app);
        Assert.Equal(HttpStatusCode.Forbidden, (await again.Bearer.FetchAsync("/api/users")).StatusCode);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Signing_out_ends_the_access_token_the_refresh_token_and_the_cookie(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync(Email, ManyiRoles.Reviewer);
        var session = await SignInAsync(app);
        await session.Cookie.FetchAsync("/api/auth/me").ExpectOkAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await session.Bearer.PostJsonAsync("/api/auth/logout", null)).StatusCode);

        await AssertRevokedAsync(app, session);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_password_change_ends_the_other_sessions(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync(Email, ManyiRoles.Reviewer);
        var session = await SignInAsync(app);
        var other = await SignInAsync(app);

        await other.Bearer.PostAsJsonAsync("/api/auth/manage/info", new { oldPassword = ManyiApp.UserPassword, newPassword = "new-pass-2026" }, Ct)
            .ExpectOkAsync();

        await AssertRevokedAsync(app, session);
        await SignInAsync(app, "new-pass-2026");
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Wrong_passwords_lock_new_sign_ins_but_end_no_open_session(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync(Email, ManyiRoles.Reviewer);
        var session = await SignInAsync(app);

        // Anyone can type five wrong passwords: that must not sign the real user out.
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/login", new { email = Email, password = "wrong-pass-2025" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/login", new { email = Email, password = ManyiApp.UserPassword }, Ct)).StatusCode);

        await session.Bearer.FetchAsync("/api/auth/me").ExpectOkAsync();
        await session.Cookie.FetchAsync("/api/auth/me").ExpectOkAsync();
        (await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.RefreshToken }, Ct)).EnsureSuccessStatusCode();
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task An_administrators_lock_ends_every_session_at_the_next_request(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var user = await app.CreateUserAsync(Email, ManyiRoles.Reviewer);
        var session = await SignInAsync(app);

        var locked = await app.CreateClient().PostJsonAsync($"/api/users/{user.Id}/lock", null).ExpectOkAsync();

        Assert.True(locked["isLockedOut"]!.GetValue<bool>());
        await AssertRevokedAsync(app, session);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/login", new { email = Email, password = ManyiApp.UserPassword }, Ct)).StatusCode);
        await app.CreateClient().PostJsonAsync($"/api/users/{user.Id}/unlock", null).ExpectOkAsync();
        await SignInAsync(app);
    }

    /// <summary>
    /// A node keeps a user's stamp for <c>Manyi:Security:StampCheckSeconds</c>: a stamp renewed by another node (here
    /// written to the database behind this node's back, so that nothing here drops it) ends the session once that passes.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_stamp_renewed_on_another_node_ends_the_session_within_the_check_interval(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:Security:StampCheckSeconds"] = "1";
        var user = await app.CreateUserAsync(Email, ManyiRoles.Reviewer);
        var session = await SignInAsync(app);
        await session.Bearer.FetchAsync("/api/auth/me").ExpectOkAsync();
        await session.Cookie.FetchAsync("/api/auth/me").ExpectOkAsync();

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Manyi.Persistence.ManyiDbContext>();
            var renewed = Guid.NewGuid().ToString("N").ToUpperInvariant();
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
                db.Users.Where(u => u.Id == user.Id), set => set.SetProperty(u => u.SecurityStamp, renewed), Ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Bearer.FetchAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Cookie.FetchAsync("/api/auth/me")).StatusCode);
    }
}
