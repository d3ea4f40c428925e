using System.Net;
using System.Text.Json.Nodes;

namespace Manyi.Web.Tests;

/// <summary>The walk-through of docs/examples/wait-for-event.json: import, publish, execute, trigger the event, read the journal.</summary>
public sealed class WaitForEventExampleTests
{
    [Theory]
    [InlineData("sqlite")]
    public async Task The_example_waits_for_its_event_and_reports_what_arrived(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var response = await client.PostJsonAsync("/api/workflow-definitions/import", Workflows.WaitForEventExample());
        var imported = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("Created", imported.GetString("outcome"));
        Assert.Equal("wait-for-event", imported["definition"].GetString("definitionId"));
        Assert.Equal(1, imported["definition"]!["version"]!.GetValue<int>());
        Assert.Equal("Draft", imported["definition"].GetString("status"));
        Assert.Equal("/api/workflow-definitions/wait-for-event?version=1", response.Headers.Location?.OriginalString);
        var located = await client.FetchAsync(response.Headers.Location!.OriginalString).ExpectOkAsync();
        Assert.Equal("wait-for-event", located.GetString("definitionId"));
        Assert.Equal(1, located["version"]!.GetValue<int>());

        var published = await client.PublishAsync("wait-for-event");
        Assert.Equal("Published", published.GetString("status"));
        Assert.Equal(1, published["publishedVersion"]!.GetValue<int>());

        var instance = await client.ExecuteAsync("wait-for-event", correlationId: "campaign-2025");
        var instanceId = instance.GetString("id");
        Assert.Equal("Suspended", instance.GetString("status"));
        Assert.Equal("campaign-2025", instance.GetString("correlationId"));
        var bookmark = Assert.Single(instance.GetArray("bookmarks"));
        Assert.Equal("Elsa.Event", bookmark.GetString("name"));
        Assert.Equal("headcount-reported", bookmark.GetString("key"));
        Assert.Equal("wait", bookmark.GetString("activityId"));
        Assert.Equal("campaign-2025", bookmark.GetString("correlationId"));

        var triggered = await client.TriggerAsync("headcount-reported",
            new JsonObject { ["correlationId"] = "campaign-2025", ["input"] = new JsonObject { ["trainees"] = 3 } });
        Assert.False(triggered["queued"]!.GetValue<bool>());
        Assert.Empty(triggered.GetArray("started"));
        var resumed = Assert.Single(triggered.GetArray("resumed"));
        Assert.Equal(instanceId, resumed.GetString("id"));
        Assert.Equal("Finished", resumed.GetString("status"));

        var finished = await client.GetInstanceAsync(instanceId);
        Assert.Equal("Finished", finished.GetString("status"));
        Assert.Empty(finished.GetArray("bookmarks"));
        Assert.NotNull(finished["finishedAt"]?.GetValue<DateTimeOffset>());

        var journal = await client.FetchAsync($"/api/workflow-instances/{instanceId}/journal").ExpectOkAsync();
        var entries = journal.GetArray("items");
        Assert.Equal(entries.Count, journal["totalCount"]!.GetValue<int>());
        var messages = entries.Where(e => e.GetString("event") == "Message").Select(e => e!["message"]?.GetValue<string>()).ToList();
        Assert.Equal(["你好 / Hello, campaign-2025", "Trainees: 3"], messages);
        Assert.Equal("WorkflowStarted", entries[0].GetString("event"));
        Assert.Equal("WorkflowFinished", entries[^1].GetString("event"));
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => (long)i), entries.Select(e => e!["sequence"]!.GetValue<long>()));
    }
}
