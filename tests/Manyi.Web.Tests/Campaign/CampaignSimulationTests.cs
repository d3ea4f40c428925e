using Manyi.Campaign;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Campaign;

/// <summary>
/// The full year, 2025-04-21 to 2025-12-31, for all 58 organizations on a fake clock; run twice, on SQLite and on
/// PostgreSQL, which must agree to the last e-mail.
/// </summary>
public sealed class CampaignSimulationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_2025_campaign_runs_from_notice_to_published_ratings_and_a_second_run_gives_the_same_results()
    {
        var (first, script) = await RunAsync("sqlite");
        var (second, _) = await RunAsync("postgres");
        Assert.Equal(first.ToJson(), second.ToJson());

        Assert.Equal("Finished", first.CampaignStatus);
        var expectedResults = script.Organizations.ToDictionary(o => o, o =>
            script.NoCertificate.Contains(o) ? "Finished NoCertificate"
            : o == script.BelowIndex ? "Finished NotEligible"
            : o == script.TooLate ? "Finished Late"
            : o == script.NoSignup ? "Finished SignupClosed"
            : o == script.Withdraws ? "Finished Withdrawn"
            : o == script.NoSeat ? "Finished NoSeat"
            : $"Finished Reviewed {script.Rating(o)}");
        Assert.Equal(expectedResults, first.Organizations);

        // Every e-mail, by kind and organization (what reached the organization's contact).
        var expectedEmails = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Add(string kind, string organization, int count) => expectedEmails[$"{kind} {organization}"] = expectedEmails.GetValueOrDefault($"{kind} {organization}") + count;
        foreach (var o in script.Organizations)
        {
            Add("notice", o, 2);        // the notice, the training invitation (or, for the one that missed the sign-up, its close)
            Add("rating", o, 1);        // the published result
        }
        Add("reminder", script.NoSignup, 3);         // sign-up: 29 April and 6 May (3 and 1 working days before 7 May), 7 May, 09:00
        foreach (var o in script.WaitList)
            Add("notice", o, 1);                     // told it is wait-listed, and its place (then its invitation, or no seat)
        Add("notice", script.Withdraws, 1);          // told its sign-up is withdrawn
        Add("notice", script.NoCertificate[0], 1);   // told it cannot go on
        Add("notice", script.BelowIndex, 1);         // told why it is not eligible, and what next
        Add("notice", script.TooLate, 1);            // told its package came too late
        Add("notice", script.Returned, 1);           // told what is missing
        foreach (var o in script.LateHeadcount)
        {
            Add("reminder", o, 3);      // 27 April (a working Sunday), 29 April and the deadline's day 30 April, 09:00
            Add("overdue", o, 1);       // 6 May 09:00, the first working day after the May holiday
        }
        // Submission, due 11 September 00:00, i.e. on 10 September (24:00): 7, 3 and 1 working days before it, and on it.
        Add("reminder", script.LastSecond, 4);       // 1, 5, 9 and 10 September, 09:00
        Add("reminder", script.TooLate, 4);
        Add("reminder", script.Returned, 1);         // 1 September 09:00: its returned package comes back at 10:00
        // Named by kind and organization, so that a failure says which count differs.
        Assert.Empty(expectedEmails.Keys.Union(first.Emails.Keys).Order(StringComparer.Ordinal)
            .Where(k => expectedEmails.GetValueOrDefault(k) != first.Emails.GetValueOrDefault(k))
            .Select(k => $"{k}: expected {expectedEmails.GetValueOrDefault(k)}, sent {first.Emails.GetValueOrDefault(k)}"));

        var expectedRatings = script.Organizations
            .Where(o => expectedResults[o].StartsWith("Finished Reviewed", StringComparison.Ordinal) && script.Rating(o) != "NotRated")
            .Select(o => $"{o} {script.Rating(o)}").ToList();
        Assert.Equal(expectedRatings, first.Ratings);
    }

    private static async Task<(CampaignSimulation.Outcome, CampaignScript)> RunAsync(string provider)
    {
        var (app, clock) = await CampaignSimulation.StartAppAsync(provider);
        await using var _ = app;
        List<string> organizations;
        await using (var scope = app.Services.CreateAsyncScope())
            organizations = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Organizations.Select(o => o.Id).ToListAsync(Ct);
        var script = new CampaignScript(organizations);
        var outcome = await new CampaignSimulation(app, clock, script).RunAsync();

        // The boundary of the index: 81.0 goes on, 80.9 stops with the reason recorded.
        var admin = app.CreateClient();
        var instances = await admin.FetchAsync($"/api/workflow-instances?definitionId=participant&correlationId={script.BelowIndex}").ExpectOkAsync();
        var below = await admin.GetInstanceAsync(Assert.Single(instances.GetArray("items")).GetString("id"));
        Assert.Contains("80.9", below["variables"]!["reasons"]!.ToJsonString(), StringComparison.Ordinal);

        // Returned once, resubmitted, then complete: the return branch ran once, and not again after Complete.
        var returnedInstances = await admin.FetchAsync($"/api/workflow-instances?definitionId=participant&correlationId={script.Returned}").ExpectOkAsync();
        var returnedId = Assert.Single(returnedInstances.GetArray("items")).GetString("id");
        var returned = await admin.GetInstanceAsync(returnedId);
        Assert.Equal(1, returned["variables"]!["returns"]!.GetValue<int>());
        List<string> journal;
        await using (var scope = app.Services.CreateAsyncScope())
            journal = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().JournalEntries
                .Where(j => j.InstanceId == returnedId && j.Event == "Executed").OrderBy(j => j.Sequence)
                .Select(j => j.ActivityId + " " + j.Outcomes).ToListAsync(Ct);
        var checks = journal.Where(j => j.StartsWith("completeness ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, checks.Count);
        Assert.Contains("Returned", checks[0], StringComparison.Ordinal);
        Assert.Contains("Complete", checks[1], StringComparison.Ordinal);
        var afterComplete = journal.Skip(journal.LastIndexOf(checks[1]) + 1).Select(j => j.Split(' ')[0]).ToList();
        Assert.Equal(["review", "keep-rating", "keep-notes", "rated"], afterComplete);

        // The association's live headcount summary and its export.
        var headcount = await admin.FetchAsync("/api/campaigns/2025/headcount").ExpectOkAsync();
        Assert.Equal(58, headcount["reported"]!.GetValue<int>());
        Assert.Equal(116, headcount["trainees"]!.GetValue<int>());
        Assert.Equal(116 * 3600m, headcount["totalFee"]!.GetValue<decimal>());
        var export = await admin.FetchAsync("/api/campaigns/2025/headcount/export");
        var workbook = await export.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal("PK"u8.ToArray(), workbook[..2]);
        // For people: the stage by its catalogue name, statuses in words, never a code.
        Assert.Equal(["2025 " + CampaignStages.Headcount.Zh], MiniExcelLibs.MiniExcel.GetSheetNames(new MemoryStream(workbook)));
        var statuses = MiniExcelLibs.MiniExcel.Query(new MemoryStream(workbook), useHeaderRow: true).Select(r => (string)((IDictionary<string, object?>)r)["状态 Status"]!).ToList();
        Assert.All(statuses, s => Assert.Equal("已完成 Completed", s));
        // The "returned" e-mail names what is missing by its label, never by the field's id.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var noticesToReturned = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
                .Where(m => m.Kind == "notice" && m.To.Contains($"contact.{script.Returned}@example.org")).Select(m => m.TextBody).ToListAsync(Ct);
            var body = Assert.Single(noticesToReturned, b => b.Contains("请补充以下材料", StringComparison.Ordinal));
            Assert.Contains("请补充以下材料后在截止时间前重新报送：实践报告。", body, StringComparison.Ordinal);
            Assert.Contains("resubmit before the deadline: Practice report.", body, StringComparison.Ordinal);
            Assert.DoesNotContain("practiceReport", body, StringComparison.Ordinal);

            // The training invitation carries the notice's practical facts, from the year's settings.
            var invitation = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
                .Where(m => m.Kind == "notice" && m.To.Contains($"contact.{script.Returned}@example.org") && m.TextBody.Contains("培训于"))
                .Select(m => m.TextBody).SingleAsync(Ct);
            foreach (var fact in new[] { "14:00至20:00", "不设接站", "3600 元/人，报到时缴纳，可使用银行卡、支付宝、微信支付", "增值税专用发票", "住宿费由学员自理", "酒店前台电话：0531-89002999", "联系人：中国通信企业协会 崔明涵，18701061551", "no pick-up at the station" })
                Assert.Contains(fact, invitation, StringComparison.Ordinal);

            // Seats: the wait-listed are told their place; the one moved into the second session is invited to it; the last
            // on the wait-list is told it has no seat this year.
            async Task<List<string>> NoticesTo(string organization) => await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages
                .AsNoTracking().Where(m => m.Kind == "notice" && m.To.Contains($"contact.{organization}@example.org")).Select(m => m.TextBody).ToListAsync(Ct);
            Assert.Single(await NoticesTo(script.WaitList[1]), b => b.Contains("列入候补名单第 2 位", StringComparison.Ordinal)
                && b.Contains("number 2 on the wait-list", StringComparison.Ordinal));
            var secondInvitation = Assert.Single(await NoticesTo(script.SecondSession[0]), b => b.Contains("培训于", StringComparison.Ordinal));
            Assert.Contains("第二期培训班名额已确认", secondInvitation, StringComparison.Ordinal);
            Assert.Contains("郑州某培训中心（示例）", secondInvitation, StringComparison.Ordinal);
            Assert.Contains("2025年6月18日", secondInvitation, StringComparison.Ordinal);
            Assert.Single(await NoticesTo(script.NoSeat), b => b.Contains("本年度未能安排培训", StringComparison.Ordinal));
            Assert.DoesNotContain(await NoticesTo(script.NoSeat), b => b.Contains("培训于", StringComparison.Ordinal));

            // The sign-up's close is told to the organization and, in copy, to the secretariat.
            var closedCopies = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
                .Where(m => m.To.Contains("secretariat@example.org") && m.TextBody.Contains("培训报名已于")).Select(m => m.TextBody).ToListAsync(Ct);
            Assert.Single(closedCopies);

            // The organization found not eligible is told why (its index) and what next.
            var notEligible = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
                .Where(m => m.Kind == "notice" && m.To.Contains($"contact.{script.BelowIndex}@example.org") && m.TextBody.Contains("不符合参评条件"))
                .Select(m => m.TextBody).SingleAsync(Ct);
            Assert.Contains("80.9", notEligible, StringComparison.Ordinal);
            Assert.Contains("本年度的申报到此结束", notEligible, StringComparison.Ordinal);
        }
        return (outcome, script);
    }
}
