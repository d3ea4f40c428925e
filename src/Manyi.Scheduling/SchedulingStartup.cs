using Hangfire;
using Manyi.Persistence;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Manyi.Scheduling;

/// <summary>
/// Once every hosted service has started (so after Manyi's own schema was migrated or found up to date, whose report
/// comes first): creates or upgrades the Hangfire schema where migrations run at start-up, else refuses to go on without
/// it; registers the recurring jobs (reconciliation, start timers) and runs a first reconciliation pass. Hangfire's
/// server starts after that, when the host reports it started, so nothing touched Hangfire's storage before.
/// </summary>
public sealed class SchedulingStartup(IServiceProvider services, ManyiDatabase database, ManyiSchedulingOptions options)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (database.MigratesOnStartup)
            await SchedulerStorage.MigrateAsync(database, cancellationToken);
        else
            await SchedulerStorage.EnsureSchemaAsync(database, cancellationToken);

        var recurring = services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<TimerReconciliation>(TimerReconciliation.RecurringJobId, r => r.RunAsync(CancellationToken.None),
            options.ReconciliationCron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        recurring.AddOrUpdate<StartTimersJob>(StartTimersJob.RecurringJobId, j => j.RunAsync(CancellationToken.None),
            StartTimersJob.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TimerReconciliation>().RunAsync(cancellationToken);
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
