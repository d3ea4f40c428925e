using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Persistence.Tests.DataHarness;

namespace Manyi.Persistence.Tests;

public sealed class SqlWorkflowStoreTests
{
    /// <summary>Waits for 'tick', adds one to a counter, waits again: every tick must count exactly once.</summary>
    private static readonly Engine.Model.WorkflowDefinition Counter = Workflow("counter",
        "[{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " + Event("tick", "tick") + ", " +
        """
        {"id": "add", "type": "Elsa.SetVariable", "variable": {"id": "count", "name": "count", "typeName": "Int32"},
         "value": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "getCount() + 1"}}}]
        """,
        $"[{Connect("start", "tick")}, {Connect("tick", "add")}, {Connect("add", "tick")}]",
        """[{"id": "count", "name": "count", "typeName": "Int32", "value": "0"}]""");

    private static async Task<WorkflowInstance> StartCounterAsync(DataHarness data, CancellationToken ct)
    {
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Counter, false, null, ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("counter", ct));
        return await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("counter", new StartOptions { CorrelationId = "c-1" }, ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Parallel_stimuli_to_one_instance_are_each_applied_exactly_once(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);
        const int ticks = 40;

        // Each stimulus in its own scope (its own DbContext and runtime), as parallel requests would be.
        var results = await Task.WhenAll(Enumerable.Range(0, ticks).Select(_ => Task.Run(() =>
            data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(new Stimulus("Elsa.Event", "tick") { CorrelationId = "c-1" }, ct)), ct)));

