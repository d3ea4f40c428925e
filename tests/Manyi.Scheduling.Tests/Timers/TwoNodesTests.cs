using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

/// <summary>Two app nodes, each with its own Hangfire server, on one PostgreSQL database and one Hangfire storage.</summary>
public sealed class TwoNodesTests
{
    [Fact]
    public async Task Two_nodes_on_one_PostgreSQL_fire_each_timer_exactly_once()
    {
        await using var data = await TestData.CreateAsync("postgres");
        var ct = TestContext.Current.CancellationToken;
        var instances = new List<string>();

        // Timers written while no node was scheduling: both nodes' start-up passes find them.
        await using (var writer = data.Services())
        {
            await PublishDelayAsync(writer, "delay", TimeSpan.FromSeconds(1));
            for (var i = 0; i < 20; i++)
                instances.Add((await writer.GetRequiredService<WorkflowRuntime>().StartAsync("delay", new StartOptions(), ct)).Id);
        }

        await using var a = data.Host(workers: 4);
        await using var b = data.Host(workers: 4);
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        Assert.Equal(a.Services.GetRequiredService<SchedulerEpoch>().Value, b.Services.GetRequiredService<SchedulerEpoch>().Value);

        // Timers that each node schedules after its own commits.
        for (var i = 0; i < 20; i++)
        {
            instances.Add((await a.StartWorkflowAsync("delay")).Id);
            instances.Add((await b.StartWorkflowAsync("delay")).Id);
        }

        // And timers that both nodes race for: each gets a second, due job through the other node's client, so two
        // workers on two nodes run the same timer at the same moment.
        for (var i = 0; i < 20; i++)
        {
            var id = (await a.StartWorkflowAsync("delay")).Id;
            instances.Add(id);
            var timer = Assert.Single(await TimersAsync(a.Services, id));
            b.Services.GetRequiredService<IBackgroundJobClient>().Create(
                Job.FromExpression<TimerJob>(j => j.RunAsync(timer.Id, id, CancellationToken.None)),
                new ScheduledState(timer.ResumeAt!.Value.UtcDateTime));
        }

        await WaitUntilFinishedAsync(a.Services, instances, TimeSpan.FromSeconds(30));
        // Give any duplicate job time to run (and find nothing).
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        var resumed = await CountJournalAsync(a.Services, instances, JournalEvent.Resumed);
        var finished = await CountJournalAsync(a.Services, instances, JournalEvent.WorkflowFinished);
        Assert.All(instances, id => Assert.Equal(1, resumed.GetValueOrDefault(id)));
        Assert.All(instances, id => Assert.Equal(1, finished.GetValueOrDefault(id)));
        Assert.Equal(80, instances.Count);
    }
}
