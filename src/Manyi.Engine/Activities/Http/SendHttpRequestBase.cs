using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Sends an HTTP request through the engine's client (<see cref="ClientName"/>: resilience, a total timeout and the
/// <see cref="OutboundHostGuard"/>) and completes with an outcome for the status code, or Elsa's "Failed to connect"
/// or "Timeout". A request the guard refuses faults the activity with the guard's message instead: that is a setting
/// to change, not a network failure to route around.
/// </summary>
public abstract class SendHttpRequestBase(IHttpClientFactory clients, IOptions<HttpOptions> options, ILogger logger) : Activity
{
    public const string ClientName = "Manyi.Workflows";
    public const string UnmatchedStatusCode = "Unmatched status code";
    public const string FailedToConnect = "Failed to connect";
    public const string Timeout = "Timeout";

    [Input(Description = "The URL to send the request to (http or https).")]
    public Input<string> Url { get; set; } = new("");

    [Input(Description = "The HTTP method.", Options = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])]
    public Input<string> Method { get; set; } = new("GET");

    [Input(Description = "The content to send: text as it is, anything else as JSON.")]
    public Input<object?> Content { get; set; } = new((object?)null);

    [Input(Description = "The content's type (text/plain for text, application/json for anything else when empty).")]
    public Input<string> ContentType { get; set; } = new("");

    [Input(Description = "The Authorization header, e.g. Bearer followed by a token.")]
    public Input<string> Authorization { get; set; } = new("");

    [Input(Description = "Send the Authorization header as it is, without checking its form.")]
    public Input<bool> DisableAuthorizationHeaderValidation { get; set; } = new(false);

    [Input(Description = "Headers to send: an object of names and values.")]
    public Input<JsonNode?> RequestHeaders { get; set; } = new((JsonNode?)null);

    /// <summary>The outcomes for a response with this status code.</summary>
    protected abstract ValueTask<string[]> OutcomesForAsync(ActivityContext context, int statusCode);

    /// <summary>The ports a response of this status code takes: its own when expected (else Unmatched status code), and Done.</summary>
    protected static string[] PortsFor(IReadOnlyCollection<int> expected, int statusCode) =>
        expected.Count == 0 ? [Done] : [expected.Contains(statusCode) ? Port(statusCode) : UnmatchedStatusCode, Done];

    /// <summary>Every port of a node expecting these status codes.</summary>
    protected static IReadOnlyList<string> PortsOf(IEnumerable<int> expected) =>
        [.. expected.Select(Port).Distinct(), UnmatchedStatusCode, FailedToConnect, Timeout, Done];

    private static string Port(int statusCode) => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        using var request = await BuildRequestAsync(context);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken);
            var statusCode = (int)response.StatusCode;
            context.SetOutput("ResponseHeaders", HeadersOf(response));
            context.SetOutput("StatusCode", statusCode);
            context.SetOutput("ParsedContent", await ParseAsync(response.Content, options.Value.MaxResponseBytes, context.CancellationToken));
            context.Log(JournalKeys.HttpAnswered, new JsonObject { ["method"] = request.Method.Method, ["url"] = request.RequestUri?.ToString(), ["status"] = statusCode });
            return ActivityStep.CompleteWith(await OutcomesForAsync(context, statusCode));
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            throw new InvalidOperationException(refused.Message, ex);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "Workflow {InstanceId}: {Method} {Url} failed.", context.Instance.Id, request.Method, request.RequestUri);
            context.Log(JournalKeys.HttpFailed, new JsonObject { ["method"] = request.Method.Method, ["url"] = request.RequestUri?.ToString(), ["error"] = ex.Message });
            return ActivityStep.CompleteWith(FailedToConnect);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !context.CancellationToken.IsCancellationRequested))
        {
            context.Log(JournalKeys.HttpTimedOut, new JsonObject
            {
                ["method"] = request.Method.Method, ["url"] = request.RequestUri?.ToString(), ["seconds"] = options.Value.Timeout.TotalSeconds,
            });
            return ActivityStep.CompleteWith(Timeout);
        }
    }

    /// <summary>The guard's refusal anywhere in the exception chain (the handler wraps it).</summary>
    internal static HostNotAllowedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is HostNotAllowedException refused) return refused;
        return null;
    }

    private async ValueTask<HttpRequestMessage> BuildRequestAsync(ActivityContext context)
    {
        var url = await context.EvaluateAsync(Url);
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"url must be an absolute http or https URL, not '{url}'.");
        var method = await context.EvaluateAsync(Method);
        var request = new HttpRequestMessage(new HttpMethod(string.IsNullOrWhiteSpace(method) ? "GET" : method.Trim().ToUpperInvariant()), uri);

        var content = await context.EvaluateAsync(Content);
        var contentType = await context.EvaluateAsync(ContentType);
        if (content is not null)
        {
            var (text, defaultType) = content switch
            {
                string s => (s, "text/plain"),
                JsonValue value when value.TryGetValue<string>(out var s) => (s, "text/plain"),
                _ => (ValueConverter.ToJson(content)!.ToJsonString(), "application/json"),
            };
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(string.IsNullOrWhiteSpace(contentType) ? defaultType : contentType);
            request.Content.Headers.ContentType.CharSet ??= "utf-8";
        }

        if (await context.EvaluateAsync(Authorization) is { Length: > 0 } authorization)
        {
            if (await context.EvaluateAsync(DisableAuthorizationHeaderValidation))
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            else
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        switch (await context.EvaluateAsync(RequestHeaders))
        {
            case null:
                break;
            case JsonObject headers:
                foreach (var (name, value) in headers)
                {
                    string[] values = value is JsonArray many ? [.. many.Select(v => v?.ToString() ?? "")] : [value?.ToString() ?? ""];
                    if (!request.Headers.TryAddWithoutValidation(name, values))
                        request.Content?.Headers.TryAddWithoutValidation(name, values);
                }
                break;
            default:
                throw new InvalidOperationException("requestHeaders must be an object of header names and values.");
        }
        return request;
    }

    private static JsonObject HeadersOf(HttpResponseMessage response) =>
        new(response.Headers.Concat(response.Content.Headers)
            .Select(h => KeyValuePair.Create(h.Key, (JsonNode?)new JsonArray([.. h.Value.Select(v => (JsonNode?)v)]))));

    /// <summary>JSON content parsed, text as a string, anything else (binary) left out; at most <paramref name="limit"/> bytes.</summary>
    internal static async Task<JsonNode?> ParseAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var mediaType = content.Headers.ContentType?.MediaType ?? "";
        var isJson = mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var isText = isJson || mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || mediaType.Length == 0
            || mediaType.EndsWith("xml", StringComparison.OrdinalIgnoreCase) || mediaType == "application/x-www-form-urlencoded";
        if (!isText) return null;

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new InvalidOperationException($"The response is larger than {limit} bytes (Manyi:Http:MaxResponseBytes).");
            buffer.Write(chunk, 0, read);
        }
        var encoding = Encoding.UTF8;
        if (content.Headers.ContentType?.CharSet is { } charset)
        {
            try { encoding = Encoding.GetEncoding(charset.Trim('"')); }
            catch (ArgumentException) { /* an unknown charset: read as UTF-8 */ }
        }
        var text = encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (!isJson || text.Length == 0) return text.Length == 0 ? null : JsonValue.Create(text);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>Literal status codes (a JSON list, "200, 404" or a single number), for the ports.</summary>
    protected static IEnumerable<int> ReadCodes(Model.Expression expression)
    {
        var value = expression.Value;
        if (value is JsonValue text && text.TryGetValue<string>(out var s))
            value = s.TrimStart().StartsWith('[') ? JsonNode.Parse(s) : new JsonArray([.. s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => (JsonNode?)c)]);
        return value switch
        {
            JsonArray codes => codes.Select(c => int.Parse(c!.ToString(), System.Globalization.CultureInfo.InvariantCulture)),
            JsonValue single => [int.Parse(single.ToString(), System.Globalization.CultureInfo.InvariantCulture)],
            _ => [],
        };
    }
}
