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
            : $"Finished Reviewed {script.Rating(o)}");
        Assert.Equal(expectedResults, first.Organizations);

        // Every e-mail, by kind and organization (what reached the organization's contact).
        var expectedEmails = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Add(string kind, string organization, int count) => expectedEmails[$"{kind} {organization}"] = expectedEmails.GetValueOrDefault($"{kind} {organization}") + count;
        foreach (var o in script.Organizations)
        {
            Add("notice", o, 2);        // the notice, the training invitation
            Add("rating", o, 1);        // the published result
        }
        Add("notice", script.NoCertificate[0], 1);   // told it cannot go on
        Add("notice", script.Returned, 1);           // told what is missing
        foreach (var o in script.LateHeadcount)
        {
            Add("reminder", o, 2);      // 27 April (a working Sunday) and 29 April, 09:00
            Add("overdue", o, 1);       // 6 May 09:00, the first working day after the May holiday
        }
        Add("reminder", script.LastSecond, 3);       // submission: 4, 8 and 10 September
        Add("reminder", script.TooLate, 3);
        Assert.Equal(expectedEmails, first.Emails);

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
        Assert.Equal("PK"u8.ToArray(), (await export.Content.ReadAsByteArrayAsync(Ct))[..2]);
        return (outcome, script);
    }
}
