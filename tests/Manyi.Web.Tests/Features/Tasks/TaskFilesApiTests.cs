using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Tasks;

/// <summary>Uploads checked against a form's file field, and the package of files a reviewer's task shows.</summary>
public sealed class TaskFilesApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Zhengzhou = "mobile-zhengzhou";
    private const string Kaifeng = "unicom-kaifeng";

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    /// <summary>
    /// An organization's submission (a report, PDF up to 1 KB), then the reviewer's review of it (a role task, no
    /// organization), then done: one instance per organization, as in workflows/participant.json.
    /// </summary>
    private static string Package(string definitionId) => Workflows.Flowchart(definitionId,
        $$$"""
        {{{Workflows.Start()}}},
        {"id": "submission", "type": "Manyi.UserTask",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "申报材料 Submission"}},
         "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "submission"}},
         "organizations": {"typeName": "String[]", "expression": {"type": "JavaScript", "value": "[getInput('item')]"}},
         "outcomes": ["Submitted"],
         "form": {"fields": [
           {"name": "report", "label": "实践报告", "type": "file", "required": true, "allowedTypes": ["application/pdf"], "maxBytes": 1024},
           {"name": "note", "label": "备注", "type": "text"}]}},
        {"id": "review", "type": "Manyi.UserTask",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "全国评审 National review"}},
         "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "review"}},
         "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Reviewer"}},
         "outcomes": ["Rated"],
         "form": {"fields": [{"name": "rating", "label": "评审结果", "type": "choice", "required": true,
                              "options": [{"value": "AAA", "label": "AAA"}, {"value": "A", "label": "A"}]}]}},
        {{{Workflows.WriteLine("done", "done")}}}
        """,
        $"{Workflows.Connect("start", "submission")}, {Workflows.Connect("submission", "review", "Submitted")}, {Workflows.Connect("review", "done", "Rated")}",
        extra: """ "inputs": [{"name": "item", "type": "String"}], """);

    private static MultipartFormDataContent Upload(byte[] content, string fileName)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        return form;
    }

    private static async Task<string> OnlyTaskAsync(HttpClient client, string query = "")
    {
        var page = await client.FetchAsync("/api/tasks" + query).ExpectOkAsync();
        return Assert.Single(page.GetArray("items")).GetString("id");
    }

    private static async Task StartForAsync(HttpClient admin, string organization) =>
        await admin.PostJsonAsync("/api/workflow-definitions/package/execute",
            new JsonObject { ["correlationId"] = organization, ["input"] = new JsonObject { ["item"] = organization } }.ToJsonString()).ExpectOkAsync();

    [Theory, InlineData("sqlite")]
    public async Task An_upload_for_a_file_field_is_refused_on_that_field_when_it_is_too_large_or_of_another_type_and_is_not_kept(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        var admin = app.CreateClient();
        await admin.DeployAsync(Package("package"));
        await StartForAsync(admin, Zhengzhou);
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var taskId = await OnlyTaskAsync(participant);

        var disguised = await participant.PostAsync($"/api/tasks/{taskId}/files?field=report", Upload(Png, "report.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("PNG", disguised["errors"]!["data.report"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var padded = Pdf.Concat(new byte[2000]).ToArray();
        var large = await participant.PostAsync($"/api/tasks/{taskId}/files?field=report", Upload(padded, "report.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1 KB", large["errors"]!["data.report"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var empty = await participant.PostAsync($"/api/tasks/{taskId}/files?field=report", Upload([], "report.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(empty["errors"]!["data.report"]);
        var notAFileField = await participant.PostAsync($"/api/tasks/{taskId}/files?field=note", Upload(Pdf, "report.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(notAFileField["errors"]!["field"]);
        Assert.Empty((await participant.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync()).GetArray("files"));

        var kept = await participant.PostAsync($"/api/tasks/{taskId}/files?field=report", Upload(Pdf, "实践报告.pdf"), Ct).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("application/pdf", kept.GetString("contentType"));
        var detail = await participant.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync();
        Assert.Equal(kept.GetString("id"), Assert.Single(detail.GetArray("files")).GetString("id"));
        Assert.Empty(detail.GetArray("packageFiles"));
    }

    [Theory, InlineData("sqlite")]
    public async Task A_reviewer_sees_and_downloads_the_package_of_the_organization_under_review_and_nobody_else_gains_access(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, Kaifeng);
        await app.CreateUserAsync("reviewer@example.org", ManyiRoles.Reviewer);
        var admin = app.CreateClient();
        await admin.DeployAsync(Package("package"));
        await StartForAsync(admin, Zhengzhou);
        await StartForAsync(admin, Kaifeng);
        var zhengzhou = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var kaifeng = await app.CreateClientForAsync("kaifeng.unicom@example.org");
        var reviewer = await app.CreateClientForAsync("reviewer@example.org");

        var submission = await OnlyTaskAsync(zhengzhou);
        var report = await zhengzhou.PostAsync($"/api/tasks/{submission}/files?field=report", Upload(Pdf, "实践报告.pdf"), Ct).ExpectAsync(HttpStatusCode.Created);
        var reportId = report.GetString("id");
        // Before the review exists, the reviewer may not read the file.
        await reviewer.FetchAsync($"/api/files/{reportId}").ExpectAsync(HttpStatusCode.NotFound);
        await zhengzhou.PostJsonAsync($"/api/tasks/{submission}/complete",
            new JsonObject { ["outcome"] = "Submitted", ["data"] = new JsonObject { ["report"] = reportId } }.ToJsonString()).ExpectOkAsync();

        var review = await OnlyTaskAsync(reviewer);
        var detail = await reviewer.FetchAsync($"/api/tasks/{review}").ExpectOkAsync();
        var package = Assert.Single(detail.GetArray("packageFiles"));
        Assert.Equal(submission, package.GetString("taskId"));
        Assert.Equal("申报材料 Submission", package.GetString("taskTitle"));
        Assert.Equal("实践报告.pdf", package!["file"].GetString("fileName"));
        var download = await reviewer.FetchAsync($"/api/files/{reportId}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Single((await admin.FetchAsync($"/api/tasks/{review}").ExpectOkAsync()).GetArray("packageFiles"));

        // Another organization's participant gets nothing: neither the review nor the file.
        await kaifeng.FetchAsync($"/api/tasks/{review}").ExpectAsync(HttpStatusCode.NotFound);
        await kaifeng.FetchAsync($"/api/files/{reportId}").ExpectAsync(HttpStatusCode.NotFound);
        // Nor does the organization's own task show a package: its instance's tasks are its own anyway.
        Assert.Empty((await zhengzhou.FetchAsync($"/api/tasks/{submission}").ExpectOkAsync()).GetArray("packageFiles"));
    }
}
