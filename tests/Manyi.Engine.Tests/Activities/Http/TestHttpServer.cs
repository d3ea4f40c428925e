using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Manyi.Engine.Tests.Activities.Http;

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) for the request activities to call: <c>/ok</c> (JSON), <c>/status/{code}</c>,
/// <c>/echo</c> (what arrived), <c>/slow</c> (answers after 30 s).
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHttpServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public static async Task<TestHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/ok", () => Results.Json(new { hello = "world", 你好 = "世界" }));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/echo", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            return Results.Json(new JsonObject
            {
                ["method"] = http.Request.Method,
                ["contentType"] = http.Request.ContentType,
                ["authorization"] = http.Request.Headers.Authorization.ToString(),
                ["trace"] = http.Request.Headers["X-Trace"].ToString(),
                ["body"] = body,
            });
        });
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var server = new TestHttpServer(app);
        server.BaseAddress = new Uri(app.Urls.Single());
        return server;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
