using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.WorkflowDefinitions;

/// <summary>What import says about files it cannot take: the exact status and a message naming the problem.</summary>
public sealed class ImportErrorsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Malformed_json_is_400_the_workflow_file_cannot_be_read(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", """{"definitionId": "broken", "root": {""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow file cannot be read.", problem.GetString("title"));
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.StartsWith("The workflow is not valid JSON:", problem.GetString("detail"));

        var notAnObject = await client.PostJsonAsync("/api/workflow-definitions/import", "[1, 2]").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow file cannot be read.", notAnObject.GetString("title"));
        Assert.Equal("The workflow must be a JSON object.", notAnObject.GetString("detail"));

        var noRoot = await client.PostJsonAsync("/api/workflow-definitions/import", """{"definitionId": "rootless"}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow file cannot be read.", noRoot.GetString("title"));
        Assert.Contains("root", noRoot.GetString("detail"));

        await AssertNothingImportedAsync(client);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_empty_body_is_400(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        foreach (var body in new[] { "", "   \n" })
        {
            var problem = await client.PostJsonAsync("/api/workflow-definitions/import", body).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("The workflow file cannot be read.", problem.GetString("title"));
            Assert.Equal("The request body is empty; send one Elsa 3 workflow definition as JSON.", problem.GetString("detail"));
        }
        var none = await client.PostAsync("/api/workflow-definitions/import", null, Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The request body is empty; send one Elsa 3 workflow definition as JSON.", none.GetString("detail"));
        await AssertNothingImportedAsync(client);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_unknown_activity_type_is_400_naming_the_activity_and_type(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var json = Workflows.Flowchart("unknown-type",
            $$"""{{Workflows.Start()}}, {"id": "mystery", "type": "Acme.Teleport"}""", Workflows.Connect("start", "mystery"));
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow is not valid.", problem.GetString("title"));
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Contains("Acme.Teleport", problem.GetString("detail"));

        var entry = Assert.Single(problem.GetArray("problems"));
        Assert.Equal("Error", entry.GetString("severity"));
        Assert.Equal("mystery", entry.GetString("activityId"));
        Assert.Equal("Acme.Teleport", entry.GetString("activityType"));
        Assert.Equal("the activity type 'Acme.Teleport' is unknown", entry.GetString("message"));

        var errors = problem["errors"]!.AsObject();
        var (key, messages) = Assert.Single(errors);
        Assert.Equal("mystery", key);
        Assert.Equal("Activity 'mystery' (Acme.Teleport): the activity type 'Acme.Teleport' is unknown",
            Assert.Single(messages!.AsArray())!.GetValue<string>());
        await AssertNothingImportedAsync(client);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_dangling_connection_is_400_naming_the_missing_activity(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var json = Workflows.Flowchart("dangling", $"{Workflows.Start()}, {Workflows.WriteLine("hello", "Hi")}",
            $"{Workflows.Connect("start", "hello")}, {Workflows.Connect("hello", "ghost")}");
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow is not valid.", problem.GetString("title"));
        var entry = Assert.Single(problem.GetArray("problems"));
        Assert.Equal("hello", entry.GetString("activityId"));
        Assert.Equal("connection 2 (hello:Done → ghost) is dangling: no activity has the id 'ghost'", entry.GetString("message"));
        Assert.Contains("ghost", problem.GetString("detail"));
        Assert.True(problem["errors"]!.AsObject().ContainsKey("hello"));
        await AssertNothingImportedAsync(client);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_CSharp_expression_is_400_naming_the_activity_and_input(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var json = Workflows.Flowchart("csharp", $"{Workflows.Start()}, {Workflows.WriteLine("say", "DateTime.Now.ToString()", "CSharp")}",
            Workflows.Connect("start", "say"));
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow is not valid.", problem.GetString("title"));
        var entry = Assert.Single(problem.GetArray("problems"));
        Assert.Equal("say", entry.GetString("activityId"));
        Assert.Equal("Elsa.WriteLine", entry.GetString("activityType"));
        Assert.Equal("text", entry.GetString("input"));
        Assert.Equal("C# is refused: Manyi cannot run C# in a sandbox, and outside one it could do anything the server can; write it in JavaScript or Liquid", entry.GetString("message"));
        Assert.Equal("Activity 'say' (Elsa.WriteLine): input 'text' C# is refused: Manyi cannot run C# in a sandbox, and outside one it could do anything the server can; write it in JavaScript or Liquid",
            Assert.Single(problem["errors"]!["say"]!.AsArray())!.GetValue<string>());
        await AssertNothingImportedAsync(client);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_definition_id_longer_than_128_characters_is_400_on_every_database(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var longest = new string('d', 128);
        Assert.Equal(longest, (await client.ImportAsync(Workflows.Hello(longest)))["definition"].GetString("definitionId"));

        var tooLong = new string('d', 129);
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", Workflows.Hello(tooLong)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The workflow is not valid.", problem.GetString("title"));
        Assert.Equal("the definitionId has 129 characters; at most 128 are allowed",
            Assert.Single(problem["errors"]!["workflow"]!.AsArray())!.GetValue<string>());
        Assert.Equal(1, (await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync())["totalCount"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Every_problem_is_listed_not_just_the_first(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var json = Workflows.Flowchart("many-problems",
            $$"""{{Workflows.Start()}}, {"id": "a", "type": "Acme.One"}, {"id": "b", "type": "Acme.Two"}""",
            $"{Workflows.Connect("start", "a")}, {Workflows.Connect("a", "b")}");
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["a", "b"], problem.GetArray("problems").Select(p => p.GetString("activityId")));
        Assert.Equal(["a", "b"], problem["errors"]!.AsObject().Select(p => p.Key).Order());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_real_export_with_a_byte_order_mark_comments_and_trailing_commas_is_accepted(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        // What ElsaJson reads, import reads: a BOM, comments and trailing commas, and a "version" to say what the change is based on.
        var json = "\uFEFF" + """
            {
              // exported from Elsa Studio
              "definitionId": "lenient",
              "version": 1,
              "root": {"id": "flowchart1", "type": "Elsa.Flowchart",
                "activities": [
                  {"id": "start", "type": "Elsa.Start"},
                  {"id": "hello", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "Hi"}}},
                ],
                "connections": [{"source": {"activity": "start", "port": "Done"}, "target": {"activity": "hello", "port": "In"}},],
              },
            }
            """;
        var imported = await client.ImportAsync(json);
        Assert.Equal("lenient", imported["definition"].GetString("definitionId"));

        // The "version" counts: the same file again is unchanged, a change on version 1 after version 2 exists is a conflict.
        Assert.Equal("Unchanged", (await client.ImportAsync(json, HttpStatusCode.OK)).GetString("outcome"));
        await client.PublishAsync("lenient");
        await client.ImportAsync(json.Replace("\"Hi\"", "\"Hi there\""));
        var conflict = await client.PostJsonAsync("/api/workflow-definitions/import", json.Replace("\"Hi\"", "\"Hello\""))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("Version conflict.", conflict.GetString("title"));
    }

    private static async Task AssertNothingImportedAsync(HttpClient client)
    {
        var list = await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync();
        Assert.Equal(0, list["totalCount"]!.GetValue<int>());
        Assert.Empty(list.GetArray("items"));
    }
}
