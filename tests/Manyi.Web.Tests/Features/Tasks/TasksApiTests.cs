using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Tasks;

public sealed class TasksApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A headcount report for the organizations (郑州移动 and 开封联通): the number of trainees (1–50), optionally a list as a PDF; then "done".</summary>
    private static string Headcount(string definitionId, string[] organizations) => Workflows.HeadcountReport(definitionId, organizations, """
        {"fields": [
          {"name": "trainees", "label": "培训人数", "type": "number", "required": true, "min": 1, "max": 50, "integer": true},
          {"name": "list", "label": "名单", "type": "file", "allowedTypes": ["application/pdf"], "maxBytes": 1048576}]}
        """);

    /// <summary>A headcount report under way for two organizations of its own, a participant of each (the class shares its host).</summary>
    private sealed record Campaign(ManyiApp App, HttpClient Admin, HttpClient Zhengzhou, HttpClient Kaifeng, string InstanceId,
        string ZhengzhouId, string KaifengId, string ZhengzhouEmail)
    {
        public string Headcount(string definitionId) => TasksApiTests.Headcount(definitionId, [ZhengzhouId, KaifengId]);

        public async Task<string> TaskIdAsync(HttpClient client)
        {
            var page = await client.FetchAsync("/api/tasks").ExpectOkAsync();
            return Assert.Single(page.GetArray("items")).GetString("id");
        }
    }

    private static async Task<Campaign> StartAsync(ManyiApp app)
    {
        var (zhengzhou, kaifeng) = (Unique.Id("mobile-zhengzhou"), Unique.Id("unicom-kaifeng"));
        var (zhengzhouEmail, kaifengEmail) = (Unique.Email("zhengzhou.mobile"), Unique.Email("kaifeng.unicom"));
        await app.CreateUserAsync(zhengzhouEmail, ManyiRoles.Participant, zhengzhou);
        await app.CreateUserAsync(kaifengEmail, ManyiRoles.Participant, kaifeng);
        var admin = app.CreateClient();
        var definitionId = Unique.Id("headcount");
        await admin.DeployAsync(Headcount(definitionId, [zhengzhou, kaifeng]));
        var instance = await admin.ExecuteAsync(definitionId);
        return new Campaign(app, admin, await app.CreateClientForAsync(zhengzhouEmail), await app.CreateClientForAsync(kaifengEmail),
            instance.GetString("id"), zhengzhou, kaifeng, zhengzhouEmail);
    }

    private static MultipartFormDataContent Upload(byte[] content, string fileName)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        // What the browser claims is ignored: the store sniffs the content.
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", fileName);
        return form;
    }

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    private static Task<HttpResponseMessage> CompleteAsync(HttpClient client, string taskId, JsonObject data, string? outcome = "Submitted") =>
        client.PostJsonAsync($"/api/tasks/{taskId}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString());

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_participant_sees_their_organizations_task_uploads_a_file_completes_it_after_a_bad_value_and_the_workflow_moves_on(string provider)
    {
        var app = await apps.For(provider);
        var campaign = await StartAsync(app);

        var inbox = await campaign.Zhengzhou.FetchAsync("/api/tasks?stage=headcount").ExpectOkAsync();
        var task = Assert.Single(inbox.GetArray("items"));
        Assert.Equal(campaign.ZhengzhouId, task.GetString("organizationId"));
        Assert.Equal("培训人数报送 Headcount report", task.GetString("title"));
        Assert.Equal("Open", task.GetString("status"));
        var taskId = task.GetString("id");

        var file = await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", Upload(Pdf, "../../名单.pdf"), Ct).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("名单.pdf", file.GetString("fileName"));
        Assert.Equal("application/pdf", file.GetString("contentType"));

        var bad = await CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = "十二", ["list"] = file.GetString("id") })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["data.trainees"]);
        var outOfRange = await CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 51 }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("50", outOfRange["errors"]!["data.trainees"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var wrongOutcome = await CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 12 }, "Approved").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(wrongOutcome["errors"]!["outcome"]);
        Assert.Equal("Open", (await campaign.Zhengzhou.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync())["task"]!.GetString("status"));

        var done = await CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 12, ["list"] = file.GetString("id") }).ExpectOkAsync();
        Assert.Equal("Completed", done["task"]!.GetString("status"));
        Assert.Equal("Submitted", done["task"]!.GetString("outcome"));
        Assert.Equal(12, done["data"]!["trainees"]!.GetValue<int>());
        Assert.Contains(done.GetArray("history"), h => h.GetString("action") == "task.completed");
        Assert.Equal("Suspended", (await campaign.Admin.GetInstanceAsync(campaign.InstanceId)).GetString("status"));

        await CompleteAsync(campaign.Kaifeng, await campaign.TaskIdAsync(campaign.Kaifeng), new JsonObject { ["trainees"] = 3 }).ExpectOkAsync();
        Assert.Equal("Finished", (await campaign.Admin.GetInstanceAsync(campaign.InstanceId)).GetString("status"));
        Assert.Empty((await campaign.Zhengzhou.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items"));
        Assert.Single((await campaign.Zhengzhou.FetchAsync("/api/tasks?status=Completed").ExpectOkAsync()).GetArray("items"));
    }

    [Theory, InlineData("sqlite")]
    public async Task A_participant_of_Zhengzhou_Mobile_can_neither_read_nor_act_on_nor_download_anything_of_Kaifeng_Unicom(string provider)
    {
        var app = await apps.For(provider);
        var campaign = await StartAsync(app);
        var kaifengTask = await campaign.TaskIdAsync(campaign.Kaifeng);
        var kaifengFile = await campaign.Kaifeng.PostAsync($"/api/tasks/{kaifengTask}/files", Upload(Pdf, "list.pdf"), Ct).ExpectAsync(HttpStatusCode.Created);
        var intruder = campaign.Zhengzhou;

        Assert.DoesNotContain((await intruder.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items"), t => t.GetString("id") == kaifengTask);
        Assert.Empty((await intruder.FetchAsync($"/api/tasks?organization={campaign.KaifengId}").ExpectOkAsync()).GetArray("items"));
        Assert.Empty((await intruder.FetchAsync($"/api/tasks?organization={campaign.KaifengId}&all=true").ExpectOkAsync()).GetArray("items"));
        await intruder.FetchAsync($"/api/tasks/{kaifengTask}").ExpectAsync(HttpStatusCode.NotFound);
        await intruder.PostJsonAsync($"/api/tasks/{kaifengTask}/claim", null).ExpectAsync(HttpStatusCode.NotFound);
        await intruder.PostJsonAsync($"/api/tasks/{kaifengTask}/release", null).ExpectAsync(HttpStatusCode.NotFound);
        await CompleteAsync(intruder, kaifengTask, new JsonObject { ["trainees"] = 1 }).ExpectAsync(HttpStatusCode.NotFound);
        await intruder.PostAsync($"/api/tasks/{kaifengTask}/files", Upload(Pdf, "x.pdf"), Ct).ExpectAsync(HttpStatusCode.NotFound);
        await intruder.FetchAsync($"/api/files/{kaifengFile.GetString("id")}").ExpectAsync(HttpStatusCode.NotFound);
        await intruder.PostJsonAsync($"/api/tasks/{kaifengTask}/reassign", new JsonObject { ["user"] = campaign.ZhengzhouEmail, ["reason"] = "x" }.ToJsonString()).ExpectAsync(HttpStatusCode.Forbidden);
        await intruder.PostJsonAsync($"/api/tasks/{kaifengTask}/cancel", """{"reason": "x"}""").ExpectAsync(HttpStatusCode.Forbidden);
        // The instance serves both organizations: a participant sees it through their own task, but may not steer it.
        await intruder.PostJsonAsync($"/api/workflow-instances/{campaign.InstanceId}/cancel", null).ExpectAsync(HttpStatusCode.Forbidden);
        foreach (var adminOnly in new[] { "/api/workflow-definitions", "/api/audit", "/api/audit/export" })
            await intruder.FetchAsync(adminOnly).ExpectAsync(HttpStatusCode.Forbidden);
        await intruder.PostJsonAsync("/api/events/anything/trigger", "{}").ExpectAsync(HttpStatusCode.Forbidden);

        // Nothing changed for Kaifeng, and its file is still served to its own participant.
        var untouched = await campaign.Kaifeng.FetchAsync($"/api/tasks/{kaifengTask}").ExpectOkAsync();
        Assert.Equal("Open", untouched["task"]!.GetString("status"));
        Assert.Null(untouched["task"]!["claimedByUserId"]);
        Assert.Single(untouched.GetArray("files"));
        var download = await campaign.Kaifeng.FetchAsync($"/api/files/{kaifengFile.GetString("id")}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_task_completed_twice_at_once_is_applied_once_and_the_other_is_told_who_completed_it_and_when(string provider)
    {
        var app = await apps.For(provider);
        var campaign = await StartAsync(app);
        var second = Unique.Email("second.zhengzhou");
        await app.CreateUserAsync(second, ManyiRoles.Participant, campaign.ZhengzhouId);
        var otherBrowser = await app.CreateClientForAsync(second);
        var taskId = await campaign.TaskIdAsync(campaign.Zhengzhou);

        var responses = await Task.WhenAll(
            CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 5 }),
            CompleteAsync(otherBrowser, taskId, new JsonObject { ["trainees"] = 6 }),
            CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 7 }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var conflicts = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        Assert.Equal(2, conflicts.Count);
        foreach (var conflict in conflicts)
        {
            var detail = (await conflict.ExpectAsync(HttpStatusCode.Conflict)).GetString("detail");
            Assert.Contains("already completed by", detail, StringComparison.Ordinal);
            Assert.Matches(@"\d{4}年\d{1,2}月\d{1,2}日 周. \d\d:\d\d", detail);
        }
        var task = await campaign.Admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync();
        var journal = await campaign.Admin.FetchAsync($"/api/workflow-instances/{campaign.InstanceId}/journal").ExpectOkAsync();
        Assert.Single(journal.GetArray("items"), e => e!["messageKey"]?.GetValue<string>() == "task.completed");
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(winner["data"]!["trainees"]!.GetValue<int>(), task["data"]!["trainees"]!.GetValue<int>());
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_claimed_task_is_reserved_until_released_and_an_administrator_can_reassign_it(string provider)
    {
        var app = await apps.For(provider);
        var campaign = await StartAsync(app);
        var second = Unique.Email("second.zhengzhou");
        await app.CreateUserAsync(second, ManyiRoles.Participant, campaign.ZhengzhouId);
        var colleague = await app.CreateClientForAsync(second);
        var taskId = await campaign.TaskIdAsync(campaign.Zhengzhou);

        await campaign.Zhengzhou.PostJsonAsync($"/api/tasks/{taskId}/claim", null).ExpectOkAsync();
        var taken = await colleague.PostJsonAsync($"/api/tasks/{taskId}/claim", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains(campaign.ZhengzhouEmail, taken.GetString("detail"), StringComparison.Ordinal);
        await CompleteAsync(colleague, taskId, new JsonObject { ["trainees"] = 2 }).ExpectAsync(HttpStatusCode.Conflict);
        await colleague.PostJsonAsync($"/api/tasks/{taskId}/release", null).ExpectAsync(HttpStatusCode.Conflict);

        await campaign.Zhengzhou.PostJsonAsync($"/api/tasks/{taskId}/release", null).ExpectOkAsync();
        await colleague.PostJsonAsync($"/api/tasks/{taskId}/claim", null).ExpectOkAsync();

        var missingReason = await campaign.Admin.PostJsonAsync($"/api/tasks/{taskId}/reassign", new JsonObject { ["user"] = campaign.ZhengzhouEmail }.ToJsonString())
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(missingReason["errors"]!["reason"]);
        await campaign.Admin.PostJsonAsync($"/api/tasks/{taskId}/reassign", """{"user": "nobody@example.org", "reason": "r"}""").ExpectAsync(HttpStatusCode.BadRequest);
        var reassigned = await campaign.Admin.PostJsonAsync($"/api/tasks/{taskId}/reassign",
            new JsonObject { ["user"] = campaign.ZhengzhouEmail, ["reason"] = "联系人变更 contact changed" }.ToJsonString()).ExpectOkAsync();
        Assert.Null(reassigned["task"]!["claimedByUserId"]);
        var history = reassigned.GetArray("history").Select(h => h.GetString("action")).ToList();
        Assert.Equal(["task.claimed", "task.released", "task.claimed", "task.reassigned"], history);
        // Now the participant's both as its assignee and as a member of its organization: listed once, counted once.
        var inbox = await campaign.Zhengzhou.FetchAsync("/api/tasks").ExpectOkAsync();
        Assert.Equal(taskId, Assert.Single(inbox.GetArray("items")).GetString("id"));
        Assert.Equal(1, inbox["totalCount"]!.GetValue<int>());
        Assert.Equal(1, (await campaign.Zhengzhou.FetchAsync("/api/tasks?pageSize=1").ExpectOkAsync())["totalCount"]!.GetValue<int>());
    }

    [Theory, InlineData("sqlite")]
    public async Task Files_are_checked_by_content_size_and_name_and_a_disguised_file_fails_the_form(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // settings of its own: a host of its own
        app.Settings["Manyi:Files:MaxFileBytes"] = "2048";
        app.Settings["Manyi:Files:MaxTaskBytes"] = "4096";
        var campaign = await StartAsync(app);
        var taskId = await campaign.TaskIdAsync(campaign.Zhengzhou);

        var disguised = await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", Upload(Png, "scan.pdf"), Ct).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("image/png", disguised.GetString("contentType"));
        var refused = await CompleteAsync(campaign.Zhengzhou, taskId, new JsonObject { ["trainees"] = 4, ["list"] = disguised.GetString("id") })
            .ExpectAsync(HttpStatusCode.BadRequest);
        // Named as people know it (PNG), not by its media type.
        Assert.Contains("PNG", refused["errors"]!["data.list"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var oversized = await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", Upload(new byte[3000], "big.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(oversized["errors"]!["file"]);
        await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", Upload([], "empty.pdf"), Ct).ExpectAsync(HttpStatusCode.BadRequest);
        await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", new MultipartFormDataContent(), Ct).ExpectAsync(HttpStatusCode.BadRequest);

        var traversal = await campaign.Zhengzhou.PostAsync($"/api/tasks/{taskId}/files", Upload(Pdf, "..\\..\\..\\etc\\passwd"), Ct).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("passwd", traversal.GetString("fileName"));
        var files = (await campaign.Zhengzhou.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync()).GetArray("files");
        Assert.Equal(2, files.Count);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_inbox_sorts_by_due_date_filters_and_refuses_an_unknown_status(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // counts every task: a host of its own
        var campaign = await StartAsync(app);
        await campaign.Admin.DeployAsync(campaign.Headcount("headcount-later").Replace("2099-04-30", "2099-06-30", StringComparison.Ordinal));
        await campaign.Admin.DeployAsync(campaign.Headcount("headcount-sooner").Replace("2099-04-30", "2099-03-31", StringComparison.Ordinal));
        await campaign.Admin.ExecuteAsync("headcount-later");
        await campaign.Admin.ExecuteAsync("headcount-sooner");

        var inbox = (await campaign.Zhengzhou.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items");
        var dues = inbox.Select(t => DateTimeOffset.Parse(t.GetString("dueAt"))).ToList();
        Assert.Equal(3, dues.Count);
        Assert.Equal(dues.Order(), dues);
        // The total on every page: a full one, the last (not full), one beyond the end.
        foreach (var (page, count) in new[] { (1, 2), (2, 1), (3, 0) })
        {
            var paged = await campaign.Zhengzhou.FetchAsync($"/api/tasks?pageSize=2&page={page}").ExpectOkAsync();
            Assert.Equal(count, paged.GetArray("items").Count);
            Assert.Equal(3, paged["totalCount"]!.GetValue<int>());
        }
        var window = await campaign.Zhengzhou.FetchAsync("/api/tasks?dueAfter=2099-04-01T00:00:00%2B08:00&dueBefore=2099-05-01T00:00:00%2B08:00").ExpectOkAsync();
        Assert.Single(window.GetArray("items"));
        Assert.Equal(6, (await campaign.Admin.FetchAsync("/api/tasks?all=true").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        Assert.Empty((await campaign.Admin.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items"));
        var bad = await campaign.Zhengzhou.FetchAsync("/api/tasks?status=Done").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["status"]);
    }

    [Theory, InlineData("sqlite")]
    public async Task An_administrator_cancels_one_organizations_task_and_the_workflow_goes_on_with_the_others(string provider)
    {
        var app = await apps.For(provider);
        var campaign = await StartAsync(app);
        var kaifengTask = await campaign.TaskIdAsync(campaign.Kaifeng);

        await campaign.Admin.PostJsonAsync($"/api/tasks/{kaifengTask}/cancel", "{}").ExpectAsync(HttpStatusCode.BadRequest);
        var cancelled = await campaign.Admin.PostJsonAsync($"/api/tasks/{kaifengTask}/cancel", """{"reason": "退出本年度活动 withdrew"}""").ExpectOkAsync();
        Assert.Equal("Cancelled", cancelled["task"]!.GetString("status"));
        var again = await CompleteAsync(campaign.Kaifeng, kaifengTask, new JsonObject { ["trainees"] = 1 }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("cancelled", again.GetString("detail"), StringComparison.Ordinal);

        await CompleteAsync(campaign.Zhengzhou, await campaign.TaskIdAsync(campaign.Zhengzhou), new JsonObject { ["trainees"] = 8 }).ExpectOkAsync();
        Assert.Equal("Finished", (await campaign.Admin.GetInstanceAsync(campaign.InstanceId)).GetString("status"));
    }

    [Theory, InlineData("sqlite")]
    public async Task Cancelling_the_instance_cancels_its_tasks(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // lists every task: a host of its own
        var campaign = await StartAsync(app);

        await campaign.Admin.PostJsonAsync($"/api/workflow-instances/{campaign.InstanceId}/cancel", null).ExpectOkAsync();

        var all = (await campaign.Admin.FetchAsync("/api/tasks?all=true&status=any").ExpectOkAsync()).GetArray("items");
        Assert.Equal(2, all.Count);
        Assert.All(all, t => Assert.Equal("Cancelled", t.GetString("status")));
    }
}
