using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Tasks;

/// <summary>
/// One instance that holds two organizations' tasks and a task for no organization: whoever holds the organization-less
/// task sees nothing of the other organization — neither its files nor the instance's details and journal.
/// </summary>
public sealed class CrossOrganizationAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Zhengzhou = "mobile-zhengzhou";
    private const string Kaifeng = "unicom-kaifeng";

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");

    /// <summary>Start → a report fanned out to both organizations, and beside it a coordination task for no organization.</summary>
    private static string Shared(string definitionId, string orgLessAssignment) => Workflows.Flowchart(definitionId,
        $$$"""
        {{{Workflows.Start()}}},
        {"id": "report", "type": "Manyi.UserTask",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "申报材料 Submission"}},
         "organizations": {"typeName": "String[]", "expression": {"type": "Literal", "value": ["{{{Zhengzhou}}}", "{{{Kaifeng}}}"]}},
         "outcomes": ["Submitted"],
         "form": {"fields": [{"name": "report", "label": "实践报告", "type": "file"}]}},
        {"id": "coordinate", "type": "Manyi.UserTask",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "协调 Coordination"}},
         {{{orgLessAssignment}}},
         "outcomes": ["Done"]}
        """,
        $"{Workflows.Connect("start", "report")}, {Workflows.Connect("start", "coordinate")}");

    public static TheoryData<string, string> Cases => new()
    {
        { "sqlite", "assignee" }, { "postgres", "assignee" }, { "sqlite", "role" }, { "postgres", "role" },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Whoever_holds_the_organization_less_task_sees_nothing_of_another_organization(string provider, string assignment)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, Kaifeng);
        var admin = app.CreateClient();
        var orgLess = assignment == "assignee"
            ? """ "assignee": {"typeName": "String", "expression": {"type": "Literal", "value": "zhengzhou.mobile@example.org"}} """
            : """ "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Participant"}} """;
        await admin.DeployAsync(Shared("shared", orgLess));
        var instanceId = (await admin.ExecuteAsync("shared")).GetString("id");
        var zhengzhou = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var kaifeng = await app.CreateClientForAsync("kaifeng.unicom@example.org");

        var own = await TaskAsync(zhengzhou, "申报材料 Submission");
        var coordination = await TaskAsync(zhengzhou, "协调 Coordination");
        var theirs = await TaskAsync(kaifeng, "申报材料 Submission");
        var ownFile = await UploadAsync(zhengzhou, own);
        var theirFile = await UploadAsync(kaifeng, theirs);
        await kaifeng.PostJsonAsync($"/api/tasks/{theirs}/complete",
            new JsonObject { ["outcome"] = "Submitted", ["data"] = new JsonObject { ["report"] = theirFile } }.ToJsonString()).ExpectOkAsync();

        // The organization-less task's package holds no file of the other organization, and the file itself is not there.
        var detail = await zhengzhou.FetchAsync($"/api/tasks/{coordination}").ExpectOkAsync();
        var package = detail.GetArray("packageFiles").Select(p => p!["file"].GetString("id")).ToList();
        Assert.DoesNotContain(theirFile, package);
        Assert.Contains(ownFile, package);
        await zhengzhou.FetchAsync($"/api/files/{theirFile}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await zhengzhou.FetchAsync($"/api/files/{ownFile}")).StatusCode);

        // The instance holds the other organization's bookmarks, variables and journal: it is not shown at all.
        await zhengzhou.FetchAsync($"/api/workflow-instances/{instanceId}").ExpectAsync(HttpStatusCode.NotFound);
        await zhengzhou.FetchAsync($"/api/workflow-instances/{instanceId}/journal").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await zhengzhou.FetchAsync("/api/workflow-instances").ExpectOkAsync())["totalCount"]!.GetValue<int>());

        // The other way round too, when the other organization's participant also sees the organization-less task.
        await kaifeng.FetchAsync($"/api/files/{ownFile}").ExpectAsync(HttpStatusCode.NotFound);
        await kaifeng.FetchAsync($"/api/workflow-instances/{instanceId}/journal").ExpectAsync(HttpStatusCode.NotFound);
        if (assignment == "role")
        {
            var seen = await kaifeng.FetchAsync($"/api/tasks/{coordination}").ExpectOkAsync();
            Assert.DoesNotContain(ownFile, seen.GetArray("packageFiles").Select(p => p!["file"].GetString("id")));
        }

        // Each organization keeps its own file; the administrator sees everything.
        Assert.Equal(HttpStatusCode.OK, (await kaifeng.FetchAsync($"/api/files/{theirFile}")).StatusCode);
        Assert.Equal(2, (await admin.FetchAsync($"/api/tasks/{coordination}").ExpectOkAsync()).GetArray("packageFiles").Count);
        await admin.FetchAsync($"/api/workflow-instances/{instanceId}/journal").ExpectOkAsync();
    }

    private static async Task<string> TaskAsync(HttpClient client, string title)
    {
        var page = await client.FetchAsync("/api/tasks").ExpectOkAsync();
        return page.GetArray("items").Single(t => t.GetString("title") == title).GetString("id");
    }

    private static async Task<string> UploadAsync(HttpClient client, string taskId)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Pdf), "file", "report.pdf" } };
        var created = await client.PostAsync($"/api/tasks/{taskId}/files?field=report", form, Ct).ExpectAsync(HttpStatusCode.Created);
        return created.GetString("id");
    }
}
