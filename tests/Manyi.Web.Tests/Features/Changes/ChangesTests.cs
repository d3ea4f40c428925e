using System.Net;
using System.Text.Json.Nodes;
using Manyi.Web.Tests.Campaign;
using Manyi.Web.Tests.Features.Dashboard;

namespace Manyi.Web.Tests.Features.Changes;

public sealed class ChangesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Q(string instant) => Uri.EscapeDataString(instant);

    private static Dictionary<string, int> Completed(JsonNode changes) =>
        changes.GetArray("completed").ToDictionary(s => s.GetString("stage"), s => s!["count"]!.GetValue<int>());

    private static int Int(JsonNode changes, string name) => changes[name]!.GetValue<int>();

    /// <summary>
    /// The dashboard scenario (notice published 21 April 08:00; 22 April 10:00: 郑州移动 reported and signed up, 开封联通
    /// reported; 洛阳电信's headcount report due 30 April 18:00 left open). What changed between two instants is counted,
    /// what happened before them is not; by default the window starts at the same time on the previous working day
    /// (the May holiday skipped); each count is what the list it links to finds; a participant gets 403.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task What_changed_counts_completions_overdue_tasks_uploads_and_reminders_since_an_instant(string provider)
    {
        var scenario = await DashboardScenario.StartAsync(provider);
        await using var _ = scenario.App;
        var admin = scenario.Admin;

        // 1 May: since 22 April 09:00 — the three completions of the 22nd and 洛阳电信's deadline passing; not the notice of the 21st.
        var wide = await admin.FetchAsync($"/api/campaigns/2025/changes?since={Q("2025-04-22T09:00:00+08:00")}").ExpectOkAsync();
        Assert.Equal(new Dictionary<string, int> { ["headcount"] = 2, ["signup"] = 1 }, Completed(wide));
        Assert.Equal(["培训人数报送", "培训报名"], wide.GetArray("completed").Select(s => s.GetString("zh")));
        Assert.Equal((1, 0, 0, false), (Int(wide, "becameOverdue"), Int(wide, "filesUploaded"), wide.GetArray("emails").Count, wide["quiet"]!.GetValue<bool>()));

        // Since 22 April 10:30: the completions are older; the deadline of the 30th is not.
        var later = await admin.FetchAsync($"/api/campaigns/2025/changes?since={Q("2025-04-22T10:30:00+08:00")}").ExpectOkAsync();
        Assert.Empty(later.GetArray("completed"));
        Assert.Equal(1, Int(later, "becameOverdue"));

        // Tuesday 6 May 09:30, the first working day after the holiday: the window starts on Wednesday 30 April at 09:30.
        scenario.Clock.SetUtcNow(CampaignSimulation.At("2025-05-06T09:30:00").ToUniversalTime());
        var morning = await admin.FetchAsync("/api/campaigns/2025/changes").ExpectOkAsync();
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T09:30:00+08:00"), morning["since"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, Int(morning, "becameOverdue"));
        Assert.Empty(morning.GetArray("completed"));

        // Wednesday: 开封联通 is reminded, uploads a file and signs up; 洛阳电信's late report comes in too.
        scenario.Clock.SetUtcNow(CampaignSimulation.At("2025-05-07T09:00:00").ToUniversalTime());
        var unicom = await scenario.App.CreateClientForAsync($"participant.{DashboardScenario.Unicom}@example.org");
        var signup = await DashboardScenario.TaskOfAsync(unicom, "signup");
        await admin.PostAsync($"/api/tasks/{signup}/remind", null, Ct).ExpectOkAsync();
        scenario.Clock.Advance(TimeSpan.FromMinutes(30));
        using (var form = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray()), "file", "名单.pdf" } })
            await unicom.PostAsync($"/api/tasks/{signup}/files", form, Ct).ExpectAsync(HttpStatusCode.Created);
        await DashboardScenario.CompleteAsync(unicom, signup, "SignedUp", new JsonObject { ["attendees"] = 2, ["feeAccepted"] = true });
        var telecom = await scenario.App.CreateClientForAsync($"participant.{DashboardScenario.Telecom}@example.org");
        await DashboardScenario.CompleteAsync(telecom, await DashboardScenario.TaskOfAsync(telecom, "headcount"), "Submitted", DashboardScenario.Headcount(1));

        scenario.Clock.SetUtcNow(CampaignSimulation.At("2025-05-07T10:00:00").ToUniversalTime());
        var today = await admin.FetchAsync("/api/campaigns/2025/changes").ExpectOkAsync();
        var since = today.GetString("since");
        Assert.Equal(DateTimeOffset.Parse("2025-05-06T10:00:00+08:00"), today["since"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new Dictionary<string, int> { ["headcount"] = 1, ["signup"] = 1 }, Completed(today));
        Assert.Equal((0, 1, 1), (Int(today, "becameOverdue"), Int(today, "filesUploaded"), Int(today, "tasksWithUploads")));
        var reminders = Assert.Single(today.GetArray("emails"));
        Assert.Equal(("reminder", "截止提醒"), (reminders.GetString("kind"), reminders.GetString("zh")));
        Assert.True(Int(reminders!, "count") > 0);

        // Each number is what its list finds.
        async Task<int> TotalAsync(string path) => Int(await admin.FetchAsync(path).ExpectOkAsync(), "totalCount");
        Assert.Equal(1, await TotalAsync($"/api/tasks?all=true&status=Completed&stage=signup&closedSince={Q(since)}"));
        Assert.Equal(1, await TotalAsync($"/api/tasks?all=true&status=Completed&stage=headcount&closedSince={Q(since)}"));
        Assert.Equal(1, await TotalAsync($"/api/tasks?all=true&status=any&uploadedSince={Q(since)}"));
        Assert.Equal(0, await TotalAsync($"/api/tasks?all=true&status=any&overdueSince={Q(since)}"));
        Assert.Equal(1, await TotalAsync($"/api/tasks?all=true&status=any&overdueSince={Q("2025-04-22T10:30:00+08:00")}"));
        Assert.Equal(Int(reminders!, "count"), await TotalAsync($"/api/emails?kind=reminder&channel=email&from={Q(since)}"));

        // A workflow outside the year (a headcount of its own) completes a task too: the lists the panel links to are
        // limited to the year (year=2025), so they still find what the panel counted.
        await admin.DeployAsync(Workflows.HeadcountReport("ad-hoc-headcount", [DashboardScenario.Unicom]));
        await admin.ExecuteAsync("ad-hoc-headcount");
        var adHoc = Assert.Single((await unicom.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync()).GetArray("items")).GetString("id");
        await DashboardScenario.CompleteAsync(unicom, adHoc, "Submitted", []);
        Assert.Equal(2, await TotalAsync($"/api/tasks?all=true&status=Completed&stage=headcount&closedSince={Q(since)}"));
        Assert.Equal(1, await TotalAsync($"/api/tasks?all=true&status=Completed&stage=headcount&closedSince={Q(since)}&year=2025"));
        Assert.Equal(0, await TotalAsync($"/api/tasks?all=true&status=any&closedSince={Q(since)}&year=2031"));
        Assert.Equal(Int(reminders!, "count"), await TotalAsync($"/api/emails?kind=reminder&channel=email&from={Q(since)}&year=2025"));
        Assert.Equal(0, await TotalAsync($"/api/emails?kind=reminder&channel=email&from={Q(since)}&year=2031"));

        // Nothing since now: quiet.
        var quiet = await admin.FetchAsync($"/api/campaigns/2025/changes?since={Q("2025-05-07T10:00:00+08:00")}").ExpectOkAsync();
        Assert.True(quiet["quiet"]!.GetValue<bool>());

        var future = await admin.FetchAsync($"/api/campaigns/2025/changes?since={Q("2025-05-08T10:00:00+08:00")}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(future["errors"]?["since"] is JsonArray, future.ToJsonString());
        var local = await admin.FetchAsync("/api/campaigns/2025/changes?since=2025-05-06T10:00:00").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(local["errors"]?["since"] is JsonArray, local.ToJsonString());
        await admin.FetchAsync("/api/campaigns/2031/changes").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await unicom.GetAsync("/api/campaigns/2025/changes", Ct)).StatusCode);
    }
}
