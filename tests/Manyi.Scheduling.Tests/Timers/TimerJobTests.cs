using Hangfire.Common;
using Hangfire.Storage;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

/// <summary>The job run directly (no Hangfire server), as a worker would run it, with the clock in the test's hand.</summary>
public sealed class TimerJobTests
{
    private static Task RunJobAsync(SchedulingHost host, string bookmarkId, string instanceId) =>
        host.InScopeAsync(async s =>
        {
            await s.GetRequiredService<TimerJob>().RunAsync(bookmarkId, instanceId, TestContext.Current.CancellationToken);
            return true;
        });

    [Fact]
    public async Task A_job_whose_bookmark_is_gone_does_nothing()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host();
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(5));
        var instance = await host.StartWorkflowAsync("delay");
        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        await host.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().CancelAsync(instance.Id, TestContext.Current.CancellationToken));
        var journal = await ReadAsync(host.Services, db => Task.FromResult(db.JournalEntries.Count(j => j.InstanceId == instance.Id)));

        await RunJobAsync(host, timer.Id, instance.Id);
        await RunJobAsync(host, "no-such-bookmark", instance.Id);

        var stored = await ReadAsync(host.Services, db => Task.FromResult(db.WorkflowInstances.Single(i => i.Id == instance.Id)));
        Assert.Equal(nameof(WorkflowStatus.Cancelled), stored.Status);
        Assert.Equal(journal, await ReadAsync(host.Services, db => Task.FromResult(db.JournalEntries.Count(j => j.InstanceId == instance.Id))));
    }

    [Fact]
    public async Task A_job_that_runs_early_gives_its_claim_back_and_the_timer_fires_once_when_due()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(30));
        var instance = await host.StartWorkflowAsync("delay");
        var dispatcher = host.Services.GetRequiredService<TimerDispatcher>();
        clock.Advance(TimeSpan.FromMinutes(29));

        // Claimed by a node whose clock runs a minute ahead of the job's node.
        var ahead = clock.GetUtcNow().AddMinutes(1);
        Assert.Single(await host.Services.GetRequiredService<TimerBookmarks>().ClaimDueAsync(ahead, ahead.AddMinutes(5), 10, TestContext.Current.CancellationToken));
        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        Assert.NotNull(timer.ClaimedUntil);
        await RunJobAsync(host, timer.Id, instance.Id);

        Assert.Null(Assert.Single(await TimersAsync(host.Services, instance.Id)).ClaimedUntil);
        Assert.Equal(nameof(WorkflowStatus.Suspended), (await ReadAsync(host.Services, db => Task.FromResult(db.WorkflowInstances.Single(i => i.Id == instance.Id)))).Status);
        Assert.Equal(0, await dispatcher.DispatchAsync(TestContext.Current.CancellationToken));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await dispatcher.DispatchAsync(TestContext.Current.CancellationToken));
        await RunJobAsync(host, timer.Id, instance.Id);
        await RunJobAsync(host, timer.Id, instance.Id);

        Assert.Equal(1, await CountFinishedAsync(host.Services, [instance.Id]));
        Assert.Equal(1, (await CountJournalAsync(host.Services, [instance.Id], JournalEvent.Resumed))[instance.Id]);
    }

    /// <summary>Hangfire stores jobs by type, method and arguments: a rename would strand every job already stored.</summary>
    [Fact]
    public void The_stored_shape_of_a_timer_job_is_pinned()
    {
        // The serializer settings AddManyiScheduling gives Hangfire (process-wide, as Hangfire keeps them).
        using var services = new ServiceCollection().AddLogging()
            .AddManyiScheduling(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).BuildServiceProvider();
        services.GetRequiredService<Hangfire.IGlobalConfiguration>();
        var job = Job.FromExpression<TimerJob>(j => j.RunAsync("bookmark-1", "instance-1", CancellationToken.None));
        var data = InvocationData.SerializeJob(job);

        Assert.Equal("Manyi.Scheduling.Timers.TimerJob, Manyi.Scheduling", data.Type);
        Assert.Equal("RunAsync", data.Method);
        Assert.Equal("[\"System.String\",\"System.String\",\"System.Threading.CancellationToken, mscorlib\"]", data.ParameterTypes);
        Assert.Equal("[\"\\\"bookmark-1\\\"\",\"\\\"instance-1\\\"\",null]", data.Arguments);
    }
}
