using System.Net;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Http;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Tests.Activities.Http;

/// <summary>Elsa.FlowSendHttpRequest and Elsa.SendHttpRequest against a real server on 127.0.0.1, and the host guard.</summary>
public sealed class SendHttpRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestEngine Engine(params string[] allowedHosts) => Engine(TimeSpan.FromSeconds(30), allowedHosts);

    private static TestEngine Engine(TimeSpan timeout, params string[] allowedHosts) =>
        new(builder => builder.Services.Configure<HttpOptions>(o =>
        {
            o.AllowedHosts = [.. allowedHosts];
            o.Timeout = timeout;
        }));

    /// <summary>The request, then a WriteLine per port the test names, so the journal shows which ports were taken.</summary>
    private static Model.WorkflowDefinition Workflow(JsonObject send, params string[] ports) => Doc.Flowchart(
        [send, .. ports.Select((p, i) => (JsonNode?)Doc.WriteLine($"on{i}", $"port {p}"))],
        [.. ports.Select((p, i) => (JsonNode?)Doc.Connection("send", p, $"on{i}"))]);

    private static JsonObject Flow(string url, string codes = "[200, 404]", params (string Key, JsonNode? Value)[] more) =>
        Doc.Activity("send", "Elsa.FlowSendHttpRequest",
            [("url", Doc.Input(url, typeName: "Uri")), ("expectedStatusCodes", Doc.Input(codes, "Object", "Int32[]")), .. more]);

    private static IEnumerable<string?> Messages(TestEngine engine, WorkflowInstance instance) =>
        engine.Store.Journal.Where(e => e.InstanceId == instance.Id && e.Event == JournalEvent.Message && e.ActivityId != "send").Select(e => e.Message);

    private static readonly string[] AllPorts = ["200", "404", FlowSendHttpRequest.UnmatchedStatusCode, FlowSendHttpRequest.FailedToConnect, FlowSendHttpRequest.Timeout, "Done"];

    [Fact]
    public async Task An_expected_status_takes_its_port_and_Done_with_the_parsed_content_status_and_headers_as_outputs()
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine("127.0.0.1");

        var instance = await engine.StartAsync(Workflow(Flow(server.Url("/ok")), AllPorts));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["port 200", "port Done"], Messages(engine, instance));
        var outputs = instance.State.ActivityOutputs["send"];
        Assert.Equal(200, (int)outputs["StatusCode"]!);
        Assert.Equal("世界", (string?)outputs["ParsedContent"]!["你好"]);
        Assert.StartsWith("application/json", (string?)outputs["ResponseHeaders"]!["Content-Type"]![0]);
    }

    [Theory]
    [InlineData(404, "port 404")]
    [InlineData(418, "port Unmatched status code")]
    public async Task Another_status_takes_its_own_port_or_Unmatched_status_code(int status, string expected)
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine("127.0.0.1");

        var instance = await engine.StartAsync(Workflow(Flow(server.Url($"/status/{status}")), AllPorts));

        Assert.Equal([expected, "port Done"], Messages(engine, instance));
        Assert.Equal(status, (int)instance.State.ActivityOutputs["send"]["StatusCode"]!);
    }

    [Fact]
    public async Task Content_content_type_authorization_and_headers_are_sent()
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine("127.0.0.1");

        var instance = await engine.StartAsync(Workflow(Flow(server.Url("/echo"), "[200]",
            ("method", Doc.Input("POST")),
            ("content", Doc.Input("({ headcount: 12 })", "JavaScript", "Object")),
            ("authorization", Doc.Input("Bearer secret-token")),
            ("requestHeaders", Doc.Input("""{"X-Trace": ["campaign-2025"]}""", "Object", "HttpHeaders"))), "200"));

        var echo = instance.State.ActivityOutputs["send"]["ParsedContent"]!;
        Assert.Equal("POST", (string?)echo["method"]);
        Assert.Equal("application/json; charset=utf-8", (string?)echo["contentType"]);
        Assert.Equal("Bearer secret-token", (string?)echo["authorization"]);
        Assert.Equal("campaign-2025", (string?)echo["trace"]);
        Assert.Equal("""{"headcount":12}""", (string?)echo["body"]);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_takes_the_Timeout_port()
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine(TimeSpan.FromMilliseconds(500), "127.0.0.1");

        var instance = await engine.StartAsync(Workflow(Flow(server.Url("/slow")), AllPorts));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["port Timeout"], Messages(engine, instance));
    }

    [Fact]
    public async Task A_closed_port_takes_Failed_to_connect()
    {
        int closedPort;
        await using (var server = await TestHttpServer.StartAsync()) closedPort = server.Port;
        await using var engine = Engine("127.0.0.1");

        var instance = await engine.StartAsync(Workflow(Flow($"http://127.0.0.1:{closedPort}/ok"), AllPorts));

        Assert.Equal(["port Failed to connect"], Messages(engine, instance));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/ok", "127.0.0.1", "a loopback address")]
    [InlineData("http://localhost:{port}/ok", "localhost", "a loopback address")]
    [InlineData("http://10.255.255.1/ok", "10.255.255.1", "a private address")]
    [InlineData("http://169.254.169.254/latest/meta-data", "169.254.169.254", "a link-local address")]
    public async Task A_host_on_a_non_public_address_that_is_not_allowed_faults_the_activity_naming_the_setting(string url, string host, string kind)
    {
        await using var server = await TestHttpServer.StartAsync();
        // Another loopback host is allowed, not this one: the list is by host, not "loopback in general".
        await using var engine = Engine("127.0.0.2", "intranet.example.org");

        var instance = await engine.StartAsync(Workflow(Flow(url.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))), AllPorts));

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("send", incident.ActivityId);
        Assert.StartsWith($"The request to '{host}' was refused: it resolves to {kind}", incident.Message);
        Assert.Contains("Manyi:Http:AllowedHosts", incident.Message);
        Assert.Empty(Messages(engine, instance));
    }

    [Fact]
    public async Task A_host_allowed_by_its_range_is_reached()
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine("127.0.0.0/8");

        var instance = await engine.StartAsync(Workflow(Flow(server.Url("/ok")), "200"));

        Assert.Equal(["port 200"], Messages(engine, instance));
    }

    [Fact]
    public async Task SendHttpRequest_gives_each_expected_status_code_case_a_port()
    {
        await using var server = await TestHttpServer.StartAsync();
        await using var engine = Engine("127.0.0.1");
        var send = Doc.Activity("send", "Elsa.SendHttpRequest",
            ("url", Doc.Input(server.Url("/status/404"), typeName: "Uri")),
            ("expectedStatusCodes", new JsonArray(new JsonObject { ["statusCode"] = 200 }, new JsonObject { ["statusCode"] = 404 })));

        var instance = await engine.StartAsync(Workflow(send, "200", "404", SendHttpRequest.UnmatchedStatusCode));

        Assert.Equal(["port 404"], Messages(engine, instance));
    }

    [Fact]
    public void The_guard_knows_public_from_non_public_addresses()
    {
        string[] nonPublic = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1"];
        string[] publicAddresses = ["8.8.8.8", "172.32.0.1", "114.114.114.114", "2400:3200::1"];

        Assert.All(nonPublic, a => Assert.False(OutboundHostGuard.IsPublic(IPAddress.Parse(a)), a));
        Assert.All(publicAddresses, a => Assert.True(OutboundHostGuard.IsPublic(IPAddress.Parse(a)), a));
    }

    [Fact]
    public void Allowed_host_entries_that_are_neither_names_addresses_nor_ranges_are_reported()
    {
        var options = new HttpOptions { AllowedHosts = ["intranet.example.org", "10.0.0.0/8", "10.1.2.3", "not a host", "10.0.0.0/99"] };

        Assert.Equal(
            ["Manyi:Http:AllowedHosts: 'not a host' is neither a host name, an IP address nor a range such as 10.0.0.0/8.",
             "Manyi:Http:AllowedHosts: '10.0.0.0/99' is neither a host name, an IP address nor a range such as 10.0.0.0/8."],
            options.AllowedHostProblems());
    }
}
