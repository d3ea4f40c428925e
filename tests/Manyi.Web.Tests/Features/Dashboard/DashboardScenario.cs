using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.Web.Tests.Features.Dashboard;

/// <summary>
/// A small scripted 2025 campaign on the repository's workflows and a fake clock: three organizations; on 1 May,
/// 郑州移动 has reported 3 trainees and signed up, 开封联通 has reported 2 and not signed up (due 7 May), 洛阳电信 has
/// not reported (due 30 April: overdue). One notice e-mail is marked failed.
/// </summary>
internal sealed class DashboardScenario
{
    public const string Mobile = "mobile-zhengzhou";
    public const string Unicom = "unicom-kaifeng";
    public const string Telecom = "telecom-luoyang";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public required ManyiApp App { get; init; }
    public required HttpClient Admin { get; init; }
    public required FakeTimeProvider Clock { get; init; }
    public required string CampaignId { get; init; }

    public static async Task<DashboardScenario> StartAsync(string provider)
    {
        var clock = NewClock();
        var app = await ManyiApp.StartAsync(provider);
        Configure(app, clock);
        var admin = app.CreateClient();
        var campaign = await SetUpAsync(app.Services, admin, email => app.CreateClientForAsync(email), clock);
        return new DashboardScenario { App = app, Admin = admin, Clock = clock, CampaignId = campaign };
    }

    /// <summary>The scenario's clock, on the morning the year starts (set the host on it before it starts, <see cref="Configure"/>).</summary>
    public static FakeTimeProvider NewClock() => new(CampaignSimulation.At("2025-04-21T08:00:00").ToUniversalTime());

    /// <summary>The repository's workflows, and timers that fire only when a test makes them.</summary>
    public static void Configure(ManyiApp app, FakeTimeProvider clock)
    {
        app.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        app.RunOnFakeClock(clock);
    }

    /// <summary>
    /// The scenario's year on a started host (the browser tests' too), left on 1 May; returns the campaign's instance id.
    /// <paramref name="alsoLate"/> are more organizations that take part and never report their headcount (overdue too,
    /// as 洛阳电信), each with a contact and a participant.
    /// </summary>
    public static async Task<string> SetUpAsync(IServiceProvider services, HttpClient admin, Func<string, Task<HttpClient>> signIn, FakeTimeProvider clock,
        params (string Id, string Name, string Operator, string City)[] alsoLate)
    {
        (string Id, string Name, string Operator, string City)[] organizations = [(Mobile, "郑州移动", "移动", "郑州"), (Unicom, "开封联通", "联通", "开封"), (Telecom, "洛阳电信", "电信", "洛阳"), .. alsoLate];
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            foreach (var (id, name, op, city) in organizations)
                db.Organizations.Add(new OrganizationRecord
                {
                    Id = id, Name = name, Operator = op, City = city, CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(),
                    Contacts = [new OrganizationContactRecord { OrganizationId = id, Name = "联系人", Email = $"contact.{id}@example.org" }],
                });
            await db.SaveChangesAsync(Ct);
        }
        foreach (var (id, name, _, _) in organizations) await ManyiApp.CreateUserAsync(services, Participant(id), ManyiRoles.Participant, (id, name));

        var settings = JsonNode.Parse(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct))!.AsObject();
        settings["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o.Id)]);
        var campaign = await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items"));
        await CompleteAsync(admin, notice.GetString("id"), "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" });

        clock.SetUtcNow(CampaignSimulation.At("2025-04-22T10:00:00").ToUniversalTime());
        var mobile = await signIn(Participant(Mobile));
        await CompleteAsync(mobile, await TaskOfAsync(mobile, "headcount"), "Submitted", Headcount(3));
        await CompleteAsync(mobile, await TaskOfAsync(mobile, "signup"), "SignedUp", new JsonObject { ["attendees"] = 3, ["feeAccepted"] = true });
        var unicom = await signIn(Participant(Unicom));
        await CompleteAsync(unicom, await TaskOfAsync(unicom, "headcount"), "Submitted", Headcount(2));

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            var telecomNotice = await db.OutboxMessages.SingleAsync(m => m.Kind == "notice" && m.Key.EndsWith(":" + Telecom), Ct);
            telecomNotice.Status = OutboxStatus.Failed;
            telecomNotice.Attempts = 5;
            telecomNotice.LastError = "550 5.1.1 mailbox unavailable";
            await db.SaveChangesAsync(Ct);
        }
        clock.SetUtcNow(CampaignSimulation.At("2025-05-01T10:00:00").ToUniversalTime());
        return campaign.GetString("id");
    }

    public static string Participant(string organization) => $"participant.{organization}@example.org";

    public static JsonObject Headcount(int trainees) => new()
    {
        ["trainees"] = trainees,
        ["names"] = new JsonArray([.. Enumerable.Range(1, trainees).Select(i => (JsonNode)new JsonObject { ["name"] = $"学员{i}", ["position"] = "客服经理" })]),
    };

    public static async Task<string> TaskOfAsync(HttpClient participant, string stage) =>
        Assert.Single((await participant.FetchAsync($"/api/tasks?stage={stage}").ExpectOkAsync()).GetArray("items")).GetString("id");

    public static async Task CompleteAsync(HttpClient client, string task, string outcome, JsonObject data) =>
        await client.PostJsonAsync($"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString()).ExpectOkAsync();
}
