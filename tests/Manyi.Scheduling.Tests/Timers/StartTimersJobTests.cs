using Hangfire.Storage;
using Manyi.Engine.Serialization;
using Manyi.Persistence.Definitions;
using Manyi.Scheduling.Timers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Timers;

public sealed class StartTimersJobTests
{
    [Fact]
    public async Task The_start_timers_job_starts_a_workflow_whose_start_timer_is_due_once_per_firing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = data.Host(clock);
        var definition = ElsaJson.Read("""
            {"definitionId": "hourly", "name": "hourly", "root": {"id": "root", "type": "Elsa.Flowchart", "activities": [
              {"id": "every-hour", "type": "Elsa.Timer", "customProperties": {"canStartWorkflow": true},
               "interval": {"typeName": "TimeSpan", "expression": {"type": "Literal", "value": "01:00:00"}}},
              {"id": "tick", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "tick"}}}],
             "connections": [{"source": {"activity": "every-hour", "port": "Done"}, "target": {"activity": "tick", "port": "In"}}]}}
            """);
        await host.InScopeAsync(async s =>
        {
            var catalog = s.GetRequiredService<WorkflowDefinitionCatalog>();
            await catalog.ImportAsync(definition, false, null, TestContext.Current.CancellationToken);
            return await catalog.PublishAsync("hourly", TestContext.Current.CancellationToken);
        });
        Task<int> RunAsync() => host.InScopeAsync(s => s.GetRequiredService<StartTimersJob>().RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal(0, await RunAsync());
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await RunAsync());
        Assert.Equal(0, await RunAsync());

        Assert.Equal(1, await ReadAsync(host.Services, db => db.WorkflowInstances.CountAsync(i => i.DefinitionId == "hourly")));
    }

    [Fact]
    public async Task A_started_host_registers_the_recurring_jobs()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        await using var host = await data.Host().StartAsync();

        using var connection = host.Storage.GetConnection();
        var recurring = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.Equal("*/5 * * * *", recurring[TimerReconciliation.RecurringJobId].Cron);
        Assert.Equal(StartTimersJob.Cron, recurring[StartTimersJob.RecurringJobId].Cron);
    }
}
