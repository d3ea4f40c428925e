using System.Net;
using System.Text.Json.Nodes;
using Ical.Net;
using Manyi.Campaign;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Timeline;
using Manyi.Web.Tests.Campaign;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Timeline;

public sealed class TimelineApiTests
{
    private const string Zhengzhou = "mobile-zhengzhou";
    private const string Kaifeng = "unicom-kaifeng";
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>
    /// The repository's workflows and the 2025 settings moved to 2099 (so nothing is due yet), two organizations: the
    /// notice published, 郑州移动 has reported its headcount; both now have the training sign-up open.
    /// </summary>
    private static async Task<(ManyiApp App, HttpClient Zhengzhou, HttpClient Kaifeng, ManyiUser User)> StartAsync(string provider)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        var user = await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, Kaifeng);
        var json = await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), TestContext.Current.CancellationToken);
        var settings = JsonNode.Parse(json.Replace("2025-", "2099-", StringComparison.Ordinal))!.AsObject();
        settings["campaign"]!["year"] = 2099;
        var admin = app.CreateClient();
        await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items")).GetString("id");
        await admin.PostJsonAsync($"/api/tasks/{notice}/complete", """{"outcome": "Published", "data": {"documentNumber": "豫通行协〔2099〕6号"}}""").ExpectOkAsync();

        var zhengzhou = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var headcount = Assert.Single((await zhengzhou.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync()).GetArray("items")).GetString("id");
        await zhengzhou.PostJsonAsync($"/api/tasks/{headcount}/complete",
            """{"outcome": "Submitted", "data": {"trainees": 2, "names": [{"name": "学员一"}, {"name": "学员二"}]}}""").ExpectOkAsync();
        return (app, zhengzhou, await app.CreateClientForAsync("kaifeng.unicom@example.org"), user);
    }

    private static JsonNode Stage(JsonNode timeline, string stage) =>
        timeline.GetArray("stages").Single(s => s.GetString("stage") == stage)!;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_timeline_says_what_is_done_current_and_upcoming_and_only_to_the_organizations_participants(string provider)
    {
        var (app, zhengzhou, kaifeng, _) = await StartAsync(provider);
        await using var _ = app;

        var timeline = await zhengzhou.FetchAsync($"/api/organizations/{Zhengzhou}/timeline").ExpectOkAsync();

        Assert.Equal(2099, timeline["year"]!.GetValue<int>());
        Assert.Equal(["notice", "headcount", "signup", "certificate", "survey", "conditions", "submission", "completeness", "review", "publication"],
            timeline.GetArray("stages").Select(s => s.GetString("stage")));
        Assert.Equal(["Done", "Done", "Current", "Upcoming", "Upcoming", "Upcoming", "Upcoming", "Upcoming", "Upcoming", "Upcoming"],
            timeline.GetArray("stages").Select(s => s.GetString("status")));
        Assert.NotNull(Stage(timeline, "headcount")["completedAt"]);
        var signup = Stage(timeline, "signup");
        Assert.Equal(new DateTimeOffset(2099, 5, 7, 18, 0, 0, Beijing), signup["dueAt"]!.GetValue<DateTimeOffset>());
        var openSignup = Assert.Single((await zhengzhou.FetchAsync("/api/tasks?stage=signup").ExpectOkAsync()).GetArray("items")).GetString("id");
        Assert.Equal(openSignup, signup.GetString("taskId"));
        Assert.Equal(new DateTimeOffset(2099, 6, 30, 18, 0, 0, Beijing), Stage(timeline, "certificate")["plannedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2099, 9, 11, 0, 0, 0, Beijing), Stage(timeline, "submission")["plannedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("Reviewers", Stage(timeline, "review").GetString("actor"));
        Assert.Null(Stage(timeline, "certificate")["dueAt"]);

        // 开封联通 has not reported: its headcount is the current stage.
        var theirs = await kaifeng.FetchAsync($"/api/organizations/{Kaifeng}/timeline").ExpectOkAsync();
        Assert.Equal(["Done", "Current", "Upcoming"], theirs.GetArray("stages").Take(3).Select(s => s.GetString("status")));

        // Another organization's participant learns nothing, not even that it exists; an administrator sees any.
        await kaifeng.FetchAsync($"/api/organizations/{Zhengzhou}/timeline").ExpectAsync(HttpStatusCode.NotFound);
        await zhengzhou.FetchAsync("/api/organizations/no-such-org/timeline").ExpectAsync(HttpStatusCode.NotFound);
        await app.CreateClient().FetchAsync($"/api/organizations/{Zhengzhou}/timeline").ExpectOkAsync();
        await app.CreateClient().FetchAsync("/api/organizations/no-such-org/timeline").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().FetchAsync($"/api/organizations/{Zhengzhou}/timeline")).StatusCode);
    }

    [Theory, InlineData("sqlite")]
    public async Task An_organization_in_no_campaign_has_an_empty_timeline(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        var zhengzhou = await app.CreateClientForAsync("zhengzhou.mobile@example.org");

        var timeline = await zhengzhou.FetchAsync($"/api/organizations/{Zhengzhou}/timeline").ExpectOkAsync();

        Assert.Null(timeline["year"]);
        Assert.Empty(timeline.GetArray("stages"));
    }

    [Theory, InlineData("sqlite")]
    public async Task The_calendar_feed_has_the_deadlines_in_Shanghai_time_and_a_password_change_revokes_its_address(string provider)
    {
        var (app, zhengzhou, _, user) = await StartAsync(provider);
        await using var _ = app;
        var anonymous = app.CreateAnonymousClient();
        var path = await PathAsync(app, user.Id);
        Assert.Matches("^/calendar/[A-Za-z0-9_-]{40,}\\.ics$", path);
        Assert.DoesNotContain(user.Id, path, StringComparison.Ordinal);

        var response = await anonymous.FetchAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.ContentType()?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("BEGIN:VTIMEZONE", text, StringComparison.Ordinal);
        var calendar = Calendar.Load(text)!;
        var events = calendar.Events.OrderBy(e => e.DtEnd!.AsUtc).ToList();
        // The open sign-up's deadline, then the seven stages still to come; nothing for the notice and the headcount, which are done.
        Assert.Equal(8, events.Count);
        var signup = events[0];
        Assert.Contains("培训报名", signup.Summary, StringComparison.Ordinal);
        Assert.Equal("Asia/Shanghai", signup.DtEnd!.TzId);
        Assert.Equal(new DateTime(2099, 5, 7, 18, 0, 0), signup.DtEnd.Value);
        Assert.Equal(new DateTimeOffset(2099, 5, 7, 18, 0, 0, Beijing).UtcDateTime, signup.DtEnd.AsUtc);
        var openSignup = Assert.Single((await zhengzhou.FetchAsync("/api/tasks?stage=signup").ExpectOkAsync()).GetArray("items")).GetString("id");
        Assert.EndsWith($"/tasks/{openSignup}", signup.Url!.ToString(), StringComparison.Ordinal);
        Assert.Equal($"manyi-2099-{Zhengzhou}-signup@manyi", signup.Uid);
        Assert.Contains("培训合格证书", events[1].Summary, StringComparison.Ordinal);
        Assert.Equal(new DateTime(2099, 6, 30, 18, 0, 0), events[1].DtEnd!.Value);
        Assert.Contains("评级结果发布", events[^1].Summary, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("Asia/Shanghai", e.DtStart!.TzId));

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync("/calendar/not-a-token.ics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync(path.Replace(".ics", "x.ics", StringComparison.Ordinal))).StatusCode);

        await zhengzhou.PostJsonAsync("/api/auth/manage/info", """{"oldPassword": "user-pass-2025", "newPassword": "changed-pass-2099"}""").ExpectOkAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync(path)).StatusCode);
        var renewed = await PathAsync(app, user.Id);
        Assert.NotEqual(path, renewed);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.FetchAsync(renewed)).StatusCode);
    }

    private static async Task<string> PathAsync(ManyiApp app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await CalendarFeed.PathForAsync(scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>(),
            scope.ServiceProvider.GetRequiredService<UserManager<ManyiUser>>(), userId);
    }
}

