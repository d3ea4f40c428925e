namespace Manyi.Scheduling.Tests;

public sealed class ManyiSchedulingOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_run_a_server_and_give_a_timer_an_hour_of_horizon()
    {
        var options = new ManyiSchedulingOptions();
        options.Validate();
        Assert.True(options.Server);
        Assert.Equal(ManyiSchedulingOptions.WorkersFor(Environment.ProcessorCount), options.WorkerCount);
        Assert.Equal(TimeSpan.FromHours(1), options.JobHorizon);
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
    public void A_job_horizon_shorter_than_two_reconciliation_passes_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ManyiSchedulingOptions { JobHorizon = TimeSpan.FromMinutes(7) }.Validate());
        Assert.Contains("Manyi:Hangfire:JobHorizon", error.Message);
    }

    [Fact]
    public void A_reconciliation_cron_that_does_not_parse_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ManyiSchedulingOptions { ReconciliationCron = "every five minutes" }.Validate());
        Assert.Contains("Manyi:Hangfire:ReconciliationCron", error.Message);
    }

    [Fact]
    public void An_unlimited_horizon_ends_at_the_end_of_the_calendar()
    {
        var options = new ManyiSchedulingOptions { JobHorizon = TimeSpan.MaxValue };
        Assert.Equal(DateTimeOffset.MaxValue, options.HorizonFrom(DateTimeOffset.UtcNow));
    }
}
