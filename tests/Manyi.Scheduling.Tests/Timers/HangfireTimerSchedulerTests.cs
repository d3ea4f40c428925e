using Hangfire.Common;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

public sealed class HangfireTimerSchedulerTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_delay_fires_through_the_Hangfire_server_and_the_instance_finishes(string provider)
    {
        await using var data = await TestData.CreateAsync(provider);
        await using var host = await data.Host().StartAsync();
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromSeconds(1));

        var instance = await host.StartWorkflowAsync("delay");

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        Assert.StartsWith(host.Services.GetRequiredService<Storage.SchedulerEpoch>().Value + ":", timer.JobId);
        // A Hangfire job carries the timer; on a loaded machine the one second may be up already and the job on its way.
        Assert.Contains(host.JobState(HangfireId(timer.JobId)), new[] { "Scheduled", "Enqueued", "Processing", "Succeeded" });

        await WaitUntilFinishedAsync(host.Services, [instance.Id], TimeSpan.FromSeconds(15));
        Assert.Equal(1, (await CountJournalAsync(host.Services, [instance.Id], JournalEvent.Resumed))[instance.Id]);
        Assert.Empty(await TimersAsync(host.Services, instance.Id));
    }

    [Fact]
    public async Task A_timer_removed_before_it_is_due_deletes_its_job()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = await data.Host().StartAsync();
        await PublishDelayAsync(host.Services, "long-delay", TimeSpan.FromMinutes(30));
        var instance = await host.StartWorkflowAsync("long-delay");
        var job = HangfireId(Assert.Single(await TimersAsync(host.Services, instance.Id)).JobId);
        Assert.Equal("Scheduled", host.JobState(job));

        await host.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().CancelAsync(instance.Id, TestContext.Current.CancellationToken));

        Assert.Equal("Deleted", host.JobState(job));
    }

    [Fact]
    public async Task A_timer_beyond_the_job_horizon_gets_its_job_from_the_pass_that_finds_it_inside()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromHours(3));
        var instance = await host.StartWorkflowAsync("delay");
        Task<ReconciliationReport> PassAsync() =>
            host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken));

        Assert.Null(Assert.Single(await TimersAsync(host.Services, instance.Id)).JobId);
        Assert.Equal(0, (await PassAsync()).TimersWithoutJob);

        clock.Advance(TimeSpan.FromHours(2.5));
        Assert.Equal(1, (await PassAsync()).TimersScheduled);

        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        var job = HangfireId(timer.JobId);
        Assert.Equal("Scheduled", host.JobState(job));
        using var connection = host.Storage.GetConnection();
        Assert.Equal(HangfireTimerScheduler.WholeSecondAfter(timer.ResumeAt!.Value).UtcDateTime,
            JobHelper.DeserializeDateTime(connection.GetStateData(job).Data["EnqueueAt"]));
    }

    [Theory]
    [InlineData("2025-04-30T10:00:00.0000000Z", "2025-04-30T10:00:00.0000000Z")]
    [InlineData("2025-04-30T10:00:00.0000001Z", "2025-04-30T10:00:01.0000000Z")]
    [InlineData("2025-04-30T09:59:59.9990000Z", "2025-04-30T10:00:00.0000000Z")]
    public void A_job_is_scheduled_for_the_next_whole_second_so_that_it_never_runs_early(string instant, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), HangfireTimerScheduler.WholeSecondAfter(DateTimeOffset.Parse(instant)));
}
