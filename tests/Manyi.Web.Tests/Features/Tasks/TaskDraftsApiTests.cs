using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Tasks;

/// <summary>
/// Drafts of a task's form (/api/tasks/{id}/draft): saved, restored and replaced by the task's own people, hidden from
/// everyone else (another organization: 404; the secretariat: the time only), refused on a closed task, and gone with
/// the task when it ends.
/// </summary>
public sealed class TaskDraftsApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Form = """
        {"fields": [
          {"name": "trainees", "label": "培训人数", "type": "number", "required": true, "min": 1, "max": 50, "integer": true},
          {"name": "list", "label": "名单", "type": "file", "allowedTypes": ["application/pdf"], "maxBytes": 1048576}]}
        """;

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n");

    private sealed record Campaign(ManyiApp App, HttpClient Admin, HttpClient Zhengzhou, HttpClient Kaifeng, HttpClient Colleague,
        string InstanceId, string ZhengzhouTask, string KaifengTask);

    /// <summary>A headcount report for two organizations of its own: a participant of each, and a colleague at Zhengzhou.</summary>
    private static async Task<Campaign> StartAsync(ManyiApp app)
    {
        var (zhengzhou, kaifeng) = (Unique.Id("mobile-zhengzhou"), Unique.Id("unicom-kaifeng"));
        var (zhengzhouEmail, kaifengEmail, colleagueEmail) = (Unique.Email("zhengzhou.mobile"), Unique.Email("kaifeng.unicom"), Unique.Email("zhengzhou.colleague"));
        await app.CreateUserAsync(zhengzhouEmail, ManyiRoles.Participant, zhengzhou);
        await app.CreateUserAsync(colleagueEmail, ManyiRoles.Participant, zhengzhou);
        await app.CreateUserAsync(kaifengEmail, ManyiRoles.Participant, kaifeng);
        var admin = app.CreateClient();
        var definitionId = Unique.Id("headcount");
        await admin.DeployAsync(Workflows.HeadcountReport(definitionId, [zhengzhou, kaifeng], Form));
        var instanceId = (await admin.ExecuteAsync(definitionId)).GetString("id");
        var (zhengzhouClient, kaifengClient) = (await app.CreateClientForAsync(zhengzhouEmail), await app.CreateClientForAsync(kaifengEmail));
        return new Campaign(app, admin, zhengzhouClient, kaifengClient, await app.CreateClientForAsync(colleagueEmail), instanceId,
            await OnlyTaskAsync(zhengzhouClient), await OnlyTaskAsync(kaifengClient));
    }

    private static async Task<string> OnlyTaskAsync(HttpClient client) =>
        Assert.Single((await client.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items")).GetString("id");

    private static Task<HttpResponseMessage> SaveAsync(HttpClient client, string taskId, string json) =>
        client.PutAsync($"/api/tasks/{taskId}/draft", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    private static Task<HttpResponseMessage> DiscardAsync(HttpClient client, string taskId) => client.DeleteAsync($"/api/tasks/{taskId}/draft", Ct);

    private static async Task<bool> DraftRowExistsAsync(ManyiApp app, string taskId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().TaskDrafts.AnyAsync(d => d.TaskId == taskId, Ct);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_draft_is_saved_restored_and_replaced_by_the_task_s_people_and_hidden_from_everyone_else(string provider)
    {
        var app = await apps.For(provider);
        var c = await StartAsync(app);
        await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectAsync(HttpStatusCode.NotFound);

        // Half a submission: a file already uploaded, no count yet; a draft may be incomplete (and even out of range).
        var file = new MultipartFormDataContent { { new ByteArrayContent(Pdf) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }, "file", "名单.pdf" } };
        var fileId = (await c.Zhengzhou.PostAsync($"/api/tasks/{c.ZhengzhouTask}/files?field=list", file, Ct).ExpectAsync(HttpStatusCode.Created)).GetString("id");
        var saved = await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, $$"""{"list": "{{fileId}}", "trainees": 500}""").ExpectOkAsync();
        Assert.Equal(fileId, saved["data"]!.GetString("list"));
        var savedAt = saved["savedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(DateTimeOffset.UtcNow - savedAt < TimeSpan.FromMinutes(1));

        // Another device of the same person, and a colleague of the same organization, read the same draft.
        var restored = await c.Colleague.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectOkAsync();
        Assert.Equal(500, restored["data"]!["trainees"]!.GetValue<int>());
        Assert.Equal(fileId, restored["data"]!.GetString("list"));

        // A later save replaces it whole.
        await SaveAsync(c.Colleague, c.ZhengzhouTask, """{"trainees": 12, "remark": "只在草稿里 draft-only"}""").ExpectOkAsync();
        var replaced = await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectOkAsync();
        Assert.Equal(12, replaced["data"]!["trainees"]!.GetValue<int>());
        Assert.Null(replaced["data"]!["list"]);

        // Another organization's participant: as if neither the task nor its draft existed, and nothing changes.
        foreach (var attempt in new[]
                 {
                     c.Kaifeng.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft"),
                     SaveAsync(c.Kaifeng, c.ZhengzhouTask, """{"trainees": 1}"""),
                     DiscardAsync(c.Kaifeng, c.ZhengzhouTask),
                 })
            Assert.DoesNotContain("draft-only", (await attempt.ExpectAsync(HttpStatusCode.NotFound)).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(12, (await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectOkAsync())["data"]!["trainees"]!.GetValue<int>());

        // The secretariat sees that a draft exists, not what it says; it may neither read nor replace it.
        await c.Admin.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectAsync(HttpStatusCode.NotFound);
        await SaveAsync(c.Admin, c.ZhengzhouTask, """{"trainees": 2}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, (await DiscardAsync(c.Admin, c.ZhengzhouTask)).StatusCode);
        Assert.DoesNotContain("draft-only", (await c.Admin.FetchAsync($"/api/tasks/{c.ZhengzhouTask}").ExpectOkAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.True(await DraftRowExistsAsync(app, c.ZhengzhouTask));

        // Discarded: gone, the file stays with the task; discarding again is no error.
        Assert.Equal(HttpStatusCode.NoContent, (await DiscardAsync(c.Zhengzhou, c.ZhengzhouTask)).StatusCode);
        await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await DiscardAsync(c.Zhengzhou, c.ZhengzhouTask)).StatusCode);
        Assert.Single((await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}").ExpectOkAsync()).GetArray("files"));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_draft_too_large_or_not_an_object_is_refused_with_a_problem_and_the_last_one_is_kept(string provider)
    {
        var app = await apps.For(provider);
        var c = await StartAsync(app);
        await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 7}""").ExpectOkAsync();

        var tooLarge = await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, $$"""{"remark": "{{new string('x', 300 * 1024)}}"}""")
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("256 KB", tooLarge.GetString("detail"), StringComparison.Ordinal);
        foreach (var bad in new[] { "[1, 2]", "\"text\"", "{\"trainees\": ", "" })
        {
            var problem = await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, bad).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]!["data"]);
        }
        Assert.Equal(7, (await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectOkAsync())["data"]!["trainees"]!.GetValue<int>());
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_draft_goes_when_the_task_is_completed_and_a_completed_task_refuses_a_new_one(string provider)
    {
        var app = await apps.For(provider);
        var c = await StartAsync(app);
        await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 3}""").ExpectOkAsync();
        Assert.True(await DraftRowExistsAsync(app, c.ZhengzhouTask));

        await c.Zhengzhou.PostJsonAsync($"/api/tasks/{c.ZhengzhouTask}/complete", """{"outcome": "Submitted", "data": {"trainees": 3}}""").ExpectOkAsync();

        Assert.False(await DraftRowExistsAsync(app, c.ZhengzhouTask));
        await c.Zhengzhou.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectAsync(HttpStatusCode.NotFound);
        var refused = await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 4}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("已由", refused.GetString("detail"), StringComparison.Ordinal);
        Assert.False(await DraftRowExistsAsync(app, c.ZhengzhouTask));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Drafts_go_when_a_task_is_cancelled_and_when_the_instance_is_cancelled(string provider)
    {
        var app = await apps.For(provider);
        var c = await StartAsync(app);
        await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 3}""").ExpectOkAsync();
        await SaveAsync(c.Kaifeng, c.KaifengTask, """{"trainees": 5}""").ExpectOkAsync();

        await c.Admin.PostJsonAsync($"/api/tasks/{c.ZhengzhouTask}/cancel", """{"reason": "退出评价"}""").ExpectOkAsync();
        Assert.False(await DraftRowExistsAsync(app, c.ZhengzhouTask));
        Assert.True(await DraftRowExistsAsync(app, c.KaifengTask));
        await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 3}""").ExpectAsync(HttpStatusCode.Conflict);

        await c.Admin.PostJsonAsync($"/api/workflow-instances/{c.InstanceId}/cancel", null).ExpectOkAsync();
        Assert.False(await DraftRowExistsAsync(app, c.KaifengTask));
        await c.Kaifeng.FetchAsync($"/api/tasks/{c.KaifengTask}/draft").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_task_given_to_another_organization_leaves_its_draft_behind(string provider)
    {
        var app = await apps.For(provider);
        var c = await StartAsync(app);
        await SaveAsync(c.Zhengzhou, c.ZhengzhouTask, """{"trainees": 3, "remark": "郑州的草稿"}""").ExpectOkAsync();
        var kaifengId = (await c.Kaifeng.FetchAsync($"/api/tasks/{c.KaifengTask}").ExpectOkAsync())["task"]!.GetString("organizationId");

        await c.Admin.PostJsonAsync($"/api/tasks/{c.ZhengzhouTask}/reassign",
            new JsonObject { ["organization"] = kaifengId, ["reason"] = "转交开封" }.ToJsonString()).ExpectOkAsync();

        Assert.False(await DraftRowExistsAsync(app, c.ZhengzhouTask));
        await c.Kaifeng.FetchAsync($"/api/tasks/{c.ZhengzhouTask}/draft").ExpectAsync(HttpStatusCode.NotFound);
    }
}
