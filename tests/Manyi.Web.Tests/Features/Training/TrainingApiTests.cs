using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Training;

public sealed class TrainingApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite")]
    public async Task A_sign_up_past_the_seats_is_wait_listed_and_told_and_moves_up_when_a_seat_frees_and_bad_requests_name_the_field(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, "unicom-kaifeng");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            db.OrganizationContacts.AddRange(
                new OrganizationContactRecord { OrganizationId = "mobile-zhengzhou", Name = "张三", Email = "zhang@example.org" },
                new OrganizationContactRecord { OrganizationId = "unicom-kaifeng", Name = "王五", Email = "wang@example.org" });
            await db.SaveChangesAsync(Ct);
        }
        // The 2025 settings moved to 2099 (no deadline has passed), with two seats: one sign-up of two fills them.
        var json = await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct);
        var settings = JsonNode.Parse(json.Replace("2025-", "2099-", StringComparison.Ordinal))!.AsObject();
        settings["campaign"]!["year"] = 2099;
        settings["campaign"]!["training"]!["sessions"]![0]!["capacity"] = 2;
        settings["organizations"] = new JsonArray("mobile-zhengzhou", "unicom-kaifeng");
        var admin = app.CreateClient();
        await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync())["items"]!.AsArray());
        await Complete(admin, notice!["id"]!.GetValue<string>(), "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2099〕6号" });

        foreach (var (user, first) in new[] { ("zhengzhou.mobile@example.org", true), ("kaifeng.unicom@example.org", false) })
        {
            var participant = await app.CreateClientForAsync(user);
            var names = new JsonArray(new JsonObject { ["name"] = "学员1" }, new JsonObject { ["name"] = "学员2" });
            await Complete(participant, await TaskAsync(participant, "headcount"), "Submitted", new JsonObject { ["trainees"] = 2, ["names"] = names });
            await Complete(participant, await TaskAsync(participant, "signup"), "SignedUp", new JsonObject { ["attendees"] = 2, ["feeAccepted"] = true });
            if (first) Assert.Equal(["mobile-zhengzhou Confirmed 0"], SignUps(await admin.FetchAsync("/api/campaigns/2099/training").ExpectOkAsync()));
        }
        var seats = await admin.FetchAsync("/api/campaigns/2099/training").ExpectOkAsync();
        var session = seats["sessions"]![0]!;
        Assert.Equal("第一期培训班", session["zh"]!.GetValue<string>());
        Assert.Equal([2, 2, 0, 2], new[] { "capacity", "taken", "left", "waiting" }.Select(k => session[k]!.GetValue<int>()));
        Assert.Equal(["mobile-zhengzhou Confirmed 0", "unicom-kaifeng WaitListed 1"], SignUps(seats));
        Assert.Contains("列入候补名单第 1 位", await LastNoticeAsync(app, "unicom-kaifeng"), StringComparison.Ordinal);

        // Bad requests name what is wrong and change nothing.
        var bad = await admin.PostJsonAsync("/api/campaigns/2099/training/sessions/9/offer", "{}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["sessionId"]);
        bad = await admin.PostJsonAsync("/api/campaigns/2099/training/sessions/1/offer?from=1", "{}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["from"]);
        await admin.PostJsonAsync("/api/campaigns/2099/training/sign-ups/nowhere/withdraw", "{}").ExpectAsync(HttpStatusCode.NotFound);
        await admin.FetchAsync("/api/campaigns/1999/training").ExpectAsync(HttpStatusCode.NotFound);
        var participantClient = await app.CreateClientForAsync("kaifeng.unicom@example.org");
        await participantClient.FetchAsync("/api/campaigns/2099/training").ExpectAsync(HttpStatusCode.Forbidden);
        await participantClient.PostJsonAsync("/api/campaigns/2099/training/sign-ups/mobile-zhengzhou/withdraw", "{}").ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal(SignUps(seats), SignUps(await admin.FetchAsync("/api/campaigns/2099/training").ExpectOkAsync()));

        // 郑州移动 cancels: 开封联通 moves up and gets its invitation; 郑州移动 is told its sign-up is withdrawn.
        seats = await admin.PostJsonAsync("/api/campaigns/2099/training/sign-ups/mobile-zhengzhou/withdraw", "{}").ExpectOkAsync();
        Assert.Equal(["unicom-kaifeng Confirmed 0"], SignUps(seats));
        Assert.Contains("名额已确认", await LastNoticeAsync(app, "unicom-kaifeng"), StringComparison.Ordinal);
        Assert.Contains("培训报名已退出", await LastNoticeAsync(app, "mobile-zhengzhou"), StringComparison.Ordinal);
    }

    private static List<string> SignUps(JsonNode seats) =>
        [.. seats["sessions"]![0]!["signUps"]!.AsArray().Select(u => $"{u!["organizationId"]} {u["status"]} {u["place"]}")];

    private static async Task<string> LastNoticeAsync(ManyiApp app, string organization)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var instance = await db.WorkflowInstances.Where(i => i.DefinitionId == "participant" && i.CorrelationId == organization).Select(i => i.Id).SingleAsync(Ct);
        var bodies = await db.OutboxMessages.AsNoTracking().Where(m => m.InstanceId == instance && m.Kind == "notice").OrderBy(m => m.Id)
            .Select(m => m.TextBody).ToListAsync(Ct);
        return bodies.Count == 0 ? "" : bodies[^1];
    }

    private static async Task<string> TaskAsync(HttpClient client, string stage) =>
        Assert.Single((await client.FetchAsync($"/api/tasks?stage={stage}").ExpectOkAsync())["items"]!.AsArray())!["id"]!.GetValue<string>();

    private static async Task Complete(HttpClient client, string task, string outcome, JsonObject data) =>
        await client.PostJsonAsync($"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString()).ExpectOkAsync();
}
