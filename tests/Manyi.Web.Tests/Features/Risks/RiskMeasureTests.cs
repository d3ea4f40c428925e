using Manyi.Web.Features.Risks;

namespace Manyi.Web.Tests.Features.Risks;

/// <summary>
/// How well the risk rule foresees lateness: two campaign years replayed (<see cref="RiskReplay"/>) with organizations of
/// seeded habits (<see cref="HabitCast"/>), the risk list read 3 working days before each deadline. Of the tasks that end
/// late, issue 20 asks that at least 80 % were rated 高 then, and that at most 30 % of the tasks rated 高 end on time.
/// Every task with a deadline counts; one that opens after its look (the sign-up, once the headcount is done; the package,
/// once the conditions are) is rated as the list rated its organization then.
/// The second target is met (28 % with both seeds). The first is not (66 % and 59 %), and cannot be with what the app
/// knows: every late task with nothing done 3 working days ahead is rated 高; the misses are the last-minute
/// organizations' late tasks, which have a draft saved like their on-time ones, the same reminders and the same history
/// (their lateness is drawn apart from anything before the deadline). The report's bound says so: no rule reading the
/// same facts, even one fitted to these very outcomes, rates 80 % of the late tasks 高 with at most 30 % on time except
/// by splitting a group of tasks with equal facts at random (85 % and 81 % then; whole groups, 74 % and 72 %, and the
/// groups fitted on one seed give 56–61 % on the other). The test holds the rule to the on-time target and to what it
/// reaches, so that a change of weights cannot lose it unnoticed.
/// </summary>
public sealed class RiskMeasureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(11), InlineData(29)]
    public async Task Three_working_days_ahead_the_rule_rates_most_late_tasks_high_and_few_on_time_ones(int seed)
    {
        var tally = await new RiskReplay(new RiskRule(), seed).RunAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(tally.Report());

        Assert.True(tally.Late >= 10, $"The replay must have late tasks to measure: {tally.Report()}");
        Assert.Equal([2025, 2026], tally.Outcomes.Where(o => o.Late).Select(o => o.Year).Distinct().Order());
        Assert.True(tally.HighOnTimeShare <= 0.30, $"Tasks rated 高 that ended on time: {tally.HighOnTimeShare:P0}, target ≤ 30 %.{Environment.NewLine}{tally.Report()}");
        Assert.True(tally.LateFlaggedShare >= 0.55,
            $"Late tasks rated 高 3 working days ahead: {tally.LateFlaggedShare:P0}, reached 59 % and 66 % (target 80 %).{Environment.NewLine}{tally.Report()}");
        // What the rule misses is what it cannot see: a late task with nothing done at the look is never missed.
        Assert.All(tally.Outcomes.Where(o => o.Late && !o.FlaggedHigh), o => Assert.True(o.Facts is { HasProgress: true }, tally.Report()));
    }
}
