using System.Text.Json.Serialization;

namespace Manyi.Web.Infrastructure;

public static class WebDefaults
{
    /// <summary>Problem details for every error, enums as strings, and the OpenAPI document.</summary>
    public static IServiceCollection AddManyiWebDefaults(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddOptions<ManyiOptions>().BindConfiguration(ManyiOptions.Section);
        // Unreadable request bodies reach the exception handler, which names what is wrong, instead of a bare 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<DomainExceptionHandler>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            json.SerializerOptions.Converters.Add(new InstantJson());
        });
        services.AddOpenApi();
        return services;
    }
}
