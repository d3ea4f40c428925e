using Hangfire;
using Hangfire.Dashboard;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>Hangfire's dashboard at <c>/hangfire</c>, for signed-in administrators only; the storage's connection string is never shown.</summary>
public static class JobsDashboard
{
    public const string Path = "/hangfire";

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder routes, string role)
    {
        routes.MapHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "Manyi jobs",
            Authorization = [new RoleFilter(role)],
            DisplayStorageConnectionString = false,
        });
        return routes;
    }

    private sealed class RoleFilter(string role) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(role);
    }
}
