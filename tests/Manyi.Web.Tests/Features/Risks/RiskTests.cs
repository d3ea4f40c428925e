using System.Net;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Features.Risks;
using Manyi.Web.Tests.Campaign;
using Manyi.Web.Tests.Features.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Risks;

public sealed class RiskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1, 0, false, 0, 0, RiskLevel.High, 6)]       // nothing done with 1 working day left
    [InlineData(1, 5, true, 0, 0, RiskLevel.Medium, 3)]      // reminders count at most 2; an upload takes 2 off
    [InlineData(4, 0, true, 1, 1, RiskLevel.Medium, 2)]
    [InlineData(6, 0, false, 0, 0, RiskLevel.Low, 0)]        // nothing done, but 6 working days left
    [InlineData(10, 2, false, 0, 1, RiskLevel.Medium, 3)]
    public void The_rule_adds_its_points_and_names_each_reason(int daysLeft, int reminders, bool progress, int lateThisYear, int lateEarlier,
        RiskLevel level, int points)
    {
        var score = new RiskRule().Score(new RiskFacts(daysLeft, reminders, progress, lateThisYear, lateEarlier));

        Assert.Equal((level, points), (score.Level, score.Points));
        Assert.Equal(points, score.Reasons.Sum(r => r.Points));
        Assert.All(score.Reasons, r => Assert.NotEqual(0, r.Points));
    }

    [Fact]
    public void Weights_that_cannot_work_are_named()
    {
        var problems = new RiskRule { PointsAtOneWorkingDay = -1, HighFrom = 2, MediumFrom = 3 }.Problems().ToList();

        Assert.Contains("Manyi:Risk:PointsAtOneWorkingDay must be from 0 to 100 (-1).", problems);
        Assert.Contains(problems, p => p.StartsWith("Manyi:Risk:MediumFrom must be at least 1 and HighFrom above it", StringComparison.Ordinal));
    }

    /// <summary>
    /// 7 May 2025, 10:00: 开封联通 has not signed up (due today 18:00, one working day left, nothing done) — high (3 + 3); after
    /// two reminders with nothing uploaded — higher, with the reminders as a reason; once it saves a draft — low (3 − 2); had it
    /// been late with its headcount in any way, 2 more. 洛阳电信's headcount is overdue: late already, not scored. A participant
    /// cannot read the list; a year without a campaign is 404.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_year_lists_open_tasks_by_risk_with_reasons_and_reminders_raise_it(string provider)
    {
        var scenario = await DashboardScenario.StartAsync(provider);
        await using var _ = scenario.App;
        scenario.Clock.SetUtcNow(CampaignSimulation.At("2025-05-07T10:00:00").ToUniversalTime());

        var before = await scenario.Admin.FetchAsync("/api/campaigns/2025/risks").ExpectOkAsync();
        var unicom = Assert.Single(before.GetArray("items"), r => r!.GetString("organizationId") == DashboardScenario.Unicom)!;
        Assert.Equal(("signup", "High", 6, 1), (unicom.GetString("stage"), unicom.GetString("level"), unicom["points"]!.GetValue<int>(), unicom["workingDaysLeft"]!.GetValue<int>()));
        Assert.Equal(["距截止还有 1 个工作日", "临近截止仍未开始办理"], unicom.GetArray("reasons").Select(r => r!.GetString("zh")));
        Assert.DoesNotContain(before.GetArray("items"), r => r!.GetString("organizationId") == DashboardScenario.Telecom);
        Assert.Equal(4, before["rule"]!["highFrom"]!.GetValue<int>());

        var task = unicom.GetString("taskId");
        for (var i = 0; i < 2; i++)
        {
            await scenario.Admin.PostAsync($"/api/tasks/{task}/remind", null, Ct).ExpectOkAsync();
            scenario.Clock.Advance(TimeSpan.FromMinutes(30));
        }

        var after = await scenario.Admin.FetchAsync("/api/campaigns/2025/risks").ExpectOkAsync();
        var reminded = after.GetArray("items")[0]!;
        Assert.Equal((DashboardScenario.Unicom, "High", 8), (reminded.GetString("organizationId"), reminded.GetString("level"), reminded["points"]!.GetValue<int>()));
        Assert.Contains(reminded.GetArray("reasons"), r => r!.GetString("zh") == "已提醒 2 次，此后没有进展");

        // The organization starts on the form: a draft after the reminders is progress, and they are answered.
        var participant = await scenario.App.CreateClientForAsync($"participant.{DashboardScenario.Unicom}@example.org");
        await participant.PutAsync($"/api/tasks/{task}/draft", new StringContent("{\"attendees\": 2}", System.Text.Encoding.UTF8, "application/json"), Ct)
            .ExpectOkAsync();
        var drafted = Assert.Single((await scenario.Admin.FetchAsync("/api/campaigns/2025/risks").ExpectOkAsync()).GetArray("items"),
            r => r!.GetString("organizationId") == DashboardScenario.Unicom)!;
        Assert.Equal(("Low", 1), (drafted.GetString("level"), drafted["points"]!.GetValue<int>()));
        Assert.Contains(drafted.GetArray("reasons"), r => r!.GetString("zh") == "已上传材料或保存草稿");

        // Its headcount as if it had been late with it: done after the deadline, closed by the deadline undone, or still open
        // past it (another stage's task) — each is an earlier stage of this year late (+2); done in time is not.
        foreach (var (status, closed, late) in new (HumanTaskStatus, string?, bool)[]
                 {
                     (HumanTaskStatus.Completed, "2025-05-06T09:00:00", true), (HumanTaskStatus.Expired, "2025-04-30T18:00:00", true),
                     (HumanTaskStatus.Open, null, true), (HumanTaskStatus.Completed, "2025-04-22T10:00:00", false),
                 })
        {
            await using (var scope = scenario.App.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
                var headcount = await db.Tasks.SingleAsync(t => t.OrganizationId == DashboardScenario.Unicom && t.Stage == "headcount", Ct);
                (headcount.Status, headcount.ClosedAt) = (status, closed is null ? null : CampaignSimulation.At(closed).ToUniversalTime());
                await db.SaveChangesAsync(Ct);
            }
            var row = Assert.Single((await scenario.Admin.FetchAsync("/api/campaigns/2025/risks").ExpectOkAsync()).GetArray("items"),
                r => r!.GetString("organizationId") == DashboardScenario.Unicom)!;
            Assert.Equal((late ? 3 : 1, late ? 1 : 0), (row["points"]!.GetValue<int>(), row["facts"]!["lateThisYear"]!.GetValue<int>()));
            Assert.Equal(late, row.GetArray("reasons").Any(r => r!.GetString("zh") == "本年度已有 1 个阶段逾期"));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await participant.GetAsync("/api/campaigns/2025/risks", Ct)).StatusCode);
        await scenario.Admin.FetchAsync("/api/campaigns/2031/risks").ExpectAsync(HttpStatusCode.NotFound);
    }
}
