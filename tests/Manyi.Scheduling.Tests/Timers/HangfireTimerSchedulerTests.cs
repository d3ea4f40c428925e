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
    public async Task A_delay_fires_through_the_dispatcher_and_the_Hangfire_server_and_the_instance_finishes(string provider)
    {
        await using var data = await TestData.CreateAsync(provider);
        await using var host = await data.Host().StartAsync();
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromSeconds(1));

        var instance = await host.StartWorkflowAsync("delay");

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        Assert.Single(await TimersAsync(host.Services, instance.Id));
        await WaitUntilFinishedAsync(host.Services, [instance.Id], TimeSpan.FromSeconds(15));
        Assert.Equal(1, (await CountJournalAsync(host.Services, [instance.Id], JournalEvent.Resumed))[instance.Id]);
        Assert.Empty(await TimersAsync(host.Services, instance.Id));
    }

    [Fact]
    public async Task A_timer_whose_bookmark_goes_after_its_job_was_enqueued_has_the_job_deleted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(30));
        var instance = await host.StartWorkflowAsync("delay");
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(1, await host.Services.GetRequiredService<TimerDispatcher>().DispatchAsync(TestContext.Current.CancellationToken));
        var job = HangfireId(Assert.Single(await TimersAsync(host.Services, instance.Id)).JobId);
        Assert.Equal("Enqueued", host.JobState(job));

        await host.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().CancelAsync(instance.Id, TestContext.Current.CancellationToken));

        Assert.Equal("Deleted", host.JobState(job));
    }
}
