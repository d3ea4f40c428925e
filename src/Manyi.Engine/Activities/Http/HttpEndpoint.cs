using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Waits for an HTTP request to the app's base path plus <see cref="Path"/> (Elsa's HTTP Endpoint): as a start
/// trigger (<c>canStartWorkflow</c>) each matching request starts an instance; mid-flow it waits, and the request
/// that matches (narrowed by correlation or instance id) resumes it. The request's body, query, headers and route
/// values become its outputs, under Elsa's names.
/// </summary>
[Activity("Elsa.HttpEndpoint", "HTTP", "Waits for an HTTP request on a path and method (starts the workflow when marked canStartWorkflow); its body, query string, headers and route values become outputs.", Outputs = ["ParsedContent", "QueryStringData", "RouteData", "Headers"])]
public sealed class HttpEndpoint : Activity, ITriggerActivity
{
    [Input(Description = "The path under the app's workflow base path, e.g. training/signups or orders/{id}.")]
    public Input<string> Path { get; set; } = new("");

    [Input(Description = "The HTTP methods to accept (GET when none).")]
    public Input<string[]> SupportedMethods { get; set; } = new(["GET"]);

    [Input(Description = "Accept signed-in callers only (401 otherwise).")]
    public Input<bool> Authorize { get; set; } = new(false);

    [Input(Description = "With authorize: the policy the caller must pass (403 otherwise), e.g. Administrator or Reviewer.")]
    public Input<string> Policy { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggeringStimulus is { } trigger) return Received(context, trigger);
        return ActivityStep.Suspend(await RequestAsync(context));
    }

    public override ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume) =>
        ValueTask.FromResult(Received(context, resume.Stimulus));

    public ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context) => RequestAsync(context);

    public async ValueTask<HttpRoute> RouteAsync(ActivityContext context) =>
        HttpRoute.Create(await context.EvaluateAsync(Path), await context.EvaluateAsync(SupportedMethods),
            await context.EvaluateAsync(Authorize), await context.EvaluateAsync(Policy));

    /// <summary>A literal path or method list that could never be served is refused when the definition is saved.</summary>
    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        if (Path.Expression.Type == Model.Expression.Literal)
        {
            var path = Path.Expression.Text ?? "";
            string? problem = null;
            try { HttpRoute.NormalisePath(path); }
            catch (InvalidOperationException ex) { problem = ex.Message; }
            if (problem is null && path.Count(c => c == '{') != path.Count(c => c == '}'))
                problem = $"The path '{path}' has unbalanced braces around a route value.";
            if (problem is not null) yield return new InputProblem("path", problem);
        }
        if (SupportedMethods.Expression.Type is Model.Expression.Literal or Model.Expression.Object)
        {
            string? problem = null;
            try { HttpRoute.Create("/", Expressions.ValueConverter.Convert<string[]>(ReadList(SupportedMethods.Expression)), false, null); }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException) { problem = ex.Message; }
            if (problem is not null) yield return new InputProblem("supportedMethods", problem);
        }
    }

    private static System.Text.Json.Nodes.JsonNode? ReadList(Model.Expression expression) =>
        expression.Type == Model.Expression.Object && expression.Value is System.Text.Json.Nodes.JsonValue text && text.TryGetValue<string>(out var json)
            ? System.Text.Json.Nodes.JsonNode.Parse(json) : expression.Value;

    private async ValueTask<BookmarkRequest> RequestAsync(ActivityContext context) => new(HttpRoute.BookmarkName, (await RouteAsync(context)).Key);

    private static ActivityStep Received(ActivityContext context, Stimulus request)
    {
        context.Services.GetService<HttpExchange>()?.Serve(context.Instance.Id);
        context.SetOutput("Headers", HttpRequestInput.Get(request, HttpRequestInput.Headers));
        context.SetOutput("QueryStringData", HttpRequestInput.Get(request, HttpRequestInput.QueryStringData));
        context.SetOutput("RouteData", HttpRequestInput.Get(request, HttpRequestInput.RouteData));
        // Last, so that it is the instance's last result, as the request's body is in Elsa.
        context.SetOutput("ParsedContent", HttpRequestInput.Get(request, HttpRequestInput.ParsedContent));
        return ActivityStep.Done;
    }
}
