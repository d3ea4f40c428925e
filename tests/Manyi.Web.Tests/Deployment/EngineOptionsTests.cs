using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;
using Manyi.Web.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Tests.Deployment;

/// <summary>The engine's script limits and runtime settings are bound from the host's settings and checked at start.</summary>
public sealed class EngineOptionsTests
{
    [Fact]
    public async Task The_host_binds_the_script_limits_and_the_runtime_settings()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        app.Settings["Manyi:Scripts:MaxStatements"] = "1234";
        app.Settings["Manyi:Scripts:Timeout"] = "00:00:05";
        app.Settings["Manyi:Runtime:MaxConcurrencyRetries"] = "7";

        var limits = app.Services.GetRequiredService<ScriptLimits>();
        Assert.Equal(1234, limits.MaxStatements);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.Timeout);
        Assert.Equal(100_000u, limits.MaxArraySize); // not set: the default
        Assert.Equal(7, app.Services.GetRequiredService<RuntimeOptions>().MaxConcurrencyRetries);
    }

    /// <summary>
    /// The start-up report (<see cref="Manyi.Web.Infrastructure.Deployment.ManyiSettings"/>) stops the host first; the
    /// options' own validation is the second line, for anything that builds the web defaults without that report.
    /// </summary>
    [Fact]
    public void A_wrong_limit_fails_the_options_validation_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Manyi:Scripts:RecursionDepth"] = "0" }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddManyiWebDefaults().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ScriptLimits>>().Value);
        Assert.Contains("Manyi:Scripts:RecursionDepth must be at least 1 (0).", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://manyi.example.org/", "https://manyi.example.org", true)]
    [InlineData(null, ManyiOptions.DevelopmentUrl, false)]
    public void The_public_address_is_read_once_for_robot_links_and_secure_cookies(string? publicUrl, string linkBase, bool secure)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Manyi:PublicUrl"] = publicUrl }).Build();
        var collection = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddManyiWebDefaults();
        Manyi.Web.Infrastructure.Security.SecurityHeaders.AddManyiCookieRules(collection);
        Manyi.Email.ManyiEmailServiceCollectionExtensions.AddManyiEmail(collection, configuration);
        using var services = collection.BuildServiceProvider();

        Assert.Equal(linkBase, services.GetRequiredService<Manyi.Email.Channels.ChannelOptions>().LinkBase);
        Assert.Equal(secure ? Microsoft.AspNetCore.Http.CookieSecurePolicy.Always : Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest,
            services.GetRequiredService<IOptions<Microsoft.AspNetCore.Builder.CookiePolicyOptions>>().Value.Secure);
    }
}
