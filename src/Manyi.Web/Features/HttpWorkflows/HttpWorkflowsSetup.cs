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
            .Validate(o => !o.AllowedHostProblems().Any(), "Manyi:Http:AllowedHosts holds an entry that is neither a host name, an IP address nor a range such as 10.0.0.0/8.")
            .ValidateOnStart();
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
