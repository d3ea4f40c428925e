namespace Manyi.Web.Infrastructure.Deployment;

/// <summary>
/// A logging scope per API request that names the task or workflow instance it is about (<c>TaskId</c>,
/// <c>WorkflowInstanceId</c>), so that every line logged while serving it, down to the engine's, carries the id.
/// </summary>
public static class LogScopes
{
    public static IApplicationBuilder UseManyiLogScopes(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        var id = context.Request.RouteValues.TryGetValue("id", out var value) ? value as string : null;
        var name = id is null ? null
            : path.StartsWithSegments("/api/tasks") ? "TaskId"
            : path.StartsWithSegments("/api/workflow-instances") ? "WorkflowInstanceId"
            : null;
        if (name is null)
        {
            await next(context);
            return;
        }
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Manyi.Web.Requests");
        using (logger.BeginScope(Manyi.Engine.Runtime.LogScope.Of(name, id)))
            await next(context);
    });
}
