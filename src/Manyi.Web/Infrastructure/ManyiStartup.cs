using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Web.Features.Demo;
using Manyi.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// At start-up: brings the database schema up to date where that is allowed (the embedded default; PostgreSQL
/// only when <c>Manyi:MigrateOnStartup</c> says so), refuses to start on an out-of-date schema otherwise, then
/// creates the roles and the first administrator, seeds the demo data (embedded default), and imports the workflows
/// folder.
/// </summary>
public sealed class ManyiStartup(IServiceProvider services, ManyiDataOptions options, ManyiDatabase database, IHostEnvironment environment, ILogger<ManyiStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        if (database.MigratesOnStartup)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        else if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList() is { Count: > 0 } pending)
        {
            throw new InvalidOperationException(
                $"The database lacks {pending.Count} migration(s) ({string.Join(", ", pending)}). " +
                "Run `dotnet run --project src/Manyi.Web -- migrate` with the same settings, or set Manyi:MigrateOnStartup=true.");
        }
        logger.LogInformation("Database: {Provider}.", database.Provider);
        var bootstrap = scope.ServiceProvider.GetRequiredService<AdminBootstrap>();
        await bootstrap.RunAsync(cancellationToken);
        var demoSeeded = await scope.ServiceProvider.GetRequiredService<DemoData>().RunAsync(cancellationToken);
        await bootstrap.WarnIfNoAdministratorAsync();

        var folder = WorkflowsFolder();
        var report = await scope.ServiceProvider.GetRequiredService<WorkflowsFolderImport>().ImportAsync(folder, cancellationToken);
        logger.LogInformation("Workflows folder {Folder}: {Published} published, {Unchanged} unchanged, {Rejected} rejected.",
            folder, report.Count(r => r.Outcome == "published"), report.Count(r => r.Outcome == "unchanged"), report.Count(r => r.Outcome == "rejected"));
        // The demo campaign needs the workflows just imported; it starts once, with the demo data's first seeding.
        if (demoSeeded) await scope.ServiceProvider.GetRequiredService<DemoCampaign>().StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies every pending migration; the explicit `migrate` command.</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await db.Database.MigrateAsync();
        Console.WriteLine(pending.Count == 0 ? "The database is up to date." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}.");
    }

    private string WorkflowsFolder() => RepositoryFolders.Resolve(options.WorkflowsDirectory, "workflows", environment.ContentRootPath);
}
