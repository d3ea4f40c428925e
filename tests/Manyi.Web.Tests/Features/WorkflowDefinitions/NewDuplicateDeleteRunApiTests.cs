using System.Net;
using System.Text.Json.Nodes;
using Manyi.Web.Tests.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Tests.Features.WorkflowDefinitions;

/// <summary>A new workflow from a template, a copy, deleting a draft and its refusals, and a run whose inputs are checked (issue 21).</summary>
public sealed class NewDuplicateDeleteRunApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_new_workflow_comes_from_a_template_as_draft_version_1_and_a_wrong_template_or_id_is_named(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var templates = (await client.FetchAsync("/api/workflow-definitions/templates").ExpectOkAsync()).AsArray();
        Assert.Equal("blank", templates[0].GetString("key"));
        Assert.Contains(templates, t => t.GetString("key") == "task-for-every-organization" && t.GetString("name")!.StartsWith("为每个参评单位创建一项任务"));

        var created = await client.PostJsonAsync("/api/workflow-definitions", """{"name": "整改报告 Corrective actions", "template": "task-for-every-organization", "definitionId": "corrective-new"}""")
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("corrective-new", created.GetString("definitionId"));
        Assert.Equal(1, created["version"]!.GetValue<int>());
        Assert.Equal("Draft", created.GetString("status"));
        Assert.Equal("整改报告 Corrective actions", created.GetString("name"));
        var definition = await client.FetchAsync("/api/workflow-definitions/corrective-new").ExpectOkAsync();
        Assert.Equal(["title", "organizations", "dueDate"], definition.GetArray("inputs").Select(i => i.GetString("name")));

        // Without an id, one made from the template's, never one that is taken.
        var blank1 = await client.PostJsonAsync("/api/workflow-definitions", "{}").ExpectAsync(HttpStatusCode.Created);
        var blank2 = await client.PostJsonAsync("/api/workflow-definitions", "{}").ExpectAsync(HttpStatusCode.Created);
        Assert.StartsWith("workflow", blank1.GetString("definitionId"));
        Assert.NotEqual(blank1.GetString("definitionId"), blank2.GetString("definitionId"));
        Assert.Equal("空白流程 Blank workflow", blank2.GetString("name"));

        var unknown = await client.PostJsonAsync("/api/workflow-definitions", """{"template": "nope"}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("nope", unknown["errors"]!["template"]![0]!.GetValue<string>());
        var badId = await client.PostJsonAsync("/api/workflow-definitions", """{"definitionId": "no spaces/here"}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(badId["errors"]!["definitionId"]);
        var taken = await client.PostJsonAsync("/api/workflow-definitions", """{"definitionId": "corrective-new"}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("corrective-new", taken.GetString("detail"));
        var versions = await client.FetchAsync("/api/workflow-definitions/corrective-new/versions").ExpectOkAsync();
        Assert.Single(versions.AsArray());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_copy_is_a_new_draft_and_only_a_draft_can_be_deleted(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Hello("copied"));

        var copy = await client.PostJsonAsync("/api/workflow-definitions/copied/duplicate", null).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("copied-copy", copy.GetString("definitionId"));
        Assert.Equal("Draft", copy.GetString("status"));
        Assert.Equal(1, copy["version"]!.GetValue<int>());
        Assert.Contains("副本", copy.GetString("name"));
        var second = await client.PostJsonAsync("/api/workflow-definitions/copied/duplicate", null).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("copied-copy-2", second.GetString("definitionId"));
        await client.PostJsonAsync("/api/workflow-definitions/nope/duplicate", null).ExpectAsync(HttpStatusCode.NotFound);

        // The published original: refused, saying why; nothing changes.
        var refused = await client.DeleteAsync("/api/workflow-definitions/copied/draft", Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已发布", refused.GetString("detail"));
        Assert.Contains("published", refused.GetString("detail"));
        Assert.Equal("Published", (await client.FetchAsync("/api/workflow-definitions/copied").ExpectOkAsync()).GetString("status"));

        // A draft after the published version: only the draft goes.
        await client.ImportAsync(Workflows.Hello("copied", "changed"));
        var deleted = await client.DeleteAsync("/api/workflow-definitions/copied/draft", Ct).ExpectOkAsync();
        Assert.Equal(2, deleted["version"]!.GetValue<int>());
        var versions = (await client.FetchAsync("/api/workflow-definitions/copied/versions").ExpectOkAsync()).AsArray();
        Assert.Equal("Published", Assert.Single(versions).GetString("status"));

        // A retracted version ran once: refused too.
        await client.PostJsonAsync("/api/workflow-definitions/copied/retract", null).ExpectOkAsync();
        var retracted = await client.DeleteAsync("/api/workflow-definitions/copied/draft", Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("retracted", retracted.GetString("detail"));

        // A copy never published: gone altogether.
        await client.DeleteAsync("/api/workflow-definitions/copied-copy/draft", Ct).ExpectOkAsync();
        await client.FetchAsync("/api/workflow-definitions/copied-copy").ExpectAsync(HttpStatusCode.NotFound);
        await client.DeleteAsync("/api/workflow-definitions/copied-copy/draft", Ct).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_draft_from_an_older_version_reverts_to_it_and_never_overwrites_a_draft(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Hello("reverted", "first"));
        await client.DeployAsync(Workflows.Hello("reverted", "second"));

        var latest = await client.PostJsonAsync("/api/workflow-definitions/reverted/versions/2/draft", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("最新版本", latest.GetString("detail"));
        var draft = await client.PostJsonAsync("/api/workflow-definitions/reverted/versions/1/draft", null).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(3, draft["version"]!.GetValue<int>());
        Assert.Equal("Draft", draft.GetString("status"));
        Assert.Equal(2, draft["publishedVersion"]!.GetValue<int>());
        var first = JsonNode.Parse(await (await client.FetchAsync("/api/workflow-definitions/reverted/export?version=1")).Content.ReadAsStringAsync(Ct))!;
        var third = JsonNode.Parse(await (await client.FetchAsync("/api/workflow-definitions/reverted/export?version=3")).Content.ReadAsStringAsync(Ct))!;
        Assert.True(JsonNode.DeepEquals(first["root"], third["root"]), "version 3 has version 1's activities");
        var audited = await app.QueryAsync(db => db.AuditEntries.Where(a => a.SubjectId == "reverted").Select(a => a.Action).ToListAsync(Ct));
        Assert.Equal(1, audited.Count(a => a == "workflow.draft-from-version"));

        // Now the latest is a draft: another revert would overwrite it, and is refused naming it.
        var overwrite = await client.PostJsonAsync("/api/workflow-definitions/reverted/versions/2/draft", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("draft, version 3", overwrite.GetString("detail"));
        await client.PostJsonAsync("/api/workflow-definitions/reverted/versions/9/draft", null).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_run_checks_the_declared_inputs_and_names_the_wrong_one(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        foreach (var (id, name) in new[] { ("run-org-a", "郑州移动"), ("run-org-b", "洛阳联通") })
            await client.PostJsonAsync("/api/organizations", $$"""{"id": "{{id}}", "name": "{{name}}", "operator": "移动", "city": "郑州"}""").ExpectAsync(HttpStatusCode.Created);
        await client.PostJsonAsync("/api/workflow-definitions", """{"template": "task-for-every-organization", "definitionId": "run-checked"}""").ExpectAsync(HttpStatusCode.Created);
        await client.PublishAsync("run-checked");

        var missing = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute", """{"input": {"organizations": ["run-org-a"]}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("任务标题", missing["errors"]!["input.title"]![0]!.GetValue<string>());
        var unknown = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute", """{"input": {"title": "整改", "organizations": ["run-org-a", "no-such-org"]}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("no-such-org", unknown["errors"]!["input.organizations"]![0]!.GetValue<string>());
        var notAList = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute", """{"input": {"title": "整改", "organizations": {"a": 1}}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(notAList["errors"]!["input.organizations"]);
        var badDate = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute", """{"input": {"title": "整改", "organizations": ["run-org-a"], "dueDate": "next week"}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("2026-05-06T18:00+08:00", badDate["errors"]!["input.dueDate"]![0]!.GetValue<string>());
        // An instant without its offset would be read in the server's zone: refused, as everywhere in the API.
        var noOffset = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute", """{"input": {"title": "整改", "organizations": ["run-org-a"], "dueDate": "2099-05-06T18:00"}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("2026-05-06T18:00+08:00", noOffset["errors"]!["input.dueDate"]![0]!.GetValue<string>());

        var started = await client.PostJsonAsync("/api/workflow-definitions/run-checked/execute",
            """{"input": {"title": "整改报告 Corrective actions", "organizations": ["run-org-a", "run-org-b"], "dueDate": "2099-05-06T18:00+08:00"}}""").ExpectOkAsync();
        Assert.Equal("Suspended", started.GetString("status"));
        var tasks = await client.FetchAsync("/api/tasks?all=true&pageSize=100").ExpectOkAsync();
        var items = tasks.GetArray("items").Where(t => t.GetString("instanceId") == started.GetString("id")).ToList();
        Assert.Equal(["run-org-a", "run-org-b"], items.Select(t => t.GetString("organizationId")).Order());
        Assert.All(items, t => Assert.Equal("整改报告 Corrective actions", t.GetString("title")));
    }
}
