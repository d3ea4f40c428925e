using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.WorkflowDefinitions;

/// <summary>List, get, versions, export, publish, retract and execute; versioning through import.</summary>
public sealed class WorkflowDefinitionsApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task List_shows_the_latest_version_of_each_definition_with_its_published_version(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // counts and pages every definition: a host of its own
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Hello("alpha"));
        await client.ImportAsync(Workflows.Hello("alpha", "Hello again"));
        await client.ImportAsync(Workflows.Hello("beta"));
        await client.DeployAsync(Workflows.Hello("gamma"));

        var list = await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync();
        Assert.Equal(3, list["totalCount"]!.GetValue<int>());
        var items = list.GetArray("items");
        Assert.Equal(["alpha", "beta", "gamma"], items.Select(i => i.GetString("definitionId")));
        Assert.Equal([2, 1, 1], items.Select(i => i!["version"]!.GetValue<int>()));
        Assert.Equal(["Draft", "Draft", "Published"], items.Select(i => i.GetString("status")));
        Assert.Equal([1, null, 1], items.Select(i => i!["publishedVersion"]?.GetValue<int>()));
        Assert.All(items, i => Assert.True(i!["isLatest"]!.GetValue<bool>()));

        var page2 = await client.FetchAsync("/api/workflow-definitions?page=2&pageSize=2").ExpectOkAsync();
        Assert.Equal(3, page2["totalCount"]!.GetValue<int>());
        Assert.Equal(2, page2["pageNumber"]!.GetValue<int>());
        Assert.Equal(2, page2["pageSize"]!.GetValue<int>());
        Assert.Equal("gamma", Assert.Single(page2.GetArray("items")).GetString("definitionId"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Export_then_import_is_unchanged(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.ImportAsync(Workflows.WaitForEventExample());

        var response = await client.FetchAsync("/api/workflow-definitions/wait-for-event/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.ContentType()?.MediaType);
        Assert.Equal("wait-for-event-v1.json", response.Content.Headers.ContentDisposition?.FileName);
        var exported = await response.Content.ReadAsStringAsync(Ct);

        var reimported = await client.ImportAsync(exported, HttpStatusCode.OK);
        Assert.Equal("Unchanged", reimported.GetString("outcome"));
        Assert.Equal(1, reimported["definition"]!["version"]!.GetValue<int>());
        var versions = await client.FetchAsync("/api/workflow-definitions/wait-for-event/versions").ExpectOkAsync();
        Assert.Single(versions.AsArray());

        // Unchanged once published, too.
        await client.PublishAsync("wait-for-event");
        var published = await client.FetchAsync("/api/workflow-definitions/wait-for-event/export");
        var again = await client.ImportAsync(await published.Content.ReadAsStringAsync(Ct), HttpStatusCode.OK);
        Assert.Equal("Unchanged", again.GetString("outcome"));
        Assert.Single((await client.FetchAsync("/api/workflow-definitions/wait-for-event/versions").ExpectOkAsync()).AsArray());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_change_to_a_published_version_becomes_a_new_draft_and_the_published_version_stays_as_it_was(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        // The example under an id of its own: the class shares its host with another test of the example.
        const string id = "wait-for-event-changed";
        var example = JsonNode.Parse(Workflows.WaitForEventExample())!;
        example["definitionId"] = id;
        await client.DeployAsync(example.ToJsonString());
        var before = await ExportAsync(client, id, 1);
        var v1Before = await client.FetchAsync($"/api/workflow-definitions/{id}?version=1").ExpectOkAsync();

        var changed = JsonNode.Parse(before)!;
        changed["description"] = "Changed after publishing.";
        changed["root"]!["activities"]![3]!["text"]!["expression"]!["value"] = "'Trainees reported: ' + getLastResult().trainees";
        var response = await client.PostJsonAsync("/api/workflow-definitions/import", changed.ToJsonString());
        var imported = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("Created", imported.GetString("outcome"));
        Assert.Equal(2, imported["definition"]!["version"]!.GetValue<int>());
        Assert.Equal("Draft", imported["definition"].GetString("status"));
        Assert.Equal($"/api/workflow-definitions/{id}?version=2", response.Headers.Location?.OriginalString);

        var versions = (await client.FetchAsync($"/api/workflow-definitions/{id}/versions").ExpectOkAsync()).AsArray();
        Assert.Equal([2, 1], versions.Select(v => v!["version"]!.GetValue<int>()));
        Assert.Equal(["Draft", "Published"], versions.Select(v => v.GetString("status")));
        Assert.Equal([true, false], versions.Select(v => v!["isLatest"]!.GetValue<bool>()));
        Assert.All(versions, v => Assert.Equal(1, v!["publishedVersion"]!.GetValue<int>()));

        // Version 1 is byte for byte what it was; only the computed isLatest flag has moved on.
        var after = await ExportAsync(client, id, 1);
        Assert.Contains("\"isLatest\": true", before);
        Assert.Equal(before.Replace("\"isLatest\": true", "\"isLatest\": false"), after);
        var v1After = await client.FetchAsync($"/api/workflow-definitions/{id}?version=1").ExpectOkAsync();
        Assert.Equal("Published", v1After.GetString("status"));
        Assert.Equal(1, v1After["version"]!.GetValue<int>());
        Assert.True(v1After["isPublished"]!.GetValue<bool>());
        Assert.Equal(v1Before["root"]!.ToJsonString(), v1After["root"]!.ToJsonString());
        Assert.Equal(v1Before.GetString("description"), v1After.GetString("description"));

        // Without ?version, the latest.
        var latest = await client.FetchAsync($"/api/workflow-definitions/{id}").ExpectOkAsync();
        Assert.Equal(2, latest["version"]!.GetValue<int>());
        Assert.Equal("Draft", latest.GetString("status"));
        Assert.Equal("Changed after publishing.", latest.GetString("description"));
        Assert.False(latest["isPublished"]!.GetValue<bool>());

        // New instances still start on version 1 until version 2 is published.
        Assert.Equal(1, (await client.ExecuteAsync(id, "c-1"))["version"]!.GetValue<int>());
        var published = await client.PublishAsync(id);
        Assert.Equal(2, published["version"]!.GetValue<int>());
        Assert.Equal(2, (await client.ExecuteAsync(id, "c-2"))["version"]!.GetValue<int>());
        var statuses = (await client.FetchAsync($"/api/workflow-definitions/{id}/versions").ExpectOkAsync()).AsArray();
        Assert.Equal(["Published", "Retracted"], statuses.Select(v => v.GetString("status")));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Importing_a_change_to_a_draft_updates_it_in_place(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var created = await client.ImportAsync(Workflows.Hello("drafty"));
        var updated = await client.ImportAsync(Workflows.Hello("drafty", "Hello, changed"), HttpStatusCode.OK);
        Assert.Equal("Updated", updated.GetString("outcome"));
        Assert.Equal(1, updated["definition"]!["version"]!.GetValue<int>());
        Assert.Equal(created["definition"].GetString("id"), updated["definition"].GetString("id"));
        var stored = await client.FetchAsync("/api/workflow-definitions/drafty").ExpectOkAsync();
        Assert.Equal("Hello, changed", stored["root"]!["activities"]![1]!["text"]!["expression"]!["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Concurrent_changes_to_one_definition_happen_one_after_the_other(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        // A new definition, imported ten times at once: one creates it, the others update the draft.
        var created = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            client.PostJsonAsync("/api/workflow-definitions/import", Workflows.Hello("raced", $"draft {i}"))));
        Assert.All(created, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}"));
        Assert.Single(created, r => r.StatusCode == HttpStatusCode.Created);
        await client.PublishAsync("raced");

        // Ten changes to the published version at once: one adds version 2, the others update that draft.
        var changed = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            client.PostJsonAsync("/api/workflow-definitions/import", Workflows.Hello("raced", $"change {i}"))));
        Assert.All(changed, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}"));
        Assert.Single(changed, r => r.StatusCode == HttpStatusCode.Created);
        var versions = (await client.FetchAsync("/api/workflow-definitions/raced/versions").ExpectOkAsync()).AsArray();
        Assert.Equal(["Draft", "Published"], versions.Select(v => v.GetString("status")));

        // A definition an event starts, published four times at once, registers its trigger once: one event, one instance.
        await client.ImportAsync(Workflows.Flowchart("on-go",
            """{"id": "on", "type": "Elsa.Event", "customProperties": {"canStartWorkflow": true}, "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "go"} } }, """
            + Workflows.WriteLine("say", "Going"), Workflows.Connect("on", "say")));
        var published = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.PostJsonAsync("/api/workflow-definitions/on-go/publish", null)));
        Assert.All(published, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var triggered = await client.TriggerAsync("go", new JsonObject());
        Assert.Single(triggered.GetArray("started"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Get_versions_and_export_of_an_unknown_definition_or_version_are_404(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.ImportAsync(Workflows.Hello("known"));

        foreach (var url in new[] { "/api/workflow-definitions/nope", "/api/workflow-definitions/nope/versions", "/api/workflow-definitions/nope/export" })
        {
            var problem = await client.FetchAsync(url).ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("Workflow definition 'nope' does not exist.", problem.GetString("detail"));
        }
        foreach (var url in new[] { "/api/workflow-definitions/known?version=7", "/api/workflow-definitions/known/export?version=7" })
        {
            var problem = await client.FetchAsync(url).ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("Workflow definition 'known' has no version 7.", problem.GetString("detail"));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Import_based_on_an_older_version_is_a_version_conflict(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Hello("conflicted"));
        var v1 = JsonNode.Parse(await ExportAsync(client, "conflicted", 1))!;
        var v2 = v1.DeepClone();
        v2["description"] = "version 2";
        Assert.Equal(2, (await client.ImportAsync(v2.ToJsonString()))["definition"]!["version"]!.GetValue<int>());

        var stale = v1.DeepClone();
        stale["description"] = "someone else's change, made on version 1";
        Assert.Equal(1, stale["version"]!.GetValue<int>());
        var problem = await client.PostJsonAsync("/api/workflow-definitions/import", stale.ToJsonString()).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("Version conflict.", problem.GetString("title"));
        Assert.Equal(409, problem["status"]!.GetValue<int>());
        Assert.Equal("Workflow definition 'conflicted' has moved on to version 2 since version 1; export version 2, apply the change and import again.",
            problem.GetString("detail"));

        Assert.Equal(2, (await client.FetchAsync("/api/workflow-definitions/conflicted/versions").ExpectOkAsync()).AsArray().Count);
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Import_of_a_version_ahead_of_the_store_is_stored_as_the_next_version_and_says_so(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var id = Unique.Id("ahead");
        await client.DeployAsync(Workflows.Hello(id));
        var draft = JsonNode.Parse(await ExportAsync(client, id, 1))!;
        draft["description"] = "a draft in progress";
        Assert.Equal(2, (await client.ImportAsync(draft.ToJsonString()))["definition"]!["version"]!.GetValue<int>());

        var fromElsewhere = draft.DeepClone();
        fromElsewhere["version"] = 9;
        fromElsewhere["description"] = "made in Elsa Studio, version 9 there";
        var imported = await client.ImportAsync(fromElsewhere.ToJsonString());

        Assert.Equal("Created", imported.GetString("outcome"));
        Assert.Equal(3, imported["definition"]!["version"]!.GetValue<int>());
        Assert.Equal("The file's version 9 is ahead of the latest stored version 2; it was stored as version 3.", imported.GetString("notice"));
        var versions = (await client.FetchAsync($"/api/workflow-definitions/{id}/versions").ExpectOkAsync()).AsArray();
        Assert.Equal(3, versions.Count);
        // The draft someone was working on is still there, unchanged.
        Assert.Equal("a draft in progress", JsonNode.Parse(await ExportAsync(client, id, 2))!.GetString("description"));
        Assert.Equal("made in Elsa Studio, version 9 there", JsonNode.Parse(await ExportAsync(client, id, 3))!.GetString("description"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Publish_and_retract(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.ImportAsync(Workflows.Hello("toggled"));

        var nothingPublished = await client.PostJsonAsync("/api/workflow-definitions/toggled/retract", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("Workflow definition 'toggled' has no published version to retract.", nothingPublished.GetString("detail"));

        await client.PublishAsync("toggled");
        var again = await client.PublishAsync("toggled"); // idempotent
        Assert.Equal("Published", again.GetString("status"));
        var finished = await client.ExecuteAsync("toggled");
        Assert.Equal("Finished", finished.GetString("status"));

        var retracted = await client.PostJsonAsync("/api/workflow-definitions/toggled/retract", null).ExpectOkAsync();
        Assert.Equal("Retracted", retracted.GetString("status"));
        Assert.Null(retracted["publishedVersion"]);
        var noVersion = await client.PostJsonAsync("/api/workflow-definitions/toggled/execute", "{}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Workflow definition 'toggled' has no published version.", noVersion.GetString("detail"));

        var unknownPublish = await client.PostJsonAsync("/api/workflow-definitions/nope/publish", null).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Workflow definition 'nope' does not exist.", unknownPublish.GetString("detail"));
        var unknownRetract = await client.PostJsonAsync("/api/workflow-definitions/nope/retract", null).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Workflow definition 'nope' does not exist.", unknownRetract.GetString("detail"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Execute_needs_a_published_version(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var before = await InstanceCountAsync(client); // the class shares its host: count what this test adds
        await client.ImportAsync(Workflows.Hello("unpublished"));

        var draftOnly = await client.PostJsonAsync("/api/workflow-definitions/unpublished/execute", "{}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Not found.", draftOnly.GetString("title"));
        Assert.Equal("Workflow definition 'unpublished' has no published version.", draftOnly.GetString("detail"));
        var unknown = await client.PostJsonAsync("/api/workflow-definitions/nope/execute", "{}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Workflow definition 'nope' has no published version.", unknown.GetString("detail"));
        Assert.Equal(before, await InstanceCountAsync(client));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Execute_takes_a_correlation_id_and_input_or_no_body_at_all(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Flowchart("greeter",
            $"{Workflows.Start()}, {Workflows.WriteLine("greet", "Hello {{ Input.name }} of {{ CorrelationId }}", "Liquid")}",
            Workflows.Connect("start", "greet")));

        var withBody = await client.PostJsonAsync("/api/workflow-definitions/greeter/execute",
            """{"correlationId": "henan", "input": {"name": "Li Lei"}}""").ExpectOkAsync();
        Assert.Equal("Finished", withBody.GetString("status"));
        Assert.Equal("henan", withBody.GetString("correlationId"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{withBody.GetString("id")}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == "Hello Li Lei of henan");

        var noBody = await client.PostAsync("/api/workflow-definitions/greeter/execute", null, Ct).ExpectOkAsync();
        Assert.Equal("Finished", noBody.GetString("status"));
        Assert.Null(noBody["correlationId"]);
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_malformed_execute_body_is_400_with_a_detail(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var before = await InstanceCountAsync(client); // the class shares its host: count what this test adds
        await client.DeployAsync(Workflows.Hello("strict"));

        var problem = await client.PostJsonAsync("/api/workflow-definitions/strict/execute", """{"correlationId": """).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The request cannot be read.", problem.GetString("title"));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetString("detail")));

        var wrongShape = await client.PostJsonAsync("/api/workflow-definitions/strict/execute", """{"input": [1, 2]}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The request cannot be read.", wrongShape.GetString("title"));
        Assert.Contains("input", wrongShape.GetString("detail"), StringComparison.OrdinalIgnoreCase);
        // Said without a .NET type (the reader names the request's record, Manyi.Web…ExecuteRequest, here).
        Assert.Equal("'input': The value is not of the kind this field takes (see the API's description).", wrongShape.GetString("detail"));

        // A correlation id longer than the database holds is bad input, not a 500 on PostgreSQL.
        var tooLong = await client.PostJsonAsync("/api/workflow-definitions/strict/execute",
            new JsonObject { ["correlationId"] = new string('c', 257) }.ToJsonString()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The correlation id has 257 characters; at most 256 are allowed.",
            Assert.Single(tooLong["errors"]!["correlationId"]!.AsArray())!.GetValue<string>());

        Assert.Equal(before, await InstanceCountAsync(client));
        var longest = await client.ExecuteAsync("strict", new string('c', 256));
        Assert.Equal(new string('c', 256), longest.GetString("correlationId"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Import_publish_and_retract_answer_with_the_version_as_it_now_stands(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var first = await client.ImportAsync(Workflows.Hello("summarized"));
        await AssertMatchesVersionsAsync(client, first["definition"]!, version: 1, "Draft", isLatest: true, publishedVersion: null);
        await AssertMatchesVersionsAsync(client, await client.PublishAsync("summarized"), version: 1, "Published", isLatest: true, publishedVersion: 1);
        var v1 = await ExportAsync(client, "summarized", 1);

        var second = await client.ImportAsync(Workflows.Hello("summarized", "Hello, draft 2"));
        await AssertMatchesVersionsAsync(client, second["definition"]!, version: 2, "Draft", isLatest: true, publishedVersion: 1);

        // Version 1's own file again: nothing changes, and the answer is version 1 as it stands.
        var unchanged = await client.ImportAsync(v1, HttpStatusCode.OK);
        Assert.Equal("Unchanged", unchanged.GetString("outcome"));
        await AssertMatchesVersionsAsync(client, unchanged["definition"]!, version: 1, "Published", isLatest: false, publishedVersion: 1);

        var retracted = await client.PostJsonAsync("/api/workflow-definitions/summarized/retract", null).ExpectOkAsync();
        await AssertMatchesVersionsAsync(client, retracted, version: 1, "Retracted", isLatest: false, publishedVersion: null);
    }

    /// <summary>A summary in an answer says what the versions list says about that version.</summary>
    private static async Task AssertMatchesVersionsAsync(HttpClient client, JsonNode summary, int version, string status, bool isLatest, int? publishedVersion)
    {
        var listed = (await client.FetchAsync($"/api/workflow-definitions/{summary.GetString("definitionId")}/versions").ExpectOkAsync())
            .AsArray().Single(v => v!["version"]!.GetValue<int>() == version)!;
        foreach (var (node, source) in new[] { (summary, "the answer"), (listed, "the versions list") })
        {
            var actual = (node["version"]!.GetValue<int>(), node.GetString("status"), node["isLatest"]!.GetValue<bool>(),
                node["isPublished"]!.GetValue<bool>(), node["publishedVersion"]?.GetValue<int>());
            Assert.True((version, status, isLatest, status == "Published", publishedVersion) == actual,
                $"In {source}: expected version {version} {status}, isLatest {isLatest}, publishedVersion {publishedVersion}; got {node.ToJsonString()}");
        }
        Assert.Equal(listed.GetString("id"), summary.GetString("id"));
    }

    private static async Task<int> InstanceCountAsync(HttpClient client) =>
        (await client.FetchAsync("/api/workflow-instances").ExpectOkAsync())["totalCount"]!.GetValue<int>();

    private static async Task<string> ExportAsync(HttpClient client, string definitionId, int version)
    {
        var response = await client.FetchAsync($"/api/workflow-definitions/{definitionId}/export?version={version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }
}
