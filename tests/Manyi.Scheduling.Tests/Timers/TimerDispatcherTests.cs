using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

/// <summary>The dispatcher's looks run directly, with the clock in the test's hand; jobs run directly or on a started server.</summary>
public sealed class TimerDispatcherTests
{
    /// <summary>A start on a whole second, so that instants read back from PostgreSQL (microseconds) compare equal.</summary>
    private static DateTimeOffset WholeSecondNow()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond));
    }

    private static Task<int> DispatchAsync(SchedulingHost host) =>
        host.Services.GetRequiredService<TimerDispatcher>().DispatchAsync(TestContext.Current.CancellationToken);

    private static Task RunJobAsync(SchedulingHost host, string bookmarkId, string instanceId) =>
        host.InScopeAsync(async s =>
        {
            await s.GetRequiredService<TimerJob>().RunAsync(bookmarkId, instanceId, TestContext.Current.CancellationToken);
            return true;
        });

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_timer_costs_no_job_until_it_is_due_then_one_look_claims_it_and_enqueues_its_job(string provider)
    {
        var clock = new FakeTimeProvider(WholeSecondNow());
        await using var data = await TestData.CreateAsync(provider);
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromHours(3));
        var instance = await host.StartWorkflowAsync("delay");

        var waiting = Assert.Single(await TimersAsync(host.Services, instance.Id));
        Assert.Null(waiting.JobId);
        Assert.Null(waiting.ClaimedUntil);
        Assert.Equal(0, await DispatchAsync(host));
        clock.Advance(TimeSpan.FromHours(3) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await DispatchAsync(host));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await DispatchAsync(host));
        Assert.Equal(0, await DispatchAsync(host));

        var claimed = Assert.Single(await TimersAsync(host.Services, instance.Id));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(5), claimed.ClaimedUntil);
        Assert.Equal("Enqueued", host.JobState(HangfireId(claimed.JobId)));
        await RunJobAsync(host, claimed.Id, instance.Id);
        Assert.Equal(1, await CountFinishedAsync(host.Services, [instance.Id]));
    }

    [Fact]
    public async Task Two_nodes_claiming_at_once_on_PostgreSQL_claim_each_timer_once_and_it_fires_once()
    {
        var clock = new FakeTimeProvider(WholeSecondNow());
        var ct = TestContext.Current.CancellationToken;
        await using var data = await TestData.CreateAsync("postgres");
        await using var a = data.Host(clock, workers: 4);
        await using var b = data.Host(clock, workers: 4);
        await PublishDelayAsync(a.Services, "delay", TimeSpan.FromMinutes(1));
        var instances = new List<string>();
        for (var i = 0; i < 60; i++) instances.Add((await a.StartWorkflowAsync("delay")).Id);
        // Small batches, so that the two nodes' looks overlap many times over the same rows.
        a.Services.GetRequiredService<ManyiSchedulingOptions>().TimerBatch = 4;
        b.Services.GetRequiredService<ManyiSchedulingOptions>().TimerBatch = 4;
        clock.Advance(TimeSpan.FromMinutes(1));

        var claimed = 0;
        int[] looks;
        do
        {
            looks = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => DispatchAsync(i % 2 == 0 ? a : b), ct)));
            claimed += looks.Sum();
        }
        while (looks.Any(n => n > 0));

        Assert.Equal(instances.Count, claimed);
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        await WaitUntilFinishedAsync(a.Services, instances, TimeSpan.FromSeconds(30));
        var resumed = await CountJournalAsync(a.Services, instances, JournalEvent.Resumed);
        Assert.All(instances, id => Assert.Equal(1, resumed.GetValueOrDefault(id)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_timer_claimed_by_a_node_that_died_before_it_fired_is_claimed_again_when_the_claim_expires_and_fires_once(string provider)
    {
        var clock = new FakeTimeProvider(WholeSecondNow());
        await using var data = await TestData.CreateAsync(provider);
        await using var host = data.Host(clock);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(1));
        var instance = await host.StartWorkflowAsync("delay");
        clock.Advance(TimeSpan.FromMinutes(1));

        // The node that died: it claimed the timer, and neither enqueued a job nor resumed anything.
        var now = clock.GetUtcNow();
        Assert.Single(await host.Services.GetRequiredService<TimerBookmarks>().ClaimDueAsync(now, now + TimeSpan.FromMinutes(5), 10,
            TestContext.Current.CancellationToken));
        Assert.Equal(0, await DispatchAsync(host));
        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await DispatchAsync(host));
        Assert.Equal(0, await CountFinishedAsync(host.Services, [instance.Id]));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await DispatchAsync(host));
        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        await RunJobAsync(host, timer.Id, instance.Id);
        await RunJobAsync(host, timer.Id, instance.Id);

        Assert.Equal(1, await CountFinishedAsync(host.Services, [instance.Id]));
        Assert.Equal(1, (await CountJournalAsync(host.Services, [instance.Id], JournalEvent.Resumed))[instance.Id]);
    }

    [Fact]
    public async Task A_timer_job_whose_lock_a_dead_node_left_behind_runs_once_the_lock_times_out_on_PostgreSQL()
    {
        var clock = new FakeTimeProvider(WholeSecondNow());
        var ct = TestContext.Current.CancellationToken;
        await using var data = await TestData.CreateAsync("postgres");
        await using var host = data.Host(clock);
        // Before anything builds the storage, which reads it once.
        host.Services.GetRequiredService<ManyiSchedulingOptions>().DistributedLockTimeout = TimeSpan.FromSeconds(2);
        await PublishDelayAsync(host.Services, "delay", TimeSpan.FromMinutes(1));
        var instance = await host.StartWorkflowAsync("delay");
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await DispatchAsync(host));
        var jobId = HangfireId(Assert.Single(await TimersAsync(host.Services, instance.Id)).JobId);

        // A node died while it changed the job's state (fetched it, say): Hangfire's lock row stays behind, never released.
        await using (var connection = new NpgsqlConnection(host.Services.GetRequiredService<ManyiDatabase>().ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("INSERT INTO hangfire.lock (resource, acquired) VALUES (@resource, now())", connection);
            command.Parameters.AddWithValue("resource", $"hangfire:job:{jobId}:state-lock");
            await command.ExecuteNonQueryAsync(ct);
        }

        // Hangfire.PostgreSql's own timeout (10 minutes) held the job, and the reminder it sends, that long.
        await host.StartAsync();
        await WaitUntilFinishedAsync(host.Services, [instance.Id], TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => host.JobState(jobId) == "Succeeded", TimeSpan.FromSeconds(10), $"job {jobId} to succeed");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_deadline_moved_later_fires_at_its_new_time_only(string provider)
    {
        var clock = new FakeTimeProvider(WholeSecondNow());
        var ct = TestContext.Current.CancellationToken;
        await using var data = await TestData.CreateAsync(provider);
        await using var host = data.Host(clock);
        var deadline = clock.GetUtcNow().AddHours(1);
        var definition = ElsaJson.Read("""
            {"definitionId": "report", "name": "report", "root": {"id": "root", "type": "Elsa.Flowchart", "activities": [
              {"id": "start", "type": "Elsa.Start"},
              {"id": "report", "type": "Elsa.Event",
               "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "reported"}},
               "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "DEADLINE"}}},
              {"id": "late", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "late"}}}],
             "connections": [{"source": {"activity": "start", "port": "Done"}, "target": {"activity": "report", "port": "In"}},
                             {"source": {"activity": "report", "port": "Overdue"}, "target": {"activity": "late", "port": "In"}}]}}
            """.Replace("DEADLINE", deadline.ToString("O")));
        await host.InScopeAsync(async s =>
        {
            var catalog = s.GetRequiredService<WorkflowDefinitionCatalog>();
            await catalog.ImportAsync(definition, false, null, ct);
            return await catalog.PublishAsync("report", ct);
        });
        var instance = await host.StartWorkflowAsync("report");
        var moved = deadline.AddHours(2);

        await host.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().ExtendDeadlineAsync(instance.Id, "report", moved, "secretariat", "more time", ct));

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await DispatchAsync(host));
        clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1));
        Assert.Equal(1, await DispatchAsync(host));
        var timer = Assert.Single(await TimersAsync(host.Services, instance.Id));
        Assert.Equal(moved, timer.ResumeAt);
        await RunJobAsync(host, timer.Id, instance.Id);

        Assert.Equal(1, await CountFinishedAsync(host.Services, [instance.Id]));
        Assert.Equal(1, (await CountJournalAsync(host.Services, [instance.Id], JournalEvent.Resumed))[instance.Id]);
    }
}
