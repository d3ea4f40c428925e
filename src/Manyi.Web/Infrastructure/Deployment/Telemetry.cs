using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Scheduling.Timers;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Manyi.Web.Infrastructure.Deployment;

/// <summary>
/// OpenTelemetry, off unless an OTLP endpoint is set (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or <c>Manyi:Otlp:Endpoint</c>):
/// then traces (HTTP requests, workflow bursts), metrics (requests; bursts; timers due and fired; e-mails sent and
/// failed) and logs (with their scopes: instance, task, timer and e-mail ids) go to that collector. The engine, the
/// scheduler and the e-mail module only use the BCL's <c>Meter</c> and <c>ActivitySource</c>; without an exporter their
/// instruments can still be read with <c>dotnet-counters monitor -n Manyi.Web --counters Manyi.Engine,…</c>.
/// </summary>
public static class Telemetry
{
    public const string EndpointSetting = "Manyi:Otlp:Endpoint";

    /// <summary>The instruments' and sources' names.</summary>
    public static readonly string[] Sources = [WorkflowTelemetry.Name, TimerTelemetry.Name, EmailTelemetry.Name];

    /// <summary>Manyi's setting, else the standard environment variable; null when neither is set (telemetry off).</summary>
    public static string? OtlpEndpoint(IConfiguration configuration) =>
        configuration[EndpointSetting] is { Length: > 0 } manyi ? manyi
        : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
        : null;

    public static IServiceCollection AddManyiTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (OtlpEndpoint(configuration) is not { } endpoint) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "manyi",
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(asp => asp.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddSource(Sources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(Sources))
            .WithLogging(logging => { }, options => options.IncludeScopes = true)
            .UseOtlpExporter(
                configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
                new Uri(endpoint));
        return services;
    }
}
