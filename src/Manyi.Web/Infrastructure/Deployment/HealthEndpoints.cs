using System.Net.Sockets;
using System.Text.Json;
using Hangfire;
using Manyi.Email;
using Manyi.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Infrastructure.Deployment;

/// <summary>
/// <c>/health/live</c>: the process answers (no dependency is asked; a proxy or orchestrator restarts a node that does
/// not). <c>/health/ready</c>: the database and Hangfire's storage answer (503 when not: send no users here), and the
/// SMTP server accepts a connection (Degraded, still 200, when it does not: e-mails wait in the outbox and are retried,
/// nothing else stops). Both answer JSON for anyone, signed in or not, and say nothing secret.
/// </summary>
public static class HealthEndpoints
{
    public const string Ready = "ready";

    public static IServiceCollection AddManyiHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<ManyiDbContext>("database", HealthStatus.Unhealthy, [Ready])
            .AddCheck<WritableStorageCheck>("storage", HealthStatus.Unhealthy, [Ready])
            .AddCheck<HangfireHealthCheck>("hangfire", HealthStatus.Unhealthy, [Ready])
            .AddCheck<SmtpHealthCheck>("smtp", HealthStatus.Degraded, [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapManyiHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteJsonAsync }).AllowAnonymous();
        return endpoints;
    }

    /// <summary><c>{"status", "duration", "checks": [{"name", "status", "description", "duration", "data"}]}</c>.</summary>
    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            duration = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                duration = e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The database and the files folder take writes: a database that answers reads but refuses writes (read-only disk,
    /// a standby) would otherwise report healthy while every change fails.
    /// </summary>
    private sealed class WritableStorageCheck(ManyiDbContext db, ManyiDatabase database, Microsoft.Extensions.Options.IOptions<Features.Files.FileStoreOptions> files) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connection = db.Database.GetDbConnection();
                if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                if (database.Provider == DatabaseProvider.PostgreSql)
                {
                    command.CommandText = "SHOW transaction_read_only";
                    if (await command.ExecuteScalarAsync(cancellationToken) as string == "on")
                        return HealthCheckResult.Unhealthy("The database is read-only.");
                }
                else
                {
                    // Takes the write lock and lets it go: fails on a read-only file or folder.
                    command.CommandText = "BEGIN IMMEDIATE; ROLLBACK;";
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                Directory.CreateDirectory(files.Value.Directory!);
                var probe = Path.Combine(files.Value.Directory!, $".ready-{Guid.NewGuid():N}");
                await File.WriteAllBytesAsync(probe, [], cancellationToken);
                File.Delete(probe);
                return HealthCheckResult.Healthy("The database and the files folder take writes.");
            }
            catch (Exception ex) when (StorageFailure.Is(ex))
            {
                return HealthCheckResult.Unhealthy("Storage is read-only or full: " + ex.Message);
            }
        }
    }

    /// <summary>Hangfire's storage answers, and how many servers (this node's and the others') it knows.</summary>
    private sealed class HangfireHealthCheck(JobStorage storage, ManyiDatabase database) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var monitoring = storage.GetMonitoringApi();
                var servers = monitoring.Servers();
                var data = new Dictionary<string, object>
                {
                    ["storage"] = database.Provider == DatabaseProvider.PostgreSql ? "PostgreSQL" : "in memory",
                    ["servers"] = servers.Count,
                    ["enqueued"] = monitoring.EnqueuedCount("default"),
                    ["scheduled"] = monitoring.ScheduledCount(),
                };
                return Task.FromResult(servers.Count == 0
                    ? HealthCheckResult.Degraded("No Hangfire server is running: timers and e-mails wait.", data: data)
                    : HealthCheckResult.Healthy($"{servers.Count} Hangfire server(s).", data));
            }
            catch (Exception ex)
            {
                return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"Hangfire's storage does not answer: {ex.Message}", ex));
            }
        }
    }

    /// <summary>The SMTP server accepts a TCP connection within 5 s; none configured means the pickup folder, which is healthy.</summary>
    private sealed class SmtpHealthCheck(SmtpOptions smtp) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!smtp.IsConfigured) return HealthCheckResult.Healthy("No SMTP server configured: e-mails are written to the pickup folder.");
            var target = $"{smtp.Host}:{smtp.EffectivePort}";
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                using var client = new TcpClient();
                await client.ConnectAsync(smtp.Host!, smtp.EffectivePort, timeout.Token);
                return HealthCheckResult.Healthy($"SMTP server {target} accepts connections.");
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus,
                    $"SMTP server {target} does not answer ({(ex is OperationCanceledException ? "no answer within 5 s" : ex.Message)}); e-mails wait in the outbox.");
            }
        }
    }
}
