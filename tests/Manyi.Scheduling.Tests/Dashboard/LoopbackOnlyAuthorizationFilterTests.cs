using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Manyi.Scheduling.Dashboard;

namespace Manyi.Scheduling.Tests.Dashboard;

public sealed class LoopbackOnlyAuthorizationFilterTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_requests_from_this_machine_see_the_dashboard(string? remote, bool allowed)
    {
        using var storage = new InMemoryStorage();
        Assert.Equal(allowed, new LoopbackOnlyAuthorizationFilter().Authorize(new Context(storage, remote)));
    }

    [Fact]
    public void A_request_whose_remote_address_equals_the_local_one_is_not_enough()
    {
        // Hangfire's own LocalRequestsOnlyAuthorizationFilter lets this one in.
        using var storage = new InMemoryStorage();
        Assert.False(new LoopbackOnlyAuthorizationFilter().Authorize(new Context(storage, "10.0.0.7", local: "10.0.0.7")));
    }

    private sealed class Context : DashboardContext
    {
        public Context(JobStorage storage, string? remote, string? local = "127.0.0.1") : base(storage, new DashboardOptions()) =>
            Request = new FakeRequest(remote, local);
    }

    private sealed class FakeRequest(string? remote, string? local) : DashboardRequest
    {
        public override string Method => "GET";
        public override string Path => "/";
        public override string PathBase => "/hangfire";
        public override string LocalIpAddress => local!;
        public override string RemoteIpAddress => remote!;
        public override string GetQuery(string key) => null!;
        public override Task<IList<string>> GetFormValuesAsync(string key) => Task.FromResult<IList<string>>([]);
    }
}
