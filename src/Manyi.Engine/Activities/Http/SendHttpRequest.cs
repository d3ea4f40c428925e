using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Elsa's HTTP Request: sends a request; its expected status codes are cases (<c>{"statusCode": 200, "activity": …}</c>).
/// Here each case is a port of its own, beside "Unmatched status code", "Failed to connect", "Timeout" and Done:
/// an activity held inside a case is not run yet (the activity was written before the engine's containers), so a
/// case that holds one is refused when the definition is saved rather than skipped when it runs.
/// </summary>
[Activity("Elsa.SendHttpRequest", "HTTP", "Sends an HTTP request; continues on the port of the expected status code (or Unmatched status code), Failed to connect or Timeout, and Done.",
    Outcomes = [], Outputs = ["StatusCode", "ParsedContent", "ResponseHeaders"])]
public sealed class SendHttpRequest(IHttpClientFactory clients, IOptions<HttpOptions> options, ILogger<SendHttpRequest> logger)
    : SendHttpRequestBase(clients, options, logger)
{
    [Input(Description = "The status codes to handle, each a port: [{\"statusCode\": 200}, {\"statusCode\": 404}].")]
    public List<HttpStatusCodeCase> ExpectedStatusCodes { get; set; } = [];

    protected override ValueTask<string[]> OutcomesForAsync(ActivityContext context, int statusCode) =>
        ValueTask.FromResult(PortsFor([.. ExpectedStatusCodes.Select(c => c.StatusCode)], statusCode));

    public override IReadOnlyList<string> GetOutcomes() => PortsOf(ExpectedStatusCodes.Select(c => c.StatusCode));

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        foreach (var @case in ExpectedStatusCodes)
        {
            if (@case.StatusCode is < 100 or > 599)
                yield return new InputProblem("expectedStatusCodes", $"{@case.StatusCode} is not an HTTP status code");
            if (@case.Activity is JsonObject)
                yield return new InputProblem("expectedStatusCodes",
                    $"the case {@case.StatusCode} holds an activity, which Manyi does not run inside a case yet; connect an activity to the port {@case.StatusCode} instead");
        }
    }
}

/// <summary>One expected status code of <see cref="SendHttpRequest"/>, as Elsa writes it.</summary>
public sealed record HttpStatusCodeCase(int StatusCode, JsonNode? Activity);
