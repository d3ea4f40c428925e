using System.Text.Json.Nodes;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// The HTTP request a service scope serves, if any, and the response a workflow wrote for it. The app creates one per
/// request; the <see cref="HttpEndpoint"/> that receives the request claims it for its instance, and only that
/// instance's <see cref="WriteHttpResponse"/> may answer: a child started in the same scope, or a burst on a timer,
/// has no request to answer.
/// </summary>
public sealed class HttpExchange
{
    /// <summary>The instance whose endpoint received this scope's request.</summary>
    public string? ServingInstanceId { get; private set; }

    public WorkflowHttpResponse? Response { get; private set; }

    public void Serve(string instanceId)
    {
        ServingInstanceId = instanceId;
        // A burst retried after a concurrency conflict runs the endpoint again: what the lost attempt wrote goes.
        Response = null;
    }

    public bool Serves(string instanceId) => ServingInstanceId == instanceId;

    public void Write(WorkflowHttpResponse response) => Response = response;
}

/// <summary>What <see cref="WriteHttpResponse"/> wrote: status, body (already text), content type, headers.</summary>
public sealed record WorkflowHttpResponse(int StatusCode, string? Content, string? ContentType, IReadOnlyDictionary<string, string[]> Headers);

/// <summary>What the app passes in a stimulus for a request: the names the endpoint's outputs carry.</summary>
public static class HttpRequestInput
{
    public const string Method = "method";
    public const string Path = "path";
    public const string ParsedContent = "parsedContent";
    public const string QueryStringData = "queryStringData";
    public const string Headers = "headers";
    public const string RouteData = "routeData";

    public static JsonNode? Get(Runtime.Stimulus stimulus, string name) => stimulus.Input.GetValueOrDefault(name)?.DeepClone();
}
