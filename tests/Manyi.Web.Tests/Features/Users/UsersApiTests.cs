using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Tests.Features.Users;

/// <summary>Users for administrators: invitations through the outbox, roles, organizations, unlocking.</summary>
public sealed partial class UsersApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite")]
    public async Task An_invited_participant_gets_an_e_mail_whose_code_sets_the_first_password(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await ImportAsync(client);

        var invited = await client.PostJsonAsync("/api/users", """
            {"email": "xinyang.broadcast@example.org", "displayName": "信阳广电联系人", "role": "participant", "organizations": ["broadcast-xinyang"]}
            """).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(["Participant"], invited.GetArray("roles").Select(r => r!.GetValue<string>()));
        Assert.Equal("broadcast-xinyang", Assert.Single(invited.GetArray("organizations")).GetString("id"));
        Assert.False(invited["hasPassword"]!.GetValue<bool>());
        var mail = await app.QueryAsync(db => db.OutboxMessages.SingleAsync(m => m.Kind == "invitation" && m.To == "xinyang.broadcast@example.org", Ct));
        Assert.Contains("信阳广电联系人", mail.TextBody, StringComparison.Ordinal);
        var invitedId = invited.GetString("id");
        var audit = await app.QueryAsync(db => db.AuditEntries.SingleAsync(a => a.Action == "user.invited" && a.SubjectId == invitedId, Ct));
        Assert.Equal((invitedId, ManyiApp.AdminEmail), (audit.SubjectId, audit.UserName));

        // The code is what Identity's reset endpoint takes: the invitee sets a password with it and signs in.
        var code = InvitationCode().Match(mail.TextBody).Groups[1].Value;
        var anonymous = app.CreateAnonymousClient();
        var reset = await anonymous.PostAsJsonAsync("/api/auth/resetPassword",
            new { email = "xinyang.broadcast@example.org", resetCode = code, newPassword = "first-password-2025" }, Ct);
        Assert.True(reset.IsSuccessStatusCode, $"{(int)reset.StatusCode}: {await reset.Content.ReadAsStringAsync(Ct)}\ncode: {code}\n{mail.TextBody}");
        var me = await (await app.CreateClientForAsync("xinyang.broadcast@example.org", "first-password-2025")).FetchAsync("/api/auth/me").ExpectOkAsync();
        Assert.Equal(["broadcast-xinyang"], me.GetArray("organizations").Select(o => o!.GetValue<string>()));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task An_invitation_names_the_bad_field_and_a_taken_address_is_a_conflict(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await ImportAsync(client);
        // The class shares its host: nothing added counts from here.
        var (users, mails) = (await app.QueryAsync(db => db.Users.CountAsync(Ct)), await app.QueryAsync(db => db.OutboxMessages.CountAsync(Ct)));

        async Task<string> BadField(string json)
        {
            var problem = await client.PostJsonAsync("/api/users", json).ExpectAsync(HttpStatusCode.BadRequest);
            return Assert.Single(problem["errors"]!.AsObject()).Key;
        }

        Assert.Equal("role", await BadField("""{"email": "a@example.org", "role": "Owner"}"""));
        Assert.Equal("organizations", await BadField("""{"email": "a@example.org", "role": "Participant", "organizations": ["mobile-nowhere"]}"""));
        Assert.Equal("organizations", await BadField("""{"email": "a@example.org", "role": "Participant", "organizations": []}"""));
        Assert.Equal("email", await BadField("""{"email": "not an address", "role": "Reviewer"}"""));
        var conflict = await client.PostJsonAsync("/api/users", $$"""{"email": "{{ManyiApp.AdminEmail.ToUpperInvariant()}}", "role": "Reviewer"}""")
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("already exists", conflict.GetString("detail"), StringComparison.Ordinal);

        Assert.Equal(users, await app.QueryAsync(db => db.Users.CountAsync(Ct)));
        Assert.Equal(mails, await app.QueryAsync(db => db.OutboxMessages.CountAsync(Ct)));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Role_changes_are_audited_and_the_last_administrator_keeps_the_role(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // takes the bootstrap administrator's role: a host of its own
        var client = app.CreateClient();
        var admin = await app.QueryAsync(db => db.Users.SingleAsync(u => u.Email == ManyiApp.AdminEmail, Ct));
        var reviewer = await app.CreateUserAsync("reviewer@example.org", ManyiRoles.Reviewer);

        var last = await client.SendAsync(Put($"/api/users/{admin.Id}/roles", """{"roles": ["Reviewer"]}"""), Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("last administrator", last.GetString("detail"), StringComparison.Ordinal);
        var participant = await client.SendAsync(Put($"/api/users/{reviewer.Id}/roles", """{"roles": ["Participant"]}"""), Ct)
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at least one organization", participant["errors"]!["roles"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await client.SendAsync(Put($"/api/users/{reviewer.Id}/roles", """{"roles": []}"""), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        await client.SendAsync(Put($"/api/users/{reviewer.Id}/roles", """{"roles": ["Root"]}"""), Ct).ExpectAsync(HttpStatusCode.BadRequest);

        var promoted = await client.SendAsync(Put($"/api/users/{reviewer.Id}/roles", """{"roles": ["reviewer", "Administrator"]}"""), Ct).ExpectOkAsync();
        Assert.Equal(["Administrator", "Reviewer"], promoted.GetArray("roles").Select(r => r!.GetValue<string>()));
        await client.SendAsync(Put($"/api/users/{admin.Id}/roles", """{"roles": ["Reviewer"]}"""), Ct).ExpectOkAsync();

        var changes = await app.QueryAsync(db => db.AuditEntries.Where(a => a.Action == "user.roles-changed").OrderBy(a => a.Id).ToListAsync(Ct));
        Assert.Equal([reviewer.Id, admin.Id], changes.Select(c => c.SubjectId));
        var details = JsonNode.Parse(changes[0].Details!)!;
        Assert.Equal(["Reviewer"], details.GetArray("before").Select(r => r!.GetValue<string>()));
        Assert.Equal(["Administrator", "Reviewer"], details.GetArray("after").Select(r => r!.GetValue<string>()));
        // Signed in again, the former administrator is a reviewer.
        var former = await app.CreateClientForAsync(ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await former.FetchAsync("/api/users")).StatusCode);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Organizations_change_with_an_audit_line_and_a_participant_keeps_at_least_one(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // lists users by role and search: a host of its own
        var client = app.CreateClient();
        await ImportAsync(client);
        var user = await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");

        var changed = await client.SendAsync(Put($"/api/users/{user.Id}/organizations", """{"organizations": ["unicom-kaifeng", "mobile-zhengzhou"]}"""), Ct)
            .ExpectOkAsync();
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng"], changed.GetArray("organizations").Select(o => o.GetString("id")));
        await client.SendAsync(Put($"/api/users/{user.Id}/organizations", """{"organizations": []}"""), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        var unknown = await client.SendAsync(Put($"/api/users/{user.Id}/organizations", """{"organizations": ["mobile-nowhere"]}"""), Ct)
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("mobile-nowhere", unknown["errors"]!["organizations"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var audit = await app.QueryAsync(db => db.AuditEntries.SingleAsync(a => a.Action == "user.organizations-changed", Ct));
        var details = JsonNode.Parse(audit.Details!)!;
        Assert.Equal(["mobile-zhengzhou"], details.GetArray("before").Select(o => o!.GetValue<string>()));
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng"], details.GetArray("after").Select(o => o!.GetValue<string>()));

        var list = await client.FetchAsync("/api/users?organization=unicom-kaifeng").ExpectOkAsync();
        Assert.Equal(["zhengzhou.mobile@example.org"], list.GetArray("items").Select(u => u.GetString("email")));
        Assert.Equal([ManyiApp.AdminEmail], (await client.FetchAsync("/api/users?role=administrator").ExpectOkAsync()).GetArray("items").Select(u => u.GetString("email")));
        Assert.Equal(["zhengzhou.mobile@example.org"], (await client.FetchAsync("/api/users?search=ZHENGZHOU").ExpectOkAsync()).GetArray("items").Select(u => u.GetString("email")));
        await client.FetchAsync("/api/users?role=Owner").ExpectAsync(HttpStatusCode.BadRequest);
        await client.FetchAsync("/api/users/nobody").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory, InlineData("sqlite")]
    public async Task A_participant_is_forbidden_every_users_endpoint(string provider)
    {
        var app = await apps.For(provider);
        var user = await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var mails = await app.QueryAsync(db => db.OutboxMessages.CountAsync(Ct)); // the class shares its host

        var responses = new[]
        {
            await participant.FetchAsync("/api/users"),
            await participant.FetchAsync($"/api/users/{user.Id}"),
            await participant.PostJsonAsync("/api/users", """{"email": "new@example.org", "role": "Administrator"}"""),
            await participant.SendAsync(Put($"/api/users/{user.Id}/roles", """{"roles": ["Administrator"]}"""), Ct),
            await participant.SendAsync(Put($"/api/users/{user.Id}/organizations", """{"organizations": ["mobile-zhengzhou"]}"""), Ct),
            await participant.PostJsonAsync($"/api/users/{user.Id}/unlock", null),
            await participant.PostJsonAsync($"/api/users/{user.Id}/invitation", null),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(mails, await app.QueryAsync(db => db.OutboxMessages.CountAsync(Ct)));
    }

    [Theory, InlineData("sqlite")]
    public async Task Unlocking_ends_a_lockout_and_a_new_invitation_can_be_sent(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var user = await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, "unicom-kaifeng");
        var anonymous = app.CreateAnonymousClient();
        for (var i = 0; i < 5; i++)
            await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "kaifeng.unicom@example.org", password = "wrong-password-1" }, Ct);
        Assert.True((await client.FetchAsync($"/api/users/{user.Id}").ExpectOkAsync())["isLockedOut"]!.GetValue<bool>());

        var unlocked = await client.PostJsonAsync($"/api/users/{user.Id}/unlock", null).ExpectOkAsync();

        Assert.False(unlocked["isLockedOut"]!.GetValue<bool>());
        Assert.Equal(0, unlocked["accessFailedCount"]!.GetValue<int>());
        await app.CreateClientForAsync("kaifeng.unicom@example.org");
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync($"/api/users/{user.Id}/invitation", null)).StatusCode);
        Assert.Equal("kaifeng.unicom@example.org", (await app.QueryAsync(db => db.OutboxMessages.SingleAsync(m => m.Kind == "invitation" && m.To == "kaifeng.unicom@example.org", Ct))).To);
        Assert.Equal(1, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "user.unlocked" && a.SubjectId == user.Id, Ct)));
    }

    private static Task ImportAsync(HttpClient client) =>
        client.UploadAsync(Spreadsheets.Csv("Id,Name,Operator,City",
            "mobile-zhengzhou,郑州移动,移动,郑州", "unicom-kaifeng,开封联通,联通,开封", "broadcast-xinyang,信阳广电,广电,信阳")).ExpectOkAsync();

    private static HttpRequestMessage Put(string url, string json) =>
        new(HttpMethod.Put, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    [GeneratedRegex(@"Invitation code:\s*(\S+)")]
    private static partial Regex InvitationCode();
}
