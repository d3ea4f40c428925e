using Manyi.Engine.Runtime;
using Microsoft.EntityFrameworkCore;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

public sealed class TimerReconciliationTests
{
    [Fact]
    public async Task After_a_restart_with_a_new_in_memory_storage_every_lost_timer_is_scheduled_and_fires()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        var instances = new List<string>();
        string firstEpoch;
        await using (var first = await data.Host().StartAsync())
        {
            await PublishDelayAsync(first.Services, "short", TimeSpan.FromSeconds(1));
            await PublishDelayAsync(first.Services, "longer", TimeSpan.FromSeconds(3));
            for (var i = 0; i < 10; i++)
            {
                instances.Add((await first.StartWorkflowAsync("short")).Id);
                instances.Add((await first.StartWorkflowAsync("longer")).Id);
            }
            firstEpoch = first.Services.GetRequiredService<SchedulerEpoch>().Value;
        }
        // The first node is gone and its in-memory jobs with it; meanwhile the short timers fall due.
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        var unfinished = instances.Count - await CountFinishedAsync(data.Services(), instances);
        Assert.True(unfinished >= 10, $"{unfinished} instances are still waiting");

        await using var second = await data.Host().StartAsync();

        Assert.NotEqual(firstEpoch, second.Services.GetRequiredService<SchedulerEpoch>().Value);
        await WaitUntilFinishedAsync(second.Services, instances, TimeSpan.FromSeconds(15));
        var resumed = await CountJournalAsync(second.Services, instances, JournalEvent.Resumed);
        Assert.All(instances, id => Assert.Equal(1, resumed.GetValueOrDefault(id)));
        var again = await second.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, again.TimerClaimsReleased);
    }

    [Fact]
    public async Task A_pass_gives_back_the_claims_whose_jobs_went_with_another_storage_and_the_dispatcher_takes_them_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(1));
        var instances = new List<string>();
        for (var i = 0; i < 3; i++) instances.Add((await host.StartWorkflowAsync("delay")).Id);
        clock.Advance(TimeSpan.FromMinutes(1));
        Task<ReconciliationReport> PassAsync() =>
            host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken));
        var dispatcher = host.Services.GetRequiredService<TimerDispatcher>();
        Assert.Equal(3, await dispatcher.DispatchAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, (await PassAsync()).TimerClaimsReleased);

        // One timer's job was in a storage that is gone (a process with its in-memory storage, a wiped schema).
        await ReadAsync(host.Services, db => db.Database.ExecuteSqlRawAsync(
            "UPDATE bookmarks SET \"JobId\" = 'gone:17' WHERE \"InstanceId\" = {0}", instances[0]));
        Assert.Equal(0, await dispatcher.DispatchAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1, (await PassAsync()).TimerClaimsReleased);
        Assert.Equal(1, await dispatcher.DispatchAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Enqueued", host.JobState(HangfireId(Assert.Single(await TimersAsync(host.Services, instances[0])).JobId)));
    }

    [Fact]
    public async Task A_pass_that_finds_another_running_leaves_the_work_to_it()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host();
        using var connection = host.Storage.GetConnection();
        using (connection.AcquireDistributedLock("manyi:reconciliation", TimeSpan.FromSeconds(1)))
        {
            var pass = await Task.Run(() => host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken)),
                TestContext.Current.CancellationToken);
            Assert.True(pass.Skipped);
        }
        Assert.False((await host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken))).Skipped);
    }
}
