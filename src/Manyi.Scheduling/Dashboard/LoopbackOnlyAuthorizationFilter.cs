using System.Net;
using Hangfire.Dashboard;

namespace Manyi.Scheduling.Dashboard;

/// <summary>
/// Lets in only requests from this machine (127.0.0.0/8, ::1, and IPv4 loopback mapped to IPv6). Stricter than
/// Hangfire's <see cref="LocalRequestsOnlyAuthorizationFilter"/>, which also admits any request whose remote address
/// equals the local one. Behind a reverse proxy on the same machine every request looks local: such a deployment must
/// apply forwarded headers first, or keep the dashboard unmapped.
/// </summary>
public sealed class LoopbackOnlyAuthorizationFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        IPAddress.TryParse(context.Request.RemoteIpAddress, out var address)
        && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
