using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.Events;

/// <summary>Triggering named events: resume by correlation or instance id, start by trigger, queue when nothing waits.</summary>
public sealed class EventsApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_event_that_matches_nothing_is_queued_and_delivered_when_a_matching_bookmark_appears(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitForEventExample());

        var early = await client.TriggerAsync("headcount-reported",
            new JsonObject { ["correlationId"] = "early-bird", ["input"] = new JsonObject { ["trainees"] = 7 } });
        Assert.True(early["queued"]!.GetValue<bool>());
        Assert.Empty(early.GetArray("resumed"));
        Assert.Empty(early.GetArray("started"));

        // Another correlation id does not take the queued event.
        var other = await client.ExecuteAsync("wait-for-event", "someone-else");
        Assert.Equal("Suspended", other.GetString("status"));

        var instance = await client.ExecuteAsync("wait-for-event", "early-bird");
        Assert.Equal("Finished", instance.GetString("status"));
        Assert.Empty(instance.GetArray("bookmarks"));
        var stored = await client.GetInstanceAsync(instance.GetString("id"));
        Assert.Equal("Finished", stored.GetString("status"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{instance.GetString("id")}/journal").ExpectOkAsync();
        var entries = journal.GetArray("items");
        Assert.Contains(entries, e => e!["message"]?.GetValue<string>() == "Trainees: 7");
        Assert.Equal("WorkflowFinished", entries[^1].GetString("event"));

        // Delivered once: a later instance with the same correlation id waits.
        var later = await client.ExecuteAsync("wait-for-event", "early-bird");
        Assert.Equal("Suspended", later.GetString("status"));
        Assert.Equal("Suspended", (await client.GetInstanceAsync(other.GetString("id"))).GetString("status"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_event_for_one_instance_resumes_only_that_instance(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitFor("targeted", "go"));
        var first = (await client.ExecuteAsync("targeted", "shared")).GetString("id");
        var second = (await client.ExecuteAsync("targeted", "shared")).GetString("id");

        var triggered = await client.TriggerAsync("go", new JsonObject { ["workflowInstanceId"] = second });
        Assert.Equal(second, Assert.Single(triggered.GetArray("resumed")).GetString("id"));
        Assert.Equal("Suspended", (await client.GetInstanceAsync(first)).GetString("status"));
        Assert.Equal("Finished", (await client.GetInstanceAsync(second)).GetString("status"));

        // By correlation id: every instance waiting with it.
        var third = (await client.ExecuteAsync("targeted", "shared")).GetString("id");
        var both = await client.TriggerAsync("go", new JsonObject { ["correlationId"] = "shared" });
        Assert.Equal(new[] { first, third }.Order(), both.GetArray("resumed").Select(i => i.GetString("id")).Order());
        Assert.All(both.GetArray("resumed"), i => Assert.Equal("Finished", i.GetString("status")));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_event_starts_a_workflow_whose_start_activity_waits_for_it(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Flowchart("started-by-event",
            """{"id": "on-notice", "type": "Elsa.Event", "customProperties": {"canStartWorkflow": true}, "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "notice-published"} } }, """
            + Workflows.WriteLine("say", "'Notice ' + getLastResult().year", "JavaScript"),
            Workflows.Connect("on-notice", "say")));

        var triggered = await client.TriggerAsync("notice-published",
            new JsonObject { ["correlationId"] = "2025", ["input"] = new JsonObject { ["year"] = 2025 } });
        Assert.False(triggered["queued"]!.GetValue<bool>());
        Assert.Empty(triggered.GetArray("resumed"));
        var started = Assert.Single(triggered.GetArray("started"));
        Assert.Equal("Finished", started.GetString("status"));
        var instance = await client.GetInstanceAsync(started.GetString("id"));
        Assert.Equal("started-by-event", instance.GetString("definitionId"));
        Assert.Equal("2025", instance.GetString("correlationId"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{started.GetString("id")}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == "Notice 2025");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Concurrent_requests_start_and_resume_every_instance_exactly_once(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        // The example under an id of its own (the class shares its host with another test of it), correlation ids of its own.
        var example = JsonNode.Parse(Workflows.WaitForEventExample())!;
        example["definitionId"] = "wait-for-event-raced";
        await client.DeployAsync(example.ToJsonString());
        var finishedBefore = await FinishedCountAsync(client);

        var started = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.ExecuteAsync("wait-for-event-raced", $"c-{i % 3}")));
        Assert.All(started, i => Assert.Equal("Suspended", i.GetString("status")));

        // Per correlation id, in parallel, and twice each: every instance resumes once; the duplicates find nothing to resume.
        var triggers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.TriggerAsync("headcount-reported",
            new JsonObject { ["correlationId"] = $"c-{i % 3}", ["input"] = new JsonObject { ["trainees"] = i % 3 } })));
        var resumed = triggers.SelectMany(t => t.GetArray("resumed")).Select(i => i.GetString("id")).ToList();
        Assert.Equal(started.Select(i => i.GetString("id")).Order(), resumed.Order());

        Assert.Equal(finishedBefore + 12, await FinishedCountAsync(client));
        foreach (var instance in started)
        {
            var journal = await client.FetchAsync($"/api/workflow-instances/{instance.GetString("id")}/journal").ExpectOkAsync();
            var expected = $"Trainees: {instance.GetString("correlationId")[^1]}";
            Assert.Single(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == expected);
            Assert.Single(journal.GetArray("items"), e => e.GetString("event") == "WorkflowFinished");
        }
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task An_event_for_an_unknown_instance_is_404(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        var problem = await client.PostJsonAsync("/api/events/anything/trigger", """{"workflowInstanceId": "x"}""").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Not found.", problem.GetString("title"));
        Assert.Equal("Workflow instance 'x' does not exist.", problem.GetString("detail"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_malformed_trigger_body_is_400(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        var problem = await client.PostJsonAsync("/api/events/anything/trigger", """{"input": """).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The request cannot be read.", problem.GetString("title"));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetString("detail")));

        var tooLong = await client.PostJsonAsync("/api/events/anything/trigger",
            new JsonObject { ["correlationId"] = new string('c', 257) }.ToJsonString()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The correlation id has 257 characters; at most 256 are allowed.",
            Assert.Single(tooLong["errors"]!["correlationId"]!.AsArray())!.GetValue<string>());
    }

    private static async Task<int> FinishedCountAsync(HttpClient client) =>
        (await client.FetchAsync("/api/workflow-instances?status=Finished").ExpectOkAsync())["totalCount"]!.GetValue<int>();
}
