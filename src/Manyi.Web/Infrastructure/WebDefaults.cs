using Manyi.Engine;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure;

public static class WebDefaults
{
    /// <summary>Problem details for every error, enums as strings, the OpenAPI document, and the host's and the engine's settings.</summary>
    public static IServiceCollection AddManyiWebDefaults(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddOptions<ManyiOptions>().BindConfiguration(ManyiOptions.Section);
        // Robot messages link to the same public address as e-mails and the calendar feed.
        services.AddOptions<Manyi.Email.Channels.ChannelOptions>()
            .PostConfigure<IOptions<ManyiOptions>>((channels, manyi) => channels.LinkBase = manyi.Value.LinkBase);
        services.AddManyiOptions<Manyi.Engine.Expressions.ScriptLimits>(Manyi.Engine.Expressions.ScriptLimits.Section, limits => limits.Problems());
        services.AddManyiOptions<Manyi.Engine.Runtime.RuntimeOptions>(Manyi.Engine.Runtime.RuntimeOptions.Section, runtime => runtime.Problems());
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
