using Manyi.Engine.Runtime;
using Microsoft.EntityFrameworkCore;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
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
        Assert.Equal(0, again.TimersWithoutJob);
    }

    [Fact]
    public async Task A_pass_over_scheduled_timers_finds_nothing_to_do_but_gives_an_overdue_one_a_new_job()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host();
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(30));
        var instances = new List<string>();
        for (var i = 0; i < 5; i++) instances.Add((await host.StartWorkflowAsync("delay")).Id);
        Task<ReconciliationReport> PassAsync() =>
            host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken));

        Assert.All(await TimersAsync(host.Services, [.. instances]), t => Assert.NotNull(t.JobId));
        Assert.Equal(0, (await PassAsync()).TimersWithoutJob);

        // One timer is long overdue and still waiting: its job failed for good, or someone deleted it.
        await ReadAsync(host.Services, db => db.Database.ExecuteSqlRawAsync(
            "UPDATE bookmarks SET \"ResumeAt\" = {0} WHERE \"InstanceId\" = {1}",
            new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertToProvider(DateTimeOffset.UtcNow.AddHours(-1))!,
            instances[0]));
        var pass = await PassAsync();

        Assert.Equal(1, pass.TimersWithoutJob);
        Assert.Equal(1, pass.TimersScheduled);
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