        Assert.All(results, r => Assert.Single(r.Resumed));
        var stored = await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct));
        Assert.Equal(ticks, stored!.State.Variables["count"]!.GetValue<int>());
        Assert.Equal(ticks + 1, stored.Revision);
        var resumed = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries.CountAsync(j => j.InstanceId == instance.Id && j.Event == "Resumed", ct));
        Assert.Equal(ticks, resumed);
        var bookmarks = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().Bookmarks.CountAsync(b => b.InstanceId == instance.Id, ct));
        Assert.Equal(1, bookmarks);
    }

    /// <summary>
    /// A workflow used as an activity is found by its type name ("Subworkflow test" is <c>SubworkflowTest</c>) among the
    /// published definitions marked usable as activities, never among drafts or unmarked ones.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_published_workflow_usable_as_an_activity_is_found_by_its_type_name(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        async Task ImportAsync(string id, string name, bool usable, bool publish)
        {
            var json = JsonNode.Parse(Engine.Serialization.ElsaJson.Write(Workflow(id, "[{\"id\": \"start\", \"type\": \"Elsa.Start\"}]", "[]")))!.AsObject();
            json["name"] = name;
            json["options"] = new JsonObject { ["usableAsActivity"] = usable };
            await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Engine.Serialization.ElsaJson.Read(json.ToJsonString()), false, null, ct));
            if (publish) await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(id, ct));
        }
        await ImportAsync("child", "Subworkflow test", usable: true, publish: true);
        await ImportAsync("draft", "Draft child", usable: true, publish: false);
        await ImportAsync("plain", "Plain child", usable: false, publish: true);

        Assert.Equal("child", (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindPublishedWorkflowActivityAsync("SubworkflowTest", ct)))?.DefinitionId);
        Assert.Null(await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindPublishedWorkflowActivityAsync("DraftChild", ct)));
        Assert.Null(await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindPublishedWorkflowActivityAsync("PlainChild", ct)));
    }

    /// <summary>A burst that writes 8,000 journal lines, 600 bookmarks and 600 e-mails: past either database's parameter limit in one statement.</summary>
    /// <summary>The stored form of a keyed journal line: its key, and its arguments as compact JSON with Chinese as itself.</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_journal_line_is_stored_as_its_key_and_arguments(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);
        await using var scope = data.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IWorkflowStore>();
        var loaded = (await store.FindInstanceAsync(instance.Id, ct))!;
        var burst = new BurstResult { ExpectedRevision = loaded.Revision };
        burst.Journal.Add(new JournalEntry(loaded.Id, 500, DateTimeOffset.UtcNow, "review", "Manyi.UserTask", null, JournalEvent.Message,
            MessageKey: JournalKeys.TasksOpened, Arguments: new JsonObject { ["count"] = 2, ["title"] = "评审 \"A\"" }));

        await store.SaveAsync(loaded, burst, ct);

        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var line = await db.JournalEntries.SingleAsync(j => j.InstanceId == loaded.Id && j.Sequence == 500, ct);
        Assert.Equal(("task.opened", """{"count":2,"title":"评审 \"A\""}""", (string?)null), (line.MessageKey, line.Arguments, line.Message));
        // The run's first line: the version it started on, as data.
        var started = await db.JournalEntries.SingleAsync(j => j.InstanceId == loaded.Id && j.Event == "WorkflowStarted", ct);
        Assert.Equal(("workflow.started", """{"version":1}"""), (started.MessageKey, started.Arguments));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_burst_with_thousands_of_rows_is_saved_whole(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);
        await using var scope = data.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IWorkflowStore>();
        var loaded = (await store.FindInstanceAsync(instance.Id, ct))!;
        var burst = new BurstResult { ExpectedRevision = loaded.Revision };
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 8_000; i++)
            burst.Journal.Add(new JournalEntry(loaded.Id, 1_000 + i, now, "w" + i, "Elsa.WriteLine", null, JournalEvent.Message, "line " + i));
        for (var i = 0; i < 600; i++)
        {
            burst.AddedBookmarks.Add(new Bookmark("b-" + i, loaded.Id, "tick", "Elsa.Event", "k" + i, null, now, null, null));
            burst.Emails.Add(new OutgoingEmail("e-" + i, "test", ["a@example.org"], "s", "t"));
        }

        await store.SaveAsync(loaded, burst, ct);

        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        Assert.Equal(8_000, await db.JournalEntries.CountAsync(j => j.InstanceId == loaded.Id && j.Sequence >= 1_000, ct));
        Assert.Equal(601, await db.Bookmarks.CountAsync(b => b.InstanceId == loaded.Id, ct));
        Assert.Equal(600, await db.OutboxMessages.CountAsync(m => m.InstanceId == loaded.Id, ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_save_from_a_stale_revision_is_refused_and_changes_nothing(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);

        // Two readers load the same revision; the first save wins, the second must be refused whole.
        await using var first = data.Services.CreateAsyncScope();
        await using var second = data.Services.CreateAsyncScope();
        var a = (await first.ServiceProvider.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct))!;
        var b = (await second.ServiceProvider.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct))!;
        a.State.Variables["count"] = 7;
        await first.ServiceProvider.GetRequiredService<IWorkflowStore>().SaveAsync(a, new BurstResult { ExpectedRevision = a.Revision }, ct);

        b.State.Variables["count"] = 99;
        var stale = new BurstResult { ExpectedRevision = b.Revision };
        stale.Journal.Add(new JournalEntry(b.Id, 1000, DateTimeOffset.UtcNow, null, null, null, JournalEvent.Message, "must not be stored"));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => second.ServiceProvider.GetRequiredService<IWorkflowStore>().SaveAsync(b, stale, ct));

        var stored = await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct));
        Assert.Equal(7, stored!.State.Variables["count"]!.GetValue<int>());
        Assert.False(await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries.AnyAsync(j => j.Message == "must not be stored", ct)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_burst_that_fails_to_save_leaves_no_part_of_itself_behind(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);
        var loaded = (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)))!;

        // The journal sequence is unique per instance: re-using sequence 0 fails the insert after the instance row was updated.
        var burst = new BurstResult { ExpectedRevision = loaded.Revision };
        loaded.State.Variables["count"] = 42;
        var bookmark = loaded.Bookmarks[0];
        loaded.Bookmarks.Clear();
        burst.RemovedBookmarks.Add(bookmark);
        burst.Journal.Add(new JournalEntry(loaded.Id, 0, DateTimeOffset.UtcNow, null, null, null, JournalEvent.Message, "duplicate"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().SaveAsync(loaded, burst, ct)));

        var stored = (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)))!;
        Assert.Equal(0, stored.State.Variables["count"]!.GetValue<int>());
        Assert.Equal(instance.Revision, stored.Revision);
        Assert.Equal([bookmark.Id], stored.Bookmarks.Select(b => b.Id));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_state_blob_carries_its_format_version_and_a_newer_one_is_refused(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var instance = await StartCounterAsync(data, ct);

        var blob = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id).Select(i => i.State).SingleAsync(ct));
        var json = JsonNode.Parse(blob)!.AsObject();
        Assert.Equal(WorkflowState.CurrentFormatVersion, (int)json["formatVersion"]!);
        Assert.Equal("start", (string?)json["startActivityId"]);

        json["formatVersion"] = WorkflowState.CurrentFormatVersion + 1;
        await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.State, json.ToJsonString()), ct));
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)));
        Assert.Contains("newer than this Manyi understands", refused.Message);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_stimulus_that_arrives_before_its_bookmark_is_delivered_when_the_bookmark_appears(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var early = await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", "tick") { CorrelationId = "c-1", Input = { ["n"] = 1 } }, ct));
        Assert.True(early.Queued);

        var instance = await StartCounterAsync(data, ct);

        var stored = (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)))!;
        Assert.Equal(1, stored.State.Variables["count"]!.GetValue<int>());
        Assert.Equal(0, await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().QueuedStimuli.CountAsync(ct)));
    }
}
