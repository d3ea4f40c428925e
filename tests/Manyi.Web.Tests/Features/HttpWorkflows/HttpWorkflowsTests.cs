using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.HttpWorkflows;

/// <summary>Workflows' HTTP endpoints served under /workflows: started and resumed by real requests, routed, refused.</summary>
public sealed class HttpWorkflowsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Input(string typeName, string type, JsonNode? value) =>
        new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = type, ["value"] = value } };

    private static string Endpoint(string id, string path, string[] methods, bool canStart = false, string? policy = null)
    {
        var activity = new JsonObject
        {
            ["id"] = id, ["name"] = id, ["type"] = "Elsa.HttpEndpoint",
            ["path"] = Input("String", "Literal", path),
            ["supportedMethods"] = Input("String[]", "Object", System.Text.Json.JsonSerializer.Serialize(methods)),
        };
        if (canStart) activity["customProperties"] = new JsonObject { ["canStartWorkflow"] = true };
        if (policy is not null)
        {
            activity["authorize"] = Input("Boolean", "Literal", "true");
            activity["policy"] = Input("String", "Literal", policy);
        }
        return activity.ToJsonString();
    }

    private static string Respond(string id, string status, string contentJs, string contentType = "") => new JsonObject
    {
        ["id"] = id, ["type"] = "Elsa.WriteHttpResponse",
        ["statusCode"] = Input("System.Net.HttpStatusCode, System.Net.Primitives", "Literal", status),
        ["content"] = Input("Object", "JavaScript", contentJs),
        ["contentType"] = Input("String", "Literal", contentType),
        ["responseHeaders"] = Input("Object", "Object", """{"X-Order": ["seen"]}"""),
    }.ToJsonString();

    /// <summary>POST /orders starts an order (201 with its number); POST /orders/{id}/confirm resumes it (200 "confirmed …").</summary>
    private static string Orders() => Workflows.Flowchart("orders",
        $"""
        {Endpoint("placed", "orders", ["POST"], canStart: true)},
        {Respond("accepted", "Created", "({ order: getOutputFrom('placed', 'ParsedContent').order, correlation: getCorrelationId() })")},
        {Endpoint("confirm", "orders/{id}/confirm", ["POST", "PUT"])},
        {Respond("confirmed", "200", "'confirmed ' + getOutputFrom('confirm', 'RouteData').id + ' by ' + getOutputFrom('confirm', 'ParsedContent').by", "text/plain")}
        """,
        $"{Workflows.Connect("placed", "accepted")}, {Workflows.Connect("accepted", "confirm")}, {Workflows.Connect("confirm", "confirmed")}");

    private static HttpRequestMessage Post(string url, string? json, string? correlationId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (correlationId is not null) request.Headers.Add("X-Correlation-ID", correlationId);
        return request;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_request_starts_an_instance_and_a_later_one_resumes_it_each_answered_by_the_workflow(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateClient().DeployAsync(Orders());
        var caller = app.CreateAnonymousClient();

        using var placed = await caller.SendAsync(Post("/workflows/orders?source=wechat", """{"order": "A-1"}""", correlationId: "mobile-zhengzhou"), Ct);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal("application/json", placed.ContentType()?.MediaType);
        Assert.Equal(["seen"], placed.Headers.GetValues("X-Order"));
        var accepted = JsonNode.Parse(await placed.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("A-1", accepted.GetString("order"));
        Assert.Equal("mobile-zhengzhou", accepted.GetString("correlation"));
        var instanceId = placed.Headers.GetValues("X-Workflow-Instance-ID").Single();

        var waiting = await app.CreateClient().GetInstanceAsync(instanceId);
        Assert.Equal("Suspended", waiting.GetString("status"));
        Assert.Equal("mobile-zhengzhou", waiting.GetString("correlationId"));
        var bookmark = Assert.Single(waiting.GetArray("bookmarks"));
        Assert.Equal("POST,PUT /orders/{id}/confirm", bookmark.GetString("key"));

        using var confirmed = await caller.SendAsync(Post("/workflows/Orders/A-1/confirm", """{"by": "张三"}""", correlationId: "mobile-zhengzhou"), Ct);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("text/plain", confirmed.ContentType()?.MediaType);
        Assert.Equal("confirmed A-1 by 张三", await confirmed.Content.ReadAsStringAsync(Ct));
        Assert.Equal(instanceId, confirmed.Headers.GetValues("X-Workflow-Instance-ID").Single());

        var finished = await app.CreateClient().GetInstanceAsync(instanceId);
        Assert.Equal("Finished", finished.GetString("status"));
        Assert.Empty(finished.GetArray("bookmarks"));

        // The endpoint waits no more: the same request finds nothing.
        using var again = await caller.SendAsync(Post("/workflows/orders/A-1/confirm", "{}", correlationId: "mobile-zhengzhou"), Ct);
        await again.ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Requests_that_match_no_endpoint_the_wrong_method_or_several_waiting_instances_are_refused_with_problem_details()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        await app.CreateClient().DeployAsync(Orders());
        var caller = app.CreateAnonymousClient();

        var unknown = await caller.SendAsync(Post("/workflows/nowhere", "{}"), Ct).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("/workflows/nowhere", unknown.GetString("detail"));

        using var get = await caller.GetAsync("/workflows/orders", Ct);
        var wrongMethod = await get.ExpectAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        Assert.Contains("does not accept GET", wrongMethod.GetString("detail"));

        var broken = await caller.SendAsync(Post("/workflows/orders", "{not json"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(broken["errors"]?["body"]);

        (await caller.SendAsync(Post("/workflows/orders", """{"order": "B-1"}""", "a"), Ct)).EnsureSuccessStatusCode();
        (await caller.SendAsync(Post("/workflows/orders", """{"order": "B-2"}""", "b"), Ct)).EnsureSuccessStatusCode();
        var ambiguous = await caller.SendAsync(Post("/workflows/orders/B-1/confirm", """{"by": "x"}"""), Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("X-Correlation-ID", ambiguous.GetString("detail"));
        var nobody = await caller.SendAsync(Post("/workflows/orders/B-1/confirm", """{"by": "x"}""", "c"), Ct).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("correlation", nobody.GetString("detail"));

        using var byQuery = await caller.SendAsync(Post("/workflows/orders/B-2/confirm?correlationId=b", """{"by": "李四"}"""), Ct);
        Assert.Equal("confirmed B-2 by 李四", await byQuery.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_endpoint_that_requires_a_policy_answers_401_to_strangers_403_to_others_and_runs_for_the_right_caller()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var admin = app.CreateClient();
        await admin.DeployAsync(Workflows.Flowchart("admin-only",
            Endpoint("hook", "admin/report", ["POST"], canStart: true, policy: "Administrator"),
            ""));
        await app.CreateUserAsync("participant@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        var participant = await app.CreateClientForAsync("participant@example.org");

        await app.CreateAnonymousClient().SendAsync(Post("/workflows/admin/report", "{}"), Ct).ExpectAsync(HttpStatusCode.Unauthorized);
        var forbidden = await participant.SendAsync(Post("/workflows/admin/report", "{}"), Ct).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Contains("Administrator", forbidden.GetString("detail"));

        // No response written: 200 with an empty body, as in Elsa, and the instance's id to address it later.
        using var ran = await admin.SendAsync(Post("/workflows/admin/report", "{}"), Ct);
        Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        Assert.Equal("", await ran.Content.ReadAsStringAsync(Ct));
        var instance = await admin.GetInstanceAsync(ran.Headers.GetValues("X-Workflow-Instance-ID").Single());
        Assert.Equal("Finished", instance.GetString("status"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_training_sign_up_webhook_takes_a_sign_up_and_refuses_an_incomplete_one(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var admin = app.CreateClient();
        await admin.DeployAsync(await File.ReadAllTextAsync(Workflows.RepositoryFilePath("workflows/training-signup-webhook.json"), Ct));
        var wechat = app.CreateAnonymousClient();

        using var received = await wechat.SendAsync(Post("/workflows/training/signups",
            """{"name": "王芳", "organizationId": "mobile-zhengzhou", "organizationName": "郑州移动", "phone": "13800000000", "course": "满意度测评培训"}"""), Ct);
        var body = await received.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, body["code"]!.GetValue<int>());
        var instance = await admin.GetInstanceAsync(received.Headers.GetValues("X-Workflow-Instance-ID").Single());
        Assert.Equal("Finished", instance.GetString("status"));
        Assert.Equal("mobile-zhengzhou", instance.GetString("correlationId"));
        Assert.Equal("培训报名 王芳", instance.GetString("name"));
        Assert.Equal("郑州移动", instance["output"]!["signup"].GetString("organizationName"));
        var journal = await admin.FetchAsync($"/api/workflow-instances/{instance.GetString("id")}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == "报名 Sign-up: 王芳, 郑州移动, 满意度测评培训");

        using var incomplete = await wechat.SendAsync(Post("/workflows/training/signups", """{"name": "王芳"}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        Assert.Equal(400, JsonNode.Parse(await incomplete.Content.ReadAsStringAsync(Ct))!["code"]!.GetValue<int>());
    }
}
