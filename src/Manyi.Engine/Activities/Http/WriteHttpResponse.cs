using System.Net;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Answers the HTTP request that started or resumed this instance in the current burst (Elsa's HTTP Response). The
/// app sends it once the burst is committed. Without such a request (a burst on a timer, say) it faults, as in Elsa.
/// </summary>
[Activity("Elsa.WriteHttpResponse", "HTTP", "Writes the response to the HTTP request that started or resumed the workflow: status code, content, content type and headers.")]
public sealed class WriteHttpResponse : Activity
{
    [Input(Description = "The status code, a number (200) or Elsa's name (OK, Created, NotFound).")]
    public Input<string> StatusCode { get; set; } = new("OK");

    [Input(Description = "The content: text is sent as it is, anything else as JSON.")]
    public Input<object?> Content { get; set; } = new((object?)null);

    [Input(Description = "The content type (text/plain for text, application/json for anything else when empty).")]
    public Input<string> ContentType { get; set; } = new("");

    [Input(Description = "Headers to send: an object of names and values.")]
    public Input<JsonNode?> ResponseHeaders { get; set; } = new((JsonNode?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var exchange = context.Services.GetService<HttpExchange>();
        if (exchange is null || !exchange.Serves(context.Instance.Id))
            throw new InvalidOperationException(
                "No HTTP request waits for this workflow's response: a response can only be written in the burst that an HTTP endpoint's request started or resumed.");
        var statusCode = ParseStatusCode(await context.EvaluateAsync(StatusCode));
        var content = await context.EvaluateAsync(Content);
        var contentType = await context.EvaluateAsync(ContentType);
        var (text, defaultType) = content switch
        {
            null => (null, null),
            string s => (s, "text/plain; charset=utf-8"),
            JsonValue value when value.TryGetValue<string>(out var s) => (s, "text/plain; charset=utf-8"),
            _ => (Expressions.ValueConverter.ToJson(content)!.ToJsonString(), "application/json; charset=utf-8"),
        };
        exchange.Write(new WorkflowHttpResponse(statusCode, text, string.IsNullOrWhiteSpace(contentType) ? defaultType : contentType,
            ReadHeaders(await context.EvaluateAsync(ResponseHeaders))));
        return ActivityStep.Done;
    }

    private static int ParseStatusCode(string? value)
    {
        var text = string.IsNullOrWhiteSpace(value) ? "OK" : value.Trim();
        if (int.TryParse(text, out var number) && number is >= 100 and <= 599) return number;
        if (!int.TryParse(text, out _) && Enum.TryParse<HttpStatusCode>(text, ignoreCase: true, out var named)) return (int)named;
        throw new InvalidOperationException($"'{value}' is not an HTTP status code (100–599, or a name such as OK or NotFound).");
    }

    /// <summary>Elsa writes headers as <c>{"name": ["value"]}</c>; a single string value is accepted too.</summary>
    private static Dictionary<string, string[]> ReadHeaders(JsonNode? headers)
    {
        if (headers is null) return [];
        if (headers is not JsonObject names) throw new InvalidOperationException("responseHeaders must be an object of header names and values.");
        return names.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value switch
        {
            JsonArray values => values.Select(v => v?.ToString() ?? "").ToArray(),
            var single => [single!.ToString()],
        });
    }
}
