using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Manyi.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Manyi.Web.Tests.Deployment;

/// <summary>The health endpoints, the meters, and OpenTelemetry off by default.</summary>
public sealed class HealthAndTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Live_and_ready_answer_json_for_anyone(string provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:Smtp:Host"] = "127.0.0.1";
        app.Settings["Manyi:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Manyi:Smtp:Security"] = "None";
        var client = app.CreateAnonymousClient();

        var live = await client.FetchAsync("/health/live").ExpectOkAsync();
        Assert.Equal("Healthy", live.GetString("status"));
        Assert.Empty(live.GetArray("checks"));

        var ready = await Ready(client, HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetString("status"));
        Assert.Equal(["database", "hangfire", "smtp", "storage"], ready.GetArray("checks").Select(c => c.GetString("name")).Order());
        Assert.All(ready.GetArray("checks"), c => Assert.Equal("Healthy", c.GetString("status")));
        var hangfire = ready.GetArray("checks").Single(c => c.GetString("name") == "hangfire");
        Assert.Equal(provider == "postgres" ? "PostgreSQL" : "in memory", hangfire!["data"]!.GetString("storage"));
    }

    [Fact]
    public async Task An_smtp_server_that_does_not_answer_makes_ready_degraded_not_down()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        app.Settings["Manyi:Smtp:Host"] = "127.0.0.1";
        app.Settings["Manyi:Smtp:Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture); // nothing listens
        app.Settings["Manyi:Smtp:Security"] = "None";
        var client = app.CreateAnonymousClient();

        var ready = await Ready(client, HttpStatusCode.OK);

        Assert.Equal("Degraded", ready.GetString("status"));
        var smtp = ready.GetArray("checks").Single(c => c.GetString("name") == "smtp")!;
        Assert.Equal("Degraded", smtp.GetString("status"));
        Assert.Contains("does not answer", smtp.GetString("description"));
        Assert.Equal("Healthy", ready.GetArray("checks").Single(c => c.GetString("name") == "database")!.GetString("status"));
    }

    [Fact]
    public async Task A_database_that_is_gone_makes_ready_unhealthy_while_live_still_answers()
    {
        await using var storage = await ManyiStorage.CreateAsync("postgres");
        await using var app = new ManyiApp(storage);
        var client = app.CreateAnonymousClient();
        await client.FetchAsync("/health/live").ExpectOkAsync();

        await storage.Postgres!.DisposeAsync(); // drops the database under the running app

        var ready = await Ready(client, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", ready.GetString("status"));
        Assert.Equal("Unhealthy", ready.GetArray("checks").Single(c => c.GetString("name") == "database")!.GetString("status"));
        await client.FetchAsync("/health/live").ExpectOkAsync();
    }

    [Fact]
    public async Task OpenTelemetry_is_off_by_default_and_on_with_an_otlp_endpoint()
    {
        await using (var off = await ManyiApp.StartAsync("sqlite"))
        {
            off.CreateAnonymousClient();
            Assert.Null(off.Services.GetService<TracerProvider>());
            Assert.Null(off.Services.GetService<MeterProvider>());
        }

        await using var on = await ManyiApp.StartAsync("sqlite");
        on.Settings["Manyi:Otlp:Endpoint"] = "http://127.0.0.1:4317";
        on.CreateAnonymousClient();
        Assert.NotNull(on.Services.GetService<TracerProvider>());
        Assert.NotNull(on.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task Bursts_are_counted_by_the_engine_meter()
    {
        var bursts = new List<(long Value, string Kind, string Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Manyi.Engine" && instrument.Name == "manyi.workflow.bursts") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            lock (bursts) bursts.Add((value, (string)all.Single(t => t.Key == "manyi.workflow.burst_kind").Value!, (string)all.Single(t => t.Key == "manyi.workflow.status").Value!));
        });
        listener.Start();
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitFor("metered", "metered-event"));

        var instance = await client.ExecuteAsync("metered", correlationId: "metered-1");
        await client.TriggerAsync("metered-event", new JsonObject { ["correlationId"] = "metered-1" });

        lock (bursts)
        {
            Assert.Contains((1L, "start", "Suspended"), bursts);
            Assert.Contains((1L, "resume", "Finished"), bursts);
        }
        Assert.Equal("Finished", (await client.GetInstanceAsync(instance.GetString("id"))).GetString("status"));
    }

    private static async Task<JsonNode> Ready(HttpClient client, HttpStatusCode expected)
    {
        using var response = await client.GetAsync("/health/ready", Ct);
        Assert.Equal("application/json", response.ContentType()?.MediaType);
        Assert.Equal(expected, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
