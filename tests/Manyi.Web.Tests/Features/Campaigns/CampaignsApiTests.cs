using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;

namespace Manyi.Web.Tests.Features.Campaigns;

public sealed class CampaignsApiTests
{
    private static async Task<(ManyiApp App, HttpClient Admin, JsonObject Settings)> StartAsync(string provider)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, "unicom-kaifeng");
        // The 2025 settings moved to 2099, so that no deadline has passed at once.
        var json = await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), TestContext.Current.CancellationToken);
        var settings = JsonNode.Parse(json.Replace("2025-", "2099-", StringComparison.Ordinal))!.AsObject();
        settings["campaign"]!["year"] = 2099;
        return (app, app.CreateClient(), settings);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_new_year_starts_from_the_last_ones_settings_with_every_date_a_year_on_and_the_old_year_stays_as_it_was(string provider)
    {
        var (app, admin, settings) = await StartAsync(provider);
        await using var _ = app;
        var year = await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        Assert.Equal("campaign-2099", year.GetString("correlationId"));
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng"], year["input"]!["organizations"]!.AsArray().Select(o => o!.GetValue<string>()));
        var before = (await admin.GetInstanceAsync(year.GetString("id"))).ToJsonString();

        await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectAsync(HttpStatusCode.Conflict);
        var next = await admin.PostJsonAsync("/api/campaigns/2099/next",
            """{"dates": {"headcountDue": "2100-05-06T18:00:00+08:00"}, "organizations": ["mobile-zhengzhou"]}""").ExpectOkAsync();

        var input = next["input"]!["campaign"]!;
        Assert.Equal("campaign-2100", next.GetString("correlationId"));
        Assert.Equal(2100, input["year"]!.GetValue<int>());
        Assert.Equal("2100-05-06T18:00:00+08:00", input["dates"]!["headcountDue"]!.GetValue<string>());
        Assert.Equal("2100-09-11T00:00:00+08:00", input["dates"]!["submissionDue"]!.GetValue<string>());
        Assert.Equal("2100-05-13T14:00:00+08:00", input["training"]!["sessions"]![0]!["checkIn"]!.GetValue<string>());
        Assert.Equal("2025-10-01", input["surveyNotBefore"]!.GetValue<string>());
        Assert.Equal(3600, input["feePerPerson"]!.GetValue<int>());
        Assert.Equal(["mobile-zhengzhou"], next["input"]!["organizations"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(before, (await admin.GetInstanceAsync(year.GetString("id"))).ToJsonString());
        var campaigns = await admin.FetchAsync("/api/campaigns").ExpectOkAsync();
        Assert.Equal([2100, 2099], campaigns.AsArray().Select(c => c!["year"]!.GetValue<int>()));
    }

    [Theory, InlineData("sqlite")]
    public async Task Bad_settings_name_the_field_and_start_nothing(string provider)
    {
        var (app, admin, settings) = await StartAsync(provider);
        await using var _ = app;

        settings["campaign"]!["dates"]!["headcountDue"] = "30 April";
        settings["organizations"] = new JsonArray("mobile-zhengzhou", "nowhere");
        settings["campaign"]!["training"]!["sessions"]![0]!["capacity"] = 0;
        var bad = await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["campaign.dates.headcountDue"]);
        Assert.Contains("capacity", bad["errors"]!["campaign.training.sessions"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("nowhere", bad["errors"]!["organizations"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await admin.PostJsonAsync("/api/campaigns", """{"organizations": "all"}""").ExpectAsync(HttpStatusCode.BadRequest);
        await admin.PostJsonAsync("/api/campaigns/1999/next", "{}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await admin.FetchAsync("/api/campaigns").ExpectOkAsync()).AsArray());
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        await participant.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_past_year_can_be_rehearsed_from_this_week_with_its_calendar_moved_on_by_whole_weeks(string provider)
    {
        var (app, admin, _) = await StartAsync(provider);
        await using var __ = app;
        var settings = await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), TestContext.Current.CancellationToken);

        var demo = await admin.PostJsonAsync("/api/campaigns?startingNow=true", settings).ExpectOkAsync();

        var dates = demo["input"]!["campaign"]!["dates"]!;
        var notice = DateTimeOffset.Parse(dates["noticeIssued"]!.GetValue<string>());
        var headcount = DateTimeOffset.Parse(dates["headcountDue"]!.GetValue<string>());
        Assert.InRange(notice, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7));
        Assert.Equal(DayOfWeek.Monday, notice.DayOfWeek);
        Assert.Equal(TimeSpan.FromDays(9) + TimeSpan.FromHours(9), headcount - notice);
        Assert.Equal(2025, demo["input"]!["campaign"]!["year"]!.GetValue<int>());
    }
}
