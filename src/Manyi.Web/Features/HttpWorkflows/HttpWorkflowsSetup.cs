using Manyi.Engine.Activities.Http;
using Manyi.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.HttpWorkflows;

public static class HttpWorkflowsSetup
{
    /// <summary>The <c>Manyi:Http</c> settings, checked at start-up (a mistyped allowed host stops the app, not a request later), and the route table.</summary>
    public static IServiceCollection AddManyiHttpWorkflows(this IServiceCollection services)
    {
        services.AddOptions<HttpOptions>()
            .BindConfiguration(HttpOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpOptions>, AllowedHostsValidation>();
        services.AddScoped<HttpRouteTable>();
        return services;
    }

    /// <summary>Every method on every path under the base path; the handler answers 404 and 405 itself, as problem details.</summary>
    public static IEndpointConventionBuilder MapHttpWorkflows(this IEndpointRouteBuilder routes)
    {
        var basePath = routes.ServiceProvider.GetRequiredService<IOptions<HttpOptions>>().Value.BasePath.TrimEnd('/');
        return routes.Map(basePath + "/{**path}", HttpWorkflowsEndpoint.HandleAsync)
            .RequireAntiforgeryForCookies()
            .DisableAntiforgery()
            .WithTags("HTTP workflows")
            .ExcludeFromDescription();
    }
}

/// <summary>Names each allowed-host entry that is neither a host name, an address nor a range.</summary>
internal sealed class AllowedHostsValidation : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options) =>
        options.AllowedHostProblems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
