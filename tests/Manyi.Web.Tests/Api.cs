using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests;

/// <summary>Small helpers for calling the API and reading its JSON.</summary>
public static class Api
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string? json) =>
        client.PostAsync(url, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    public static Task<HttpResponseMessage> FetchAsync(this HttpClient client, string url) => client.GetAsync(url, Ct);

    /// <summary>Asserts the status (showing the body when it differs) and returns the body as JSON.</summary>
    public static async Task<JsonNode> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status,
            $"Expected {(int)status} {status} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        if ((int)status >= 400)
            Assert.True(response.ContentType()?.MediaType == "application/problem+json",
                $"An error is an RFC 9457 problem details body, application/problem+json; {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {response.ContentType()}: {body}");
        return JsonNode.Parse(body) ?? throw new InvalidOperationException("The response body is JSON null.");
    }

    public static async Task<JsonNode> ExpectAsync(this Task<HttpResponseMessage> response, HttpStatusCode status) =>
        await (await response).ExpectAsync(status);

    public static Task<JsonNode> ExpectOkAsync(this Task<HttpResponseMessage> response) => response.ExpectAsync(HttpStatusCode.OK);

    /// <summary>Imports a definition (201 or 200) and returns the import response.</summary>
    public static async Task<JsonNode> ImportAsync(this HttpClient client, string json, HttpStatusCode expected = HttpStatusCode.Created) =>
        await client.PostJsonAsync("/api/workflow-definitions/import", json).ExpectAsync(expected);

    public static Task<JsonNode> PublishAsync(this HttpClient client, string definitionId) =>
        client.PostJsonAsync($"/api/workflow-definitions/{definitionId}/publish", null).ExpectOkAsync();

    /// <summary>Imports and publishes a definition.</summary>
    public static async Task DeployAsync(this HttpClient client, string json)
    {
        var imported = await client.ImportAsync(json);
        await client.PublishAsync(imported["definition"]!["definitionId"]!.GetValue<string>());
    }

    /// <summary>Starts the published version; returns the instance.</summary>
    public static Task<JsonNode> ExecuteAsync(this HttpClient client, string definitionId, string? correlationId = null) =>
        client.PostJsonAsync($"/api/workflow-definitions/{definitionId}/execute",
            correlationId is null ? "{}" : new JsonObject { ["correlationId"] = correlationId }.ToJsonString()).ExpectOkAsync();

    public static Task<JsonNode> GetInstanceAsync(this HttpClient client, string instanceId) =>
        client.FetchAsync($"/api/workflow-instances/{instanceId}").ExpectOkAsync();

    public static Task<JsonNode> TriggerAsync(this HttpClient client, string eventName, JsonObject body) =>
        client.PostJsonAsync($"/api/events/{eventName}/trigger", body.ToJsonString()).ExpectOkAsync();

    public static string GetString(this JsonNode? node, string key) =>
        node?[key]?.GetValue<string>() ?? throw new InvalidOperationException($"No string '{key}' in {node?.ToJsonString()}.");

    public static JsonArray GetArray(this JsonNode? node, string key) =>
        node?[key] as JsonArray ?? throw new InvalidOperationException($"No array '{key}' in {node?.ToJsonString()}.");

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}

/// <summary>Elsa 3 workflow JSON for the tests, each built from scratch so that no test shares another's data.</summary>
public static class Workflows
{
    public static string Flowchart(string definitionId, string activities, string connections, string extra = "") =>
        $$"""
        {"definitionId": "{{definitionId}}", "name": "{{definitionId}}", {{extra}}
         "root": {"id": "flowchart1", "type": "Elsa.Flowchart", "activities": [{{activities}}], "connections": [{{connections}}] } }
        """;

    public static string Connect(string from, string to, string port = "Done") =>
        $$"""{"source": {"activity": "{{from}}", "port": "{{port}}"}, "target": {"activity": "{{to}}", "port": "In" } }""";

    public static string Start(string id = "start") => $$"""{"id": "{{id}}", "type": "Elsa.Start"}""";

