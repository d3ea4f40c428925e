namespace Manyi.Scheduling.Tests;

public sealed class ManyiSchedulingOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_run_a_server_and_the_timer_dispatcher_every_second()
    {
        var options = new ManyiSchedulingOptions();
        options.Validate();
        Assert.True(options.Server);
        Assert.Equal(ManyiSchedulingOptions.WorkersFor(Environment.ProcessorCount), options.WorkerCount);
        Assert.True(options.DispatchTimers);
        Assert.Equal(TimeSpan.FromSeconds(1), options.TimerPollInterval);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 8)]
    [InlineData(3, 12)]
    [InlineData(5, 20)]
    [InlineData(64, 20)]
    public void Four_workers_per_core_at_least_four_and_at_most_twenty(int cores, int workers) =>
        Assert.Equal(workers, ManyiSchedulingOptions.WorkersFor(cores));

    [Fact]
    public void A_timer_claim_that_is_not_positive_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ManyiSchedulingOptions { TimerClaimDuration = TimeSpan.Zero }.Validate());
        Assert.Contains("Manyi:Hangfire:TimerClaimDuration", error.Message);
    }

    [Fact]
    public void A_reconciliation_cron_that_does_not_parse_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ManyiSchedulingOptions { ReconciliationCron = "every five minutes" }.Validate());
        Assert.Contains("Manyi:Hangfire:ReconciliationCron", error.Message);
    }
}
