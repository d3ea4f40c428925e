namespace Manyi.Scheduling.Tests;

public sealed class ManyiSchedulingOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_give_a_two_core_machine_eight_workers()
    {
        var options = new ManyiSchedulingOptions();
        options.Validate();
        Assert.Equal(Math.Clamp(Environment.ProcessorCount * 4, 4, 20), options.WorkerCount);
        Assert.Equal(TimeSpan.FromHours(1), options.JobHorizon);
    }

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