public sealed class CampaignStagesTests
{
    [Fact]
    public void Every_stage_maps_to_a_task_activity_of_its_shipped_workflow_and_to_a_setting_of_the_campaign()
    {
        var tasks = new[] { (StageWorkflow.Participant, "workflows/participant.json"), (StageWorkflow.Campaign, "workflows/campaign.json") }
            .SelectMany(w => JsonNode.Parse(File.ReadAllText(CampaignSimulation.RepositoryFile(w.Item2)))!["root"]!["activities"]!.AsArray()
                .Where(a => a!["type"]!.GetValue<string>() == "Manyi.UserTask")
                .Select(a => (Workflow: w.Item1, Id: a!["id"]!.GetValue<string>(), Stage: a["stage"]!["expression"]!["value"]!.GetValue<string>())))
            .ToList();
        var campaign = JsonNode.Parse(File.ReadAllText(CampaignSimulation.RepositoryFile("campaigns/2025.json")))!["campaign"];

        Assert.All(CampaignStages.WithTask, s => Assert.Contains((s.Workflow, s.ActivityId!, s.Id), tasks));
        Assert.All(CampaignStages.All, s => Assert.NotNull(s.SettingIn(campaign)));
        // Every task stage of the shipped workflows has its names in the catalogue.
        Assert.All(tasks, t => Assert.NotNull(CampaignStages.Find(t.Stage)));
        Assert.Equal(CampaignStages.All.Count, CampaignStages.All.Select(s => s.Zh).Distinct().Count());
        Assert.Equal(CampaignStages.All.Count, CampaignStages.All.Select(s => s.En).Distinct().Count());
    }
}