    public static string WriteLine(string id, string text, string expressionType = "Literal") =>
        $$"""{"id": "{{id}}", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "{{expressionType}}", "value": "{{text}}" } } }""";

    public static string Event(string id, string eventName) =>
        $$"""{"id": "{{id}}", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "{{eventName}}" } } }""";

    public static string Fault(string id, string message) =>
        $$"""{"id": "{{id}}", "type": "Elsa.Fault", "message": {"typeName": "String", "expression": {"type": "Literal", "value": "{{message}}" } } }""";

    /// <summary>
    /// Start → a ForEach over ["a", "b"] whose body is a Sequence "steps" holding <paramref name="inside"/> (a WriteLine
    /// "say" unless given) → WriteLine "after": a Sequence inside a ForEach inside the flowchart.
    /// </summary>
    public static string Nested(string definitionId, string? inside = null) =>
        Flowchart(definitionId,
            $$$"""
            {{{Start()}}},
            {"id": "loop", "type": "Elsa.ForEach", "name": "逐个单位",
             "items": {"typeName": "Object", "expression": {"type": "Literal", "value": ["a", "b"]}},
             "body": {"id": "steps", "type": "Elsa.Sequence", "activities": [{{{inside ?? WriteLine("say", "hi")}}}]}},
            {{{WriteLine("after", "after")}}}
            """,
            $"{Connect("start", "loop")}, {Connect("loop", "after")}");

    /// <summary>Start → WriteLine "Hello" → end: finishes at once.</summary>
    public static string Hello(string definitionId, string text = "Hello") =>
        Flowchart(definitionId, $"{Start()}, {WriteLine("hello", text)}", Connect("start", "hello"));

    /// <summary>
    /// Start → a headcount report (<c>Manyi.UserTask</c> "report", stage <c>headcount</c>, outcome <c>Submitted</c>), one
    /// task per organization, due <paramref name="due"/> (2099-04-30 18:00 Beijing time unless given), with an optional
    /// form → WriteLine "done".
    /// </summary>
    public static string HeadcountReport(string definitionId, string[] organizations, string? formJson = null, string due = "2099-04-30T18:00:00+08:00") =>
        Flowchart(definitionId,
            $$$"""
            {{{Start()}}},
            {"id": "report", "type": "Manyi.UserTask",
             "title": {"typeName": "String", "expression": {"type": "Literal", "value": "培训人数报送 Headcount report"}},
             "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "headcount"}},
             "organizations": {"typeName": "String[]", "expression": {"type": "Literal", "value": {{{System.Text.Json.JsonSerializer.Serialize(organizations)}}}}},
             "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "{{{due}}}"}},
             "outcomes": ["Submitted"]{{{(formJson is null ? "" : ", \"form\": " + formJson)}}}},
            {{{WriteLine("done", "done")}}}
            """,
            $"{Connect("start", "report")}, {Connect("report", "done", "Submitted")}");

    /// <summary>Start → wait for <paramref name="eventName"/> → WriteLine: suspends until the event.</summary>
    public static string WaitFor(string definitionId, string eventName) =>
        Flowchart(definitionId, $"{Start()}, {Event("wait", eventName)}, {WriteLine("after", "Arrived")}",
            $"{Connect("start", "wait")}, {Connect("wait", "after")}");

    /// <summary>Start → Fault: faults every time it runs.</summary>
    public static string Faulting(string definitionId, string message) =>
        Flowchart(definitionId, $"{Start()}, {Fault("boom", message)}", Connect("start", "boom"));

    /// <summary>The repository's docs/examples/wait-for-event.json.</summary>
    public static string WaitForEventExample() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "examples", "wait-for-event.json"));

    /// <summary>The full path of a file of the repository, e.g. <c>workflows/campaign.json</c>.</summary>
    public static string RepositoryFilePath(string relative) => Path.Combine(RepositoryRoot(), relative);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "docs")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root (global.json) above {AppContext.BaseDirectory}.");
    }
}
