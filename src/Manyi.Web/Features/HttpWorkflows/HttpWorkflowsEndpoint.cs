using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Http;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.HttpWorkflows;

/// <summary>
/// Serves workflows' HTTP endpoints under <see cref="HttpOptions.BasePath"/>. A request on a route a published
/// workflow starts on starts an instance (a trigger takes precedence, as in Elsa); otherwise it resumes the one
/// instance waiting on that route, narrowed by <c>X-Correlation-ID</c> / <c>?correlationId=</c> or
/// <c>X-Workflow-Instance-ID</c> / <c>?workflowInstanceId=</c>. The request waits for the burst and gets what its
/// Elsa.WriteHttpResponse wrote; without one, 200 with an empty body as in Elsa, plus the instance's id in
/// <c>X-Workflow-Instance-ID</c> so that the caller can address the instance next time.
/// </summary>
public static class HttpWorkflowsEndpoint
{
    public const string CorrelationHeader = "X-Correlation-ID";
    public const string InstanceHeader = "X-Workflow-Instance-ID";

    public static async Task<IResult> HandleAsync(HttpContext http, string? path, [AsParameters] HttpWorkflowServices services,
        CancellationToken cancellationToken)
    {
        var (routes, store, runtime, exchange, options, authorization, policies) = services;
        // A response the workflow wrote (a 404 of its own, say) is the workflow's; no status page replaces it.
        if (http.Features.Get<IStatusCodePagesFeature>() is { } statusPages) statusPages.Enabled = false;
        var routePath = HttpRoute.NormalisePath(path);
        var display = options.Value.BasePath.TrimEnd('/') + routePath;

        var matches = await routes.MatchAsync(routePath, cancellationToken);
        if (matches.Count == 0)
            return Problems.NotFound($"没有工作流在 {display} 上接收请求。No workflow endpoint listens on {display}.");
        var accepting = matches.Where(m => m.Route.Accepts(http.Request.Method)).ToList();
        if (accepting.Count == 0)
        {
            http.Response.Headers.Allow = string.Join(", ", matches.SelectMany(m => m.Route.Methods).Distinct().Order());
            return TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed.",
                detail: $"{display} 不接受 {http.Request.Method} 请求。{display} does not accept {http.Request.Method}; it accepts {http.Response.Headers.Allow}.");
        }

