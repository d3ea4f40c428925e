using Hangfire;
using Hangfire.AspNetCore;
using Manyi.Engine;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Scheduling.Email;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling;

public static class ManyiSchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Hangfire for the engine: due timers are claimed from their rows by a dispatcher on each node and fire as jobs,
    /// start timers are polled every minute, committed e-mails leave the outbox as jobs, and a reconciliation pass at
    /// start-up and every five minutes restores what a lost storage forgot.
    /// Storage: PostgreSQL (schema <c>hangfire</c>) when Manyi runs on PostgreSQL, else in memory. Settings:
    /// <c>Manyi:Hangfire</c> (<see cref="ManyiSchedulingOptions"/>). Needs <c>AddManyiData</c>; replaces the engine's
    /// <see cref="NoTimerScheduler"/> and <see cref="NoEmailDispatcher"/>.
    /// </summary>
    public static IServiceCollection AddManyiScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddManyiOptions<ManyiSchedulingOptions>(ManyiSchedulingOptions.Section, options => options.Problems(), configuration);
        // Whether this node runs a Hangfire server and the timer dispatcher decides what is registered, so those two are read now.
        var node = configuration.GetSection(ManyiSchedulingOptions.Section).Get<ManyiSchedulingOptions>() ?? new ManyiSchedulingOptions();
        services.TryAddSingleton(TimeProvider.System);

        // This container's storage and activator, registered before AddHangfire, which otherwise falls back to the
        // process-wide JobStorage.Current and JobActivator.Current. Each job runs in a DI scope of its own.
        services.AddSingleton(sp => SchedulerStorage.Create(sp.GetRequiredService<ManyiDatabase>(), sp.GetRequiredService<ManyiSchedulingOptions>()));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, hangfire) => hangfire
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (node.Server)
            services.AddHangfireServer((sp, server) =>
            {
                var options = sp.GetRequiredService<ManyiSchedulingOptions>();
                server.WorkerCount = options.WorkerCount;
                server.SchedulePollingInterval = options.SchedulePollingInterval;
            });

        services.AddSingleton<SchedulerEpoch>();
        services.AddSingleton<TimerBookmarks>();
        services.AddSingleton<TimerDispatcher>();
        if (node.Server && node.DispatchTimers)
            services.AddHostedService(sp => sp.GetRequiredService<TimerDispatcher>());
        services.AddSingleton<HangfireTimerScheduler>();
        services.Replace(ServiceDescriptor.Singleton<ITimerScheduler>(sp => sp.GetRequiredService<HangfireTimerScheduler>()));
        services.AddSingleton<HangfireEmailDispatcher>();
        services.Replace(ServiceDescriptor.Singleton<IEmailDispatcher>(sp => sp.GetRequiredService<HangfireEmailDispatcher>()));
        services.AddScoped<TimerJob>();
        services.AddScoped<OutboxJob>();
        services.AddScoped<TimerReconciliation>();
        services.AddScoped<StartTimersJob>();
        services.AddHostedService<SchedulingStartup>();
        return services;
    }

    /// <summary>Creates or upgrades the Hangfire schema (PostgreSQL only); part of the explicit <c>migrate</c> command.</summary>
    public static async Task MigrateSchedulingAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<ManyiDatabase>();
        await SchedulerStorage.MigrateAsync(database, cancellationToken);
        if (database.Provider == DatabaseProvider.PostgreSql)
            Console.WriteLine($"The Hangfire schema '{SchedulerStorage.Schema}' is up to date.");
    }
}
