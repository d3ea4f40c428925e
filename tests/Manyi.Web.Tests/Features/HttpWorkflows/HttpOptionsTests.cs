using Manyi.Engine.Activities.Http;
using Manyi.Web.Features.HttpWorkflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Tests.Features.HttpWorkflows;

public sealed class HttpOptionsTests
{
    private static HttpOptions Options(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddManyiHttpWorkflows();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<HttpOptions>>().Value;
    }

    [Fact]
    public void The_settings_bind_with_Elsas_base_path_by_default_and_a_wrong_entry_is_named()
    {
        var defaults = Options([]);
        Assert.Equal(("/workflows", 0, TimeSpan.FromSeconds(30)), (defaults.BasePath, defaults.AllowedHosts.Count, defaults.Timeout));
        var set = Options(new() { ["Manyi:Http:AllowedHosts:0"] = "intranet.example.org", ["Manyi:Http:AllowedHosts:1"] = "10.20.0.0/16", ["Manyi:Http:Timeout"] = "00:00:05" });
        Assert.Equal(["intranet.example.org", "10.20.0.0/16"], set.AllowedHosts);
        Assert.Equal(TimeSpan.FromSeconds(5), set.Timeout);

        var badHost = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Manyi:Http:AllowedHosts:0"] = "http://intranet/" }));
        Assert.Contains("Manyi:Http:AllowedHosts: 'http://intranet/' is neither a host name, an IP address nor a range such as 10.0.0.0/8.", badHost.Failures);
        var badPath = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Manyi:Http:BasePath"] = "workflows" }));
        Assert.Contains(badPath.Failures, f => f.Contains("BasePath must start with '/'", StringComparison.Ordinal));
    }
}