        var permitted = new List<(HttpRoute Route, RouteValueDictionary Values)>();
        string? refusal = null;
        foreach (var match in accepting)
            if (await RefusalAsync(http, match.Route, authorization, policies) is { } why) refusal ??= why;
            else permitted.Add(match);
        if (permitted.Count == 0)
            return http.User.Identity?.IsAuthenticated == true
                ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.", detail: refusal)
                : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required.",
                    detail: $"{display} 只接受已登录的调用者。{display} accepts signed-in callers only.");

        var correlationId = http.Request.Headers[CorrelationHeader].FirstOrDefault() ?? http.Request.Query["correlationId"].FirstOrDefault();
        var instanceId = http.Request.Headers[InstanceHeader].FirstOrDefault() ?? http.Request.Query["workflowInstanceId"].FirstOrDefault();
        if (CorrelationIds.Check(correlationId) is { } invalid) return invalid;

        var (input, problem) = await HttpWorkflowRequest.ReadAsync(http.Request, routePath, permitted[0].Values, options.Value.MaxRequestBytes, cancellationToken);
        if (problem is not null) return problem;

        WorkflowInstance? instance;
        var triggers = new List<(StoredTrigger Trigger, HttpRoute Route)>();
        if (instanceId is null)
            foreach (var (route, _) in permitted)
                triggers.AddRange((await store.FindTriggersAsync(HttpRoute.BookmarkName, route.Key, cancellationToken)).Select(t => (t, route)));
        if (triggers.Count > 1)
            return Ambiguous(display, "several published workflows start on it", "多个已发布的工作流都在此路径上启动");
        if (triggers.Count == 1)
        {
            var (trigger, route) = triggers[0];
            input = WithRouteValues(input!, permitted.First(p => p.Route == route).Values);
            instance = await runtime.StartByTriggerAsync(trigger, new Stimulus(HttpRoute.BookmarkName, route.Key) { CorrelationId = correlationId, Input = input }, cancellationToken);
        }
        else
        {
            var waiting = new List<(string InstanceId, HttpRoute Route)>();
            foreach (var (route, _) in permitted)
            {
                var stimulus = new Stimulus(HttpRoute.BookmarkName, route.Key) { CorrelationId = correlationId, WorkflowInstanceId = instanceId };
                waiting.AddRange((await store.FindInstancesWithBookmarksAsync(stimulus, cancellationToken)).Select(id => (id, route)));
            }
            if (waiting.Count == 0)
                return Problems.NotFound(correlationId is null && instanceId is null
                    ? $"没有工作流实例在 {display} 上等待。No workflow instance waits on {display}."
                    : $"没有与该关联编号或实例编号相符的工作流实例在 {display} 上等待。No workflow instance with that correlation or instance id waits on {display}.");
            if (waiting.Count > 1)
                return Ambiguous(display, $"several instances wait on it; send {CorrelationHeader} or {InstanceHeader}",
                    $"多个实例在此路径上等待，请带 {CorrelationHeader} 或 {InstanceHeader} 头");
            var (target, targetRoute) = waiting[0];
            input = WithRouteValues(input!, permitted.First(p => p.Route == targetRoute).Values);
            var result = await runtime.SendStimulusAsync(new Stimulus(HttpRoute.BookmarkName, targetRoute.Key)
            {
                CorrelationId = correlationId,
                WorkflowInstanceId = target,
                QueueIfUnmatched = false,
                Input = input,
            }, cancellationToken);
            instance = result.Resumed.FirstOrDefault();
            if (instance is null)
                return Problems.NotFound($"该工作流实例已不在 {display} 上等待。The workflow instance no longer waits on {display}.");
        }

        http.Response.Headers[InstanceHeader] = instance.Id;
        if (exchange.Serves(instance.Id) && exchange.Response is { } response) return new WrittenResponse(response);
        if (instance.Status == WorkflowStatus.Faulted)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The workflow could not process the request.",
                detail: $"工作流处理请求时出错。The workflow faulted: {instance.Incidents.LastOrDefault(i => i.ResolvedAt is null)?.Message}");
        return TypedResults.Ok();
    }

    private static Dictionary<string, JsonNode?> WithRouteValues(Dictionary<string, JsonNode?> input, RouteValueDictionary values)
    {
        input[HttpRequestInput.RouteData] = new JsonObject(values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value?.ToString()))));
        return input;
    }

    /// <summary>
    /// Why the caller may not use the route, or null when they may: not signed in, or failing the route's policy. A
    /// policy names one of the app's policies (Administrator, Reviewer, SignedIn) or a role (Participant).
    /// </summary>
    private static async Task<string?> RefusalAsync(HttpContext http, HttpRoute route, IAuthorizationService authorization, IAuthorizationPolicyProvider policies)
    {
        if (!route.Authorize) return null;
        if (http.User.Identity?.IsAuthenticated != true) return "not signed in";
        if (route.Policy is null) return null;
        if (await policies.GetPolicyAsync(route.Policy) is { } policy)
            return (await authorization.AuthorizeAsync(http.User, policy)).Succeeded ? null
                : $"此端点要求策略 {route.Policy}。The endpoint requires the policy '{route.Policy}'.";
        if (ManyiRoles.All.Contains(route.Policy))
            return http.User.IsInRole(route.Policy) ? null : $"此端点要求角色 {route.Policy}。The endpoint requires the role '{route.Policy}'.";
        return $"此端点要求的策略 {route.Policy} 不存在。The endpoint names the policy '{route.Policy}', which does not exist; use Administrator, Reviewer, SignedIn or Participant.";
    }

    private static IResult Ambiguous(string display, string why, string whyChinese) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Ambiguous request.",
            detail: $"{display} 的请求有歧义：{whyChinese}。The request to {display} is ambiguous: {why}.");

    /// <summary>The response the workflow wrote, as it wrote it.</summary>
    private sealed class WrittenResponse(WorkflowHttpResponse written) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = written.StatusCode;
            foreach (var (name, values) in written.Headers) http.Response.Headers[name] = values;
            if (written.ContentType is { } contentType) http.Response.ContentType = contentType;
            if (written.Content is { } content) await http.Response.WriteAsync(content, http.RequestAborted);
        }
    }
}

/// <summary>What <see cref="HttpWorkflowsEndpoint.HandleAsync"/> works with, bundled (one parameter instead of seven).</summary>
public sealed record HttpWorkflowServices(
    HttpRouteTable Routes, IWorkflowStore Store, WorkflowRuntime Runtime, HttpExchange Exchange, IOptions<HttpOptions> Options,
    IAuthorizationService Authorization, IAuthorizationPolicyProvider Policies);
