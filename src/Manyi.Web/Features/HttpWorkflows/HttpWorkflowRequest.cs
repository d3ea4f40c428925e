using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Http;

namespace Manyi.Web.Features.HttpWorkflows;

/// <summary>Reads an HTTP request into the stimulus input an <see cref="HttpEndpoint"/> turns into its outputs.</summary>
public static class HttpWorkflowRequest
{
    /// <summary>Headers never kept in an instance's state: credentials are not workflow data.</summary>
    private static readonly HashSet<string> Secret = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Proxy-Authorization", "X-XSRF-TOKEN",
    };

    /// <summary>The input, or the problem with the body (too large, not the JSON it claims to be).</summary>
    public static async Task<(Dictionary<string, JsonNode?>? Input, IResult? Problem)> ReadAsync(
        HttpRequest request, string path, RouteValueDictionary routeValues, int maxBytes, CancellationToken cancellationToken)
    {
        var (content, problem) = await ReadBodyAsync(request, maxBytes, cancellationToken);
        if (problem is not null) return (null, problem);
        return (new Dictionary<string, JsonNode?>
        {
            [HttpRequestInput.Method] = request.Method,
            [HttpRequestInput.Path] = path,
            [HttpRequestInput.ParsedContent] = content,
            [HttpRequestInput.QueryStringData] = new JsonObject(request.Query.Select(q => KeyValuePair.Create(q.Key, Values(q.Value)))),
            [HttpRequestInput.Headers] = new JsonObject(request.Headers.Where(h => !Secret.Contains(h.Key)).Select(h => KeyValuePair.Create(h.Key, Values(h.Value)))),
            [HttpRequestInput.RouteData] = new JsonObject(routeValues.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value?.ToString())))),
        }, null);
    }

    /// <summary>One value as a string, several as a list.</summary>
    private static JsonNode? Values(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static async Task<(JsonNode? Content, IResult? Problem)> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > 0 && request.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return (new JsonObject(form.Select(f => KeyValuePair.Create(f.Key, Values(f.Value)))), null);
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes) return (null, TooLarge(maxBytes));
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return (null, null);
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var mediaType = request.ContentType is { } type && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var parsed)
            ? parsed.MediaType.Value ?? "" : "";
        if (!mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)) return (JsonValue.Create(text), null);
        try
        {
            return (JsonNode.Parse(text), null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = [$"请求正文不是有效的 JSON。The body is not valid JSON: {ex.Message}"],
            }));
        }
    }

    private static IResult TooLarge(int maxBytes) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large.", detail: $"请求正文超过 {maxBytes} 字节。The body is larger than {maxBytes} bytes (Manyi:Http:MaxRequestBytes).");
}
