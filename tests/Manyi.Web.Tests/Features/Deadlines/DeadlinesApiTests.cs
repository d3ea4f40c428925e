using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.Deadlines;

/// <summary>Moving deadlines through the API: one instance, or every open instance of a stage.</summary>
public sealed class DeadlinesApiTests
{
    private static readonly string Reporting = Workflows.Flowchart("headcount",
        Workflows.Start() + ", " +
        """
        {"id": "report", "type": "Elsa.Event",
         "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "headcount-reported"} },
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "2099-04-30T18:00:00+08:00"} },
         "reminders": {"before": [1]},
         "remindTo": {"typeName": "String[]", "expression": {"type": "Literal", "value": ["contact@example.org"]} } }
        """,
        Workflows.Connect("start", "report"));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Extending_one_deadline_moves_its_timers_and_the_journal_says_who_and_why(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Reporting);
        var instance = await client.ExecuteAsync("headcount", "zhengzhou-mobile");
        var id = instance.GetString("id");

        var moved = await client.PostJsonAsync($"/api/workflow-instances/{id}/activities/report/deadline",
            """{"deadline": "2099-05-08T18:00:00+08:00", "reason": "延期 / extension granted"}""").ExpectOkAsync();

        var bookmarks = moved.GetArray("bookmarks");
        Assert.Equal(DateTimeOffset.Parse("2099-05-08T10:00:00Z"),
            DateTimeOffset.Parse(bookmarks.Single(b => b.GetString("name") == "Manyi.Deadline").GetString("resumeAt")));
        Assert.Contains(bookmarks, b => b.GetString("name") == "Manyi.Reminder");
        var journal = await client.FetchAsync($"/api/workflow-instances/{id}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["messageKey"]?.GetValue<string>() == "deadline.moved"
            && e["text"]!["zh"]!.GetValue<string>().StartsWith("admin@example.org 将截止时间改为 ", StringComparison.Ordinal)
            && e["text"]!["zh"]!.GetValue<string>().EndsWith("：延期 / extension granted", StringComparison.Ordinal)
            && e["text"]!["en"]!.GetValue<string>().EndsWith(" by admin@example.org: 延期 / extension granted", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Extending_a_stage_moves_every_open_instance_and_bad_requests_name_the_field(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Reporting);
        var open = await client.ExecuteAsync("headcount", "kaifeng-unicom");
        await client.ExecuteAsync("headcount", "luoyang-telecom");
        var done = await client.ExecuteAsync("headcount", "anyang-broadcast");
        await client.TriggerAsync("headcount-reported", new JsonObject { ["correlationId"] = "anyang-broadcast" });

        var result = await client.PostJsonAsync("/api/workflow-definitions/headcount/activities/report/deadline",
            """{"deadline": "2099-05-09T18:00:00+08:00", "reason": "全省统一延期", "by": "admin@example.org"}""").ExpectOkAsync();

        Assert.Equal(2, result["instances"]!.GetValue<int>());
        var stored = await client.GetInstanceAsync(open.GetString("id"));
        Assert.Equal(DateTimeOffset.Parse("2099-05-09T10:00:00Z"),
            DateTimeOffset.Parse(stored.GetArray("bookmarks").Single(b => b.GetString("name") == "Manyi.Deadline").GetString("resumeAt")));
        Assert.Equal("Finished", (await client.GetInstanceAsync(done.GetString("id"))).GetString("status"));

        var bad = await client.PostJsonAsync("/api/workflow-definitions/headcount/activities/report/deadline", """{"deadline": "2099-05-09T18:00:00+08:00"}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["reason"]);
        var past = await client.PostJsonAsync($"/api/workflow-instances/{open.GetString("id")}/activities/report/deadline",
            """{"deadline": "2001-01-01T00:00:00+08:00", "reason": "r", "by": "b"}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("has already passed", past.GetString("detail"));
        await client.PostJsonAsync("/api/workflow-definitions/headcount/activities/nowhere/deadline",
            """{"deadline": "2099-05-09T18:00:00+08:00", "reason": "r", "by": "b"}""").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_ladder_changed_for_a_stage_reaches_open_instances_of_every_version_and_is_audited(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Reporting);
        var pinned = await client.ExecuteAsync("headcount", "kaifeng-unicom");
        Assert.Equal("before-1", ReminderStep(pinned));

        var result = await client.PutAsync("/api/workflow-definitions/headcount/activities/report/reminders",
            new StringContent("""{"reminders": {"before": [7, 3], "atDeadline": true}, "reason": "多提醒一次 one more reminder"}""",
                System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken).ExpectOkAsync();

        Assert.Equal(1, result["instances"]!.GetValue<int>());
        var changed = await client.GetInstanceAsync(pinned.GetString("id"));
        Assert.Equal("before-7", ReminderStep(changed));
        var journal = await client.FetchAsync($"/api/workflow-instances/{pinned.GetString("id")}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["text"]!["zh"]!.GetValue<string>() == "admin@example.org 修改了提醒安排：多提醒一次 one more reminder"
            && e["text"]!["en"]!.GetValue<string>() == "Reminder ladder changed by admin@example.org: 多提醒一次 one more reminder");
        var audit = await client.FetchAsync($"/api/audit?action=reminders.changed&subjectId={pinned.GetString("id")}").ExpectOkAsync();
        Assert.Single(audit.GetArray("items"));

        var bad = await client.PutAsync($"/api/workflow-instances/{pinned.GetString("id")}/activities/report/reminders",
            new StringContent("""{"reminders": {"before": [0], "sendAt": "9am"}}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(2, bad["errors"]!["reminders"]!.AsArray().Count);
        Assert.NotNull(bad["errors"]!["reason"]);
        Assert.Equal("before-7", ReminderStep(await client.GetInstanceAsync(pinned.GetString("id"))));
    }

    private static string ReminderStep(JsonNode instance) =>
        instance.GetArray("bookmarks").Single(b => b.GetString("name") == "Manyi.Reminder")!["payload"].GetString("step");
}
