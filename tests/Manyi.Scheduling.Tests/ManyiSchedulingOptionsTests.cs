using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Scheduling.Tests;

public sealed class ManyiSchedulingOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_run_a_server_and_the_timer_dispatcher_every_second()
    {
        var options = new ManyiSchedulingOptions();
        Assert.Empty(options.Problems());
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
    public void A_timer_claim_that_is_not_positive_is_refused_naming_the_setting() =>
        Assert.Contains(new ManyiSchedulingOptions { TimerClaimDuration = TimeSpan.Zero }.Problems(), p => p.Contains("Manyi:Hangfire:TimerClaimDuration"));

    [Fact]
    public void A_reconciliation_cron_that_does_not_parse_is_refused_naming_the_setting() =>
        Assert.Contains(new ManyiSchedulingOptions { ReconciliationCron = "every five minutes" }.Problems(), p => p.Contains("Manyi:Hangfire:ReconciliationCron"));

    [Fact]
    public void Registered_settings_are_bound_from_configuration_and_refused_with_every_problem_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Manyi:Hangfire:Server"] = "false",
            ["Manyi:Hangfire:TimerBatch"] = "0",
            ["Manyi:Hangfire:ReconciliationCron"] = "every five minutes",
        }).Build();
        using var services = new ServiceCollection().AddManyiScheduling(configuration)
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => { _ = services.GetRequiredService<ManyiSchedulingOptions>(); });
        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("Manyi:Hangfire:TimerBatch"));
        Assert.Contains(error.Failures, f => f.Contains("Manyi:Hangfire:ReconciliationCron"));
    }
}
