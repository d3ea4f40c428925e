using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.Dashboard;

public sealed class DashboardApiTests
{
    private static readonly string[] Stages = ["headcount", "signup", "training", "certificate", "survey", "conditions", "submission", "completeness", "review", "rated"];

    private static Dictionary<string, string> States(JsonNode row) =>
        row.GetArray("stages").ToDictionary(c => c.GetString("stage"), c => c.GetString("state"));

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_figures_follow_the_organizations_tasks_stage_by_stage(string provider)
    {
        var scenario = await DashboardScenario.StartAsync(provider);
        await using var _ = scenario.App;

        var years = await scenario.Admin.FetchAsync("/api/dashboard").ExpectOkAsync();
        Assert.Equal(2025, years["newest"]!.GetValue<int>());
        var figures = await scenario.Admin.FetchAsync("/api/dashboard/2025").ExpectOkAsync();

        Assert.Equal(scenario.CampaignId, figures.GetString("campaignInstanceId"));
        Assert.Equal(Stages, figures.GetArray("funnel").Select(s => s.GetString("stage")));
        var funnel = figures.GetArray("funnel").ToDictionary(s => s.GetString("stage"),
            s => $"reached {s!["reached"]} done {s["done"]} open {s["open"]} overdue {s["overdue"]} notReached {s["notReached"]} ended {s["ended"]}");
        Assert.Equal("reached 3 done 2 open 0 overdue 1 notReached 0 ended 0", funnel["headcount"]);
        Assert.Equal("reached 2 done 1 open 1 overdue 0 notReached 1 ended 0", funnel["signup"]);
        Assert.Equal("reached 1 done 0 open 1 overdue 0 notReached 2 ended 0", funnel["training"]);
        Assert.Equal("reached 0 done 0 open 0 overdue 0 notReached 3 ended 0", funnel["certificate"]); // opens when the training ends
        Assert.Equal("reached 0 done 0 open 0 overdue 0 notReached 3 ended 0", funnel["rated"]);

        var headcount = figures["headcount"]!;
        Assert.Equal([3, 2, 1, 5], new[] { "organizations", "reported", "overdue", "trainees" }.Select(k => headcount[k]!.GetValue<int>()));

        // The grid, in list order (移动, 联通, 电信), each cell with its date.
        var rows = figures["organizations"].GetArray("items");
        Assert.Equal(3, figures["organizations"]!["totalCount"]!.GetValue<int>());
        Assert.Equal([DashboardScenario.Mobile, DashboardScenario.Unicom, DashboardScenario.Telecom], rows.Select(r => r.GetString("organizationId")));
        var mobile = rows[0]!;
        Assert.Equal(3, mobile["trainees"]!.GetValue<int>());
        Assert.Equal("Done", States(mobile)["headcount"]);
        Assert.Equal("3", mobile.GetArray("stages")[0]!.GetString("note"));
        Assert.Equal(DateTimeOffset.Parse("2025-04-22T10:00:00+08:00"), mobile.GetArray("stages")[0]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("Open", States(mobile)["training"]);
        Assert.Equal(DateTimeOffset.Parse("2025-05-16T17:00:00+08:00"), mobile.GetArray("stages")[2]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("NotReached", States(mobile)["certificate"]);
        Assert.Equal("NotReached", States(mobile)["survey"]);
        Assert.Null(mobile["openTaskId"]); // between the sign-up and the end of the training, nothing is asked of it
        var unicom = rows[1]!;
        Assert.Equal(["Done", "Open", "NotReached"], new[] { "headcount", "signup", "training" }.Select(s => States(unicom)[s]));
        var telecom = rows[2]!;
        Assert.Equal("Overdue", States(telecom)["headcount"]);
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T18:00:00+08:00"), telecom.GetArray("stages")[0]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Null(telecom["trainees"]);

        // Overdue: 洛阳电信's headcount report; due within 7 days: 开封联通's sign-up (7 May). 郑州移动's certificates (30 June) are neither.
        var overdue = Assert.Single(figures["overdue"].GetArray("items"));
        Assert.Equal(telecom.GetString("openTaskId"), overdue.GetString("taskId"));
        Assert.Equal("洛阳电信", overdue.GetString("organizationName"));
        var dueSoon = Assert.Single(figures["dueSoon"].GetArray("items"));
        Assert.Equal("signup", dueSoon.GetString("stage"));
        Assert.Equal(DashboardScenario.Unicom, dueSoon.GetString("organizationId"));

        // E-mails of the year: three notices (one failed) and 郑州移动's training invitation, none handed to a server yet.
        var notice = Assert.Single(figures.GetArray("emails"));
        Assert.Equal("notice", notice.GetString("kind"));
        Assert.Equal([0, 3, 1], new[] { "sent", "pending", "failed" }.Select(k => notice![k]!.GetValue<int>()));

        Assert.Equal(["移动", "联通", "电信"], figures.GetArray("operators").Select(o => o!.GetValue<string>()));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_grid_filters_and_pages_on_the_server_and_bad_parameters_are_named(string provider)
    {
        var scenario = await DashboardScenario.StartAsync(provider);
        await using var _ = scenario.App;
        var admin = scenario.Admin;

        async Task<List<string>> IdsAsync(string query) =>
            [.. (await admin.FetchAsync("/api/dashboard/2025?" + query).ExpectOkAsync())["organizations"].GetArray("items").Select(r => r.GetString("organizationId"))];

        Assert.Equal([DashboardScenario.Unicom], await IdsAsync("operator=联通"));
        Assert.Equal([DashboardScenario.Telecom], await IdsAsync("city=洛阳"));
        Assert.Equal([DashboardScenario.Telecom], await IdsAsync("name=洛阳"));
        Assert.Equal([DashboardScenario.Unicom], await IdsAsync("name=KAIFENG"));
        Assert.Equal([DashboardScenario.Telecom], await IdsAsync("stage=headcount&stageStatus=overdue"));
        Assert.Equal([DashboardScenario.Mobile, DashboardScenario.Unicom], await IdsAsync("stage=headcount&stageStatus=Done"));
        Assert.Equal([DashboardScenario.Unicom, DashboardScenario.Telecom], await IdsAsync("stage=training&stageStatus=NotReached"));
        Assert.Empty(await IdsAsync("operator=广电"));

        var second = await admin.FetchAsync("/api/dashboard/2025?pageSize=2&page=2").ExpectOkAsync();
        Assert.Equal(3, second["organizations"]!["totalCount"]!.GetValue<int>());
        Assert.Equal([DashboardScenario.Telecom], second["organizations"].GetArray("items").Select(r => r.GetString("organizationId")));
        // The funnel counts every organization whatever the grid shows.
        Assert.Equal(3, second.GetArray("funnel")[0]!["reached"]!.GetValue<int>());

        foreach (var (query, field) in new[]
                 {
                     ("pageSize=0", "pageSize"), ("pageSize=101", "pageSize"), ("page=0", "page"), ("overduePage=-1", "overduePage"),
                     ("stage=nowhere", "stage"), ("stageStatus=Late", "stageStatus"), ("stage=headcount&stageStatus=3", "stageStatus"),
                 })
        {
            var bad = await admin.FetchAsync("/api/dashboard/2025?" + query).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(bad["errors"]?[field] is JsonArray, $"{query}: {bad.ToJsonString()}");
        }
        await admin.FetchAsync("/api/dashboard/2030").ExpectAsync(HttpStatusCode.NotFound);

        var participant = await scenario.App.CreateClientForAsync($"participant.{DashboardScenario.Mobile}@example.org");
        await participant.FetchAsync("/api/dashboard/2025").ExpectAsync(HttpStatusCode.Forbidden);
        await participant.FetchAsync("/api/dashboard").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory, InlineData("sqlite")]
    public async Task Without_a_campaign_the_years_are_empty(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var years = await app.CreateClient().FetchAsync("/api/dashboard").ExpectOkAsync();
        Assert.Empty(years.GetArray("years"));
        Assert.Null(years["newest"]);
    }
}
