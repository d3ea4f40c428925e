using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Elsa's HTTP Request (flow): sends a request and completes with the port of the status code when it is one of
/// <see cref="ExpectedStatusCodes"/> (else "Unmatched status code"), together with Done; or with "Failed to connect"
/// or "Timeout" alone.
/// </summary>
[Activity("Elsa.FlowSendHttpRequest", "HTTP", "Sends an HTTP request; continues on the port of the expected status code (or Unmatched status code), Failed to connect or Timeout.",
    Outcomes = [], Outputs = ["StatusCode", "ParsedContent", "ResponseHeaders"])]
public sealed class FlowSendHttpRequest(IHttpClientFactory clients, IOptions<HttpOptions> options, ILogger<FlowSendHttpRequest> logger)
    : SendHttpRequestBase(clients, options, logger)
{
    [Input(Description = "The status codes that get a port of their own, e.g. [200, 404].")]
    public Input<int[]> ExpectedStatusCodes { get; set; } = new([]);

    protected override async ValueTask<string[]> OutcomesForAsync(ActivityContext context, int statusCode) =>
        PortsFor(await context.EvaluateAsync(ExpectedStatusCodes) ?? [], statusCode);

    public override IReadOnlyList<string> GetOutcomes() => PortsOf(LiteralCodes());

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        if (ExpectedStatusCodes.Expression.Type is not (Model.Expression.Literal or Model.Expression.Object))
            return [new InputProblem("expectedStatusCodes", "must be a literal list of status codes: each one is a port")];
        try
        {
            return LiteralCodes().Where(c => c is < 100 or > 599).Select(c => new InputProblem("expectedStatusCodes", $"{c} is not an HTTP status code"));
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or OverflowException)
        {
            return [new InputProblem("expectedStatusCodes", "must be a list of status codes such as [200, 404]")];
        }
    }

    private IEnumerable<int> LiteralCodes()
    {
        try { return ReadCodes(ExpectedStatusCodes.Expression).ToList(); }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or OverflowException) { return []; }
    }
}
