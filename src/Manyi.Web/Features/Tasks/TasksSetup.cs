using Manyi.Engine.Tasks;
using Manyi.Web.Features.Files;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Web.Features.Tasks;

public static class TasksSetup
{
    /// <summary>Task access rules, drafts, the reminder directory the engine asks, and the file store for task attachments.</summary>
    public static IServiceCollection AddManyiTasks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<TaskAccess>();
        services.AddScoped<TaskDrafts>();
        services.Replace(ServiceDescriptor.Scoped<ITaskDirectory, TaskDirectory>());
        services.AddManyiFiles(configuration);
        return services;
    }
}
