using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.WorkflowDefinitions;

/// <summary>The designer's services on a definition's versions: compare, preview of dates, migration of suspended instances.</summary>
public sealed class DefinitionServicesApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static string At(int x, int y) => "{\"designer\": {\"position\": {\"x\": " + x + ", \"y\": " + y + "}}}";

    private static string Line(string id, string text, int x, int y) =>
        $$$"""{"id": "{{{id}}}", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "{{{text}}}"}}, "metadata": {{{At(x, y)}}} }""";

    /// <summary>A preview step as (step, at, movedFrom, moveReason, mergedInto).</summary>
    private static (string, DateTimeOffset, string?, string?, string?) Step(JsonNode? r) =>
        (r.GetString("step"), DateTimeOffset.Parse(r.GetString("at")), (string?)r!["movedFrom"], (string?)r["moveReason"], (string?)r["mergedInto"]);

    private static string Wait(string id, string eventName, int x = 0, int y = 0) =>
        $$$"""{"id": "{{{id}}}", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "{{{eventName}}}"}}, "metadata": {{{At(x, y)}}} }""";

    [Theory]
    [InlineData("sqlite")]
    public async Task Compare_names_what_was_added_removed_changed_and_only_moved(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var v1 = Workflows.Flowchart("compared",
            $"{Workflows.Start()}, {Line("greet", "你好", 0, 100)}, {Line("old", "旧的", 0, 200)}, {Wait("wait", "go", 0, 300)}",
            $"{Workflows.Connect("start", "greet")}, {Workflows.Connect("greet", "old")}, {Workflows.Connect("old", "wait")}",
            "\"variables\": [{\"id\": \"n\", \"name\": \"n\", \"typeName\": \"Int32\", \"value\": \"0\"}],");
        var v2 = Workflows.Flowchart("compared",
            $"{Workflows.Start()}, {Line("greet", "您好", 0, 100)}, {Line("new", "新的", 0, 200)}, {Wait("wait", "go", 400, 300)}",
            $"{Workflows.Connect("start", "greet")}, {Workflows.Connect("greet", "new")}, {Workflows.Connect("new", "wait")}",
            "\"variables\": [{\"id\": \"n\", \"name\": \"n\", \"typeName\": \"Int32\", \"value\": \"1\"}],");
        await client.DeployAsync(v1);
        await client.ImportAsync(v2);

        var diff = await client.FetchAsync("/api/workflow-definitions/compared/compare?from=1&to=2").ExpectOkAsync();

        Assert.Equal(1, diff["from"]!.GetValue<int>());
        Assert.Equal(2, diff["to"]!.GetValue<int>());
        Assert.Equal("new", Assert.Single(diff.GetArray("added"))!.GetString("id"));
        Assert.Equal("old", Assert.Single(diff.GetArray("removed"))!.GetString("id"));
        var changed = Assert.Single(diff.GetArray("changed"))!;
        Assert.Equal("greet", changed.GetString("id"));
        var change = Assert.Single(changed.GetArray("changes"))!;
        Assert.Equal("text", change.GetString("name"));
        Assert.Contains("你好", change.GetString("old"));
        Assert.Contains("您好", change.GetString("new"));
        var moved = Assert.Single(diff.GetArray("moved"))!;
        Assert.Equal("wait", moved.GetString("id"));
        Assert.Contains("400", moved.GetString("to"));
        Assert.DoesNotContain(diff.GetArray("changed"), c => c!.GetString("id") == "wait");
        Assert.Equal(["greet.Done → new", "new.Done → wait"],
            diff.GetArray("connectionsAdded").Select(c => $"{c.GetString("source")}.{c.GetString("sourcePort")} → {c.GetString("target")}").Order());
        Assert.Equal(["greet.Done → old", "old.Done → wait"],
            diff.GetArray("connectionsRemoved").Select(c => $"{c.GetString("source")}.{c.GetString("sourcePort")} → {c.GetString("target")}").Order());
        var variable = Assert.Single(diff.GetArray("variables"))!;
        Assert.Equal("n", variable.GetString("name"));
        Assert.Empty(diff.GetArray("settings"));
        Assert.False(diff["sameMeaning"]!.GetValue<bool>());

        var missing = await client.FetchAsync("/api/workflow-definitions/compared/compare?from=1&to=7").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("has no version 7", missing.GetString("detail"));
        var unknown = await client.FetchAsync("/api/workflow-definitions/nothing/compare?from=1&to=2").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("'nothing' does not exist", unknown.GetString("detail"));
        var noFrom = await client.FetchAsync("/api/workflow-definitions/compared/compare?to=2").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(noFrom["errors"]!["from"]);
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Preview_of_the_participant_workflow_gives_the_2025_headcount_dates_on_working_days_and_names_a_broken_expression(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.PostJsonAsync("/api/organizations", """{"id": "mobile-zhengzhou", "name": "郑州移动", "operator": "移动", "city": "郑州"}""")
            .ExpectAsync(HttpStatusCode.Created);
        var participant = await File.ReadAllTextAsync(Workflows.RepositoryFilePath("workflows/participant.json"), TestContext.Current.CancellationToken);
        await client.ImportAsync(participant);

        // No campaign runs: the input is campaigns/2025.json's settings, for the organization.
        var preview = await client.PostJsonAsync("/api/workflow-definitions/participant/preview", """{"organizationId": "mobile-zhengzhou"}""").ExpectOkAsync();

        Assert.Equal("campaigns/2025.json", preview.GetString("inputSource"));
        Assert.Empty(preview.GetArray("problems"));
        var headcount = preview.GetArray("activities").Single(a => a!.GetString("id") == "headcount")!;
        Assert.Null(headcount["error"]);
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T18:00:00+08:00"), DateTimeOffset.Parse(headcount.GetString("deadline")));
        Assert.EndsWith("+08:00", headcount.GetString("deadline"));
        // Ladder: 3 and 1 working days before, at the deadline, once after it, then escalation; sent at 09:00 on
        // working days. 27 April 2025 is a Sunday worked (调休) and 1–5 May the Labour Day holiday, which working days skip.
        var steps = headcount.GetArray("reminders").Select(Step).ToList();
        Assert.Equal(
        [
            ("before-3", DateTimeOffset.Parse("2025-04-27T09:00:00+08:00"), null, null, null),
            ("before-1", DateTimeOffset.Parse("2025-04-29T09:00:00+08:00"), null, null, null),
            ("at", DateTimeOffset.Parse("2025-04-30T09:00:00+08:00"), null, null, null),
            ("after-1", DateTimeOffset.Parse("2025-05-06T09:00:00+08:00"), null, null, null),
            ("escalation", DateTimeOffset.Parse("2025-05-07T09:00:00+08:00"), null, null, null),
        ], steps);
        Assert.Equal("working", headcount.GetString("ladderDays"));
        Assert.All(headcount.GetArray("reminders"), r => Assert.True(r!["past"]!.GetValue<bool>()));

        // A draft with a broken deadline expression: the activity is named with the error, the others still get their dates.
        var draft = JsonNode.Parse(participant)!.AsObject();
        var node = draft["root"]!["activities"]!.AsArray().Single(a => a!.GetString("id") == "headcount")!;
        node["deadline"]!["expression"]!["value"] = "getInput('campaign').dates.nowhere.at";
        var broken = await client.PostJsonAsync("/api/workflow-definitions/participant/preview",
            new JsonObject { ["definition"] = draft, ["organizationId"] = "mobile-zhengzhou" }.ToJsonString()).ExpectOkAsync();
        Assert.Equal("draft", broken.GetString("source"));
        var failed = broken.GetArray("activities").Single(a => a!.GetString("id") == "headcount")!;
        Assert.Contains("deadline", failed.GetString("error"));
        Assert.Null(failed["deadline"]);
        Assert.Contains(broken.GetArray("activities"), a => a!.GetString("id") != "headcount" && a!["deadline"] is not null && a!["error"] is null);

        // The same ladder in calendar days: the overdue step falls in the holiday and moves to 6 May, and the preview says from when and why.
        var calendarDays = JsonNode.Parse(participant)!.AsObject();
        calendarDays["root"]!["activities"]!.AsArray().Single(a => a!.GetString("id") == "headcount")!["reminders"]!["days"] = "calendar";
        var moved = (await client.PostJsonAsync("/api/workflow-definitions/participant/preview",
                new JsonObject { ["definition"] = calendarDays, ["organizationId"] = "mobile-zhengzhou" }.ToJsonString()).ExpectOkAsync())
            .GetArray("activities").Single(a => a!.GetString("id") == "headcount")!;
        Assert.Equal("calendar", moved.GetString("ladderDays"));
        Assert.Equal(
        [
            ("after-1", DateTimeOffset.Parse("2025-05-06T09:00:00+08:00"), "2025-05-01", "NotWorkingDay", null),
            ("escalation", DateTimeOffset.Parse("2025-05-07T09:00:00+08:00"), null, null, null),
        ], moved.GetArray("reminders").Select(Step).Skip(3));

        // An input given in the request wins; another deadline gives other dates.
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Workflows.RepositoryFilePath("campaigns/2025.json"), TestContext.Current.CancellationToken))!["campaign"]!;
        settings["dates"]!["headcountDue"] = "2025-05-09T18:00:00+08:00";
        var given = await client.PostJsonAsync("/api/workflow-definitions/participant/preview",
            new JsonObject { ["organizationId"] = "mobile-zhengzhou", ["input"] = new JsonObject { ["campaign"] = settings.DeepClone() } }.ToJsonString()).ExpectOkAsync();
        Assert.Equal("request", given.GetString("inputSource"));
        Assert.Equal(DateTimeOffset.Parse("2025-05-09T18:00:00+08:00"),
            DateTimeOffset.Parse(given.GetArray("activities").Single(a => a!.GetString("id") == "headcount")!.GetString("deadline")));

        var nobody = await client.PostJsonAsync("/api/workflow-definitions/participant/preview", """{"organizationId": "nowhere"}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(nobody["errors"]!["organizationId"]);
        await client.PostJsonAsync("/api/workflow-definitions/unknown/preview", "{}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Migration_moves_an_instance_whose_activity_remains_and_names_the_one_that_cannot_move(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var v1 = Workflows.Flowchart("moving",
            $"{Workflows.Start()}, {Wait("first", "first-done")}, {Wait("second", "second-done")}, {Line("after", "v1 end", 0, 0)}",
            $"{Workflows.Connect("start", "first")}, {Workflows.Connect("first", "second")}, {Workflows.Connect("second", "after")}");
        var v2 = Workflows.Flowchart("moving",
            $"{Workflows.Start()}, {Wait("first", "first-done")}, {Line("after2", "v2 end", 0, 0)}",
            $"{Workflows.Connect("start", "first")}, {Workflows.Connect("first", "after2")}");
        await client.DeployAsync(v1);
        var movable = (await client.ExecuteAsync("moving", "org-a")).GetString("id");
        var stuck = (await client.ExecuteAsync("moving", "org-b")).GetString("id");
        await client.TriggerAsync("first-done", new JsonObject { ["correlationId"] = "org-b" });
        await client.ImportAsync(v2);

        var draft = await client.FetchAsync("/api/workflow-definitions/moving/migration?to=2").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("draft", draft["errors"]!["to"]![0]!.GetValue<string>());
        await client.PublishAsync("moving");
        var none = await client.FetchAsync("/api/workflow-definitions/moving/migration?to=9").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Contains("has no version 9", none.GetString("detail"));

        var plan = await client.FetchAsync("/api/workflow-definitions/moving/migration?to=2").ExpectOkAsync();
        Assert.Equal(2, plan["suspended"]!.GetValue<int>());
        Assert.Equal(1, plan["movable"]!.GetValue<int>());
        var items = plan["instances"].GetArray("items");
        var yes = items.Single(i => i!.GetString("instanceId") == movable)!;
        Assert.True(yes["canMove"]!.GetValue<bool>());
        Assert.Equal("first", Assert.Single(yes.GetArray("waitingIn"))!.GetString("id"));
        var no = items.Single(i => i!.GetString("instanceId") == stuck)!;
        Assert.False(no["canMove"]!.GetValue<bool>());
        Assert.Contains("It waits in 'second'", Assert.Single(no.GetArray("reasons"))!.GetValue<string>());
        Assert.Contains("version 2 does not have", no.GetArray("reasons")[0]!.GetValue<string>());

        var noReason = await client.PostJsonAsync("/api/workflow-definitions/moving/migration", $$"""{"to": 2, "instanceIds": ["{{movable}}"]}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(noReason["errors"]!["reason"]);

        var result = await client.PostJsonAsync("/api/workflow-definitions/moving/migration",
            $$"""{"to": 2, "instanceIds": ["{{movable}}", "{{stuck}}"], "reason": "第二步已取消 / step two dropped"}""").ExpectOkAsync();
        Assert.Equal(movable, Assert.Single(result.GetArray("moved"))!.GetValue<string>());
        var notMoved = Assert.Single(result.GetArray("notMoved"))!;
        Assert.Equal(stuck, notMoved.GetString("instanceId"));
        Assert.Contains("'second'", notMoved.GetArray("reasons")[0]!.GetValue<string>());

        var moved = await client.GetInstanceAsync(movable);
        Assert.Equal(2, moved["version"]!.GetValue<int>());
        Assert.Equal("Suspended", moved.GetString("status"));
        Assert.Equal("first", Assert.Single(moved.GetArray("bookmarks"))!.GetString("activityId"));
        Assert.Equal(1, (await client.GetInstanceAsync(stuck))["version"]!.GetValue<int>());

        // The moved instance resumes on version 2: after 'first' comes 'after2', which version 1 does not have.
        await client.TriggerAsync("first-done", new JsonObject { ["correlationId"] = "org-a" });
        var finished = await client.GetInstanceAsync(movable);
        Assert.Equal("Finished", finished.GetString("status"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{movable}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["activityId"]?.GetValue<string>() == "after2");
        Assert.Contains(journal.GetArray("items"), e => e!["messageKey"]?.GetValue<string>() == "workflow.migrated"
            && e["text"]!["zh"]!.GetValue<string>() == "admin@example.org 将实例从版本 1 迁移到版本 2：第二步已取消 / step two dropped");
        var audit = await client.FetchAsync("/api/audit?action=instances.migrated").ExpectOkAsync();
        var entry = Assert.Single(audit.GetArray("items"))!;
        Assert.Equal(movable, entry.GetString("subjectId"));

        // Moving again: it is on version 2 already.
        var again = await client.PostJsonAsync("/api/workflow-definitions/moving/migration",
            $$"""{"to": 2, "instanceIds": ["{{movable}}"], "reason": "again"}""").ExpectOkAsync();
        Assert.Contains("Finished", Assert.Single(again.GetArray("notMoved"))!.GetArray("reasons")[0]!.GetValue<string>());
    }
}
