using Hangfire;

namespace Manyi.Scheduling.Dashboard;

/// <summary>Options for Hangfire's dashboard in Manyi's web host.</summary>
public static class ManyiDashboard
{
    /// <summary>
    /// Until administrators can sign in (Identity, issue 4), only requests from this machine see the dashboard. The
    /// storage's connection string is never shown.
    /// </summary>
    public static DashboardOptions LoopbackOnly() => new()
    {
        DashboardTitle = "Manyi jobs",
        Authorization = [new LoopbackOnlyAuthorizationFilter()],
        DisplayStorageConnectionString = false,
    };
}
