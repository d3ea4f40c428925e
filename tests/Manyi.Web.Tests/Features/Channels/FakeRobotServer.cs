using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Manyi.Web.Tests.Features.Channels;

/// <summary>A request a fake robot received: its path and query, and its JSON body.</summary>
public sealed record RobotRequest(string Path, string Query, JsonObject Body, DateTimeOffset At)
{
    public string? QueryValue(string name) =>
        Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .FirstOrDefault(p => p[0] == name) is { Length: 2 } pair ? pair[1] : null;
}

/// <summary>
/// A group robot in-process: Kestrel on 127.0.0.1 at a free port, recording each request and answering what
/// <see cref="Answer"/> says (by default HTTP 200 with the kind's success body). The three kinds share it: the path tells.
/// </summary>
public sealed class FakeRobotServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRobotServer(WebApplication app) => _app = app;

    public ConcurrentQueue<RobotRequest> Requests { get; } = new();

    /// <summary>The answer to the next request: status and body. Default: success as WeCom/DingTalk (<c>errcode 0</c>) or Feishu (<c>code 0</c>).</summary>
    public Func<RobotRequest, (HttpStatusCode Status, string Body)> Answer { get; set; } = request =>
        (HttpStatusCode.OK, request.Path.Contains("/hook/") ? """{"code":0,"msg":"success","data":{}}""" : """{"errcode":0,"errmsg":"ok"}""");

    /// <summary>How long the robot takes to answer.</summary>
    public TimeSpan Delay { get; set; }

    public string Authority { get; private set; } = "";

    public string WeComUrl => $"http://{Authority}/cgi-bin/webhook/send?key=wecom-test-key-0001";
    public string DingTalkUrl => $"http://{Authority}/robot/send?access_token=dingtalk-test-token-0001";
    public string FeishuUrl => $"http://{Authority}/open-apis/bot/v2/hook/feishu-test-hook-0001";

    public static async Task<FakeRobotServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeRobotServer(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
            var request = new RobotRequest(context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", body, DateTimeOffset.UtcNow);
            server.Requests.Enqueue(request);
            if (server.Delay > TimeSpan.Zero) await Task.Delay(server.Delay, context.RequestAborted);
            var (status, text) = server.Answer(request);
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(text);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Authority = new Uri(address).Authority;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
