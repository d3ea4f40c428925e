using Manyi.Engine;
using Manyi.Engine.Stores;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Persistence;

public static class ManyiDataServiceCollectionExtensions
{
    /// <summary>
    /// The database: PostgreSQL when <c>ConnectionStrings:Manyi</c> is set, otherwise the embedded SQLite file
    /// <c>manyi.db</c> in <c>Manyi:DataDirectory</c>. Also the engine's store and the definition catalog.
    /// </summary>
    public static IServiceCollection AddManyiData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddManyiOptions<ManyiDataOptions>(ManyiDataOptions.Section, configuration: configuration);
        // Which database, and where its file is, decide what is registered, so they are read now.
        var options = configuration.GetSection(ManyiDataOptions.Section).Get<ManyiDataOptions>() ?? new ManyiDataOptions();
        var connectionString = configuration.GetConnectionString("Manyi");
        ManyiDatabase database;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            database = ManyiDatabase.ForPostgres(connectionString, options.MigrateOnStartup);
            services.AddDbContext<ManyiDbContext, PostgresManyiDbContext>(db => db.UseNpgsql(database.Postgres!));
        }
        else
        {
            var folder = Path.GetFullPath(options.DataDirectory);
            Directory.CreateDirectory(folder);
            database = ManyiDatabase.ForSqlite(Path.Combine(folder, "manyi.db"), options.MigrateOnStartup);
            services.AddDbContext<ManyiDbContext, SqliteManyiDbContext>(db => db
                .UseSqlite(database.ConnectionString)
                .AddInterceptors(SqlitePragmas.Instance));
        }
        services.AddSingleton(database);
        services.AddSingleton<PublishedDefinitionCache>();
        services.AddScoped<IWorkflowStore, SqlWorkflowStore>();
        services.AddScoped<AuditTrail>();
        services.TryAddScoped<IAuditActor, SystemAuditActor>();
        services.AddScoped<WorkflowDefinitionCatalog>();
        services.AddScoped<WorkflowsFolderImport>();
        return services;
    }
}
