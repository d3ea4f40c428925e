namespace Manyi.Web.Infrastructure.Deployment;

public static class DeploymentSetup
{
    /// <summary>What running as several nodes needs: shared data-protection keys, health checks, and telemetry (off unless an OTLP endpoint is set).</summary>
    public static IServiceCollection AddManyiDeployment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddManyiDataProtection(configuration);
        services.AddManyiHealthChecks();
        services.AddManyiTelemetry(configuration);
        return services;
    }
}
