using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Composition;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Persistence.Tests.DataHarness;

namespace Manyi.Persistence.Tests;

/// <summary>
/// A parent waiting for its dispatched children on a real database: each child's end is a row of its own, recorded
/// once, and the parent is loaded and saved once, when the last child it waits for ends, taking every result.
/// </summary>
public sealed class ChildEndTests
{
    private const int Children = 20;

    /// <summary>Waits for 'go' (correlated by its item), keeps the number it got.</summary>
    private static readonly Engine.Model.WorkflowDefinition Child = Workflow("child",
        "[{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " + Event("go", "go") + ", " +
        """
        {"id": "keep", "type": "Elsa.SetVariable", "variable": {"id": "n", "name": "n", "typeName": "Int32"},
         "value": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "getOutputFrom('go', 'Input').n"}}}]
        """,
        $"[{Connect("start", "go")}, {Connect("go", "keep")}]",
        """[{"id": "n", "name": "n", "typeName": "Int32", "value": "0"}]""");

    private static readonly string[] Items = [.. Enumerable.Range(1, Children).Select(i => $"org-{i:00}")];

    /// <summary>One child per item, waiting for all; then a line.</summary>
    private static readonly Engine.Model.WorkflowDefinition Parent = Workflow("parent",
        "[{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " +
        "{\"id\": \"dispatch\", \"type\": \"Elsa.DispatchWorkflow\", \"workflowDefinitionId\": " + Literal("String", "child") + ", " +
        "\"forEach\": {\"typeName\": \"Object\", \"expression\": {\"type\": \"Literal\", \"value\": " +
        new JsonArray([.. Items.Select(i => JsonValue.Create(i))]).ToJsonString() + "}}}, " + WriteLine("after", "all ended") + "]",
        $"[{Connect("start", "dispatch")}, {Connect("dispatch", "after")}]");

    private static async Task<WorkflowInstance> StartParentAsync(DataHarness data, CancellationToken ct)
    {
        foreach (var definition in new[] { Child, Parent })
        {
            await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, false, null, ct));
            await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(definition.DefinitionId, ct));
        }
        return await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("parent", new StartOptions(), ct));
    }

    /// <summary>Ends the child of <paramref name="item"/>, in a scope of its own as one request would.</summary>
    private static Task<StimulusResult> EndAsync(DataHarness data, string item, CancellationToken ct) =>
        data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", "go") { CorrelationId = item, QueueIfUnmatched = false, Input = { ["n"] = int.Parse(item[4..]) } }, ct));

    private static Task<WorkflowInstance?> LoadAsync(DataHarness data, string id, CancellationToken ct) =>
        data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(id, ct));

    private static Task<List<string>> RecordedAsync(DataHarness data, string parentId, CancellationToken ct) =>
        data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().ChildEnds.Where(e => e.ParentInstanceId == parentId)
            .OrderBy(e => e.Id).Select(e => e.ChildInstanceId).ToListAsync(ct));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Each_end_is_recorded_once_and_the_parent_is_saved_once_when_the_last_of_children_ending_at_once_ends(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var parent = await StartParentAsync(data, ct);
        var children = parent.Bookmarks.Where(b => b.Name == DispatchWorkflow.ChildEndedBookmark)
            .ToDictionary(b => (string)b.Payload!["item"]!, b => b.Key!);
        Assert.Equal(Children, children.Count);

        // The first child ends: its end is a row; the parent is neither loaded for it nor saved.
        await EndAsync(data, Items[0], ct);
        Assert.Equal([children[Items[0]]], await RecordedAsync(data, parent.Id, ct));
        Assert.Equal(parent.Revision, (await LoadAsync(data, parent.Id, ct))!.Revision);

        // Its end delivered again (a second node, reconciliation) counts once and resumes nothing.
        var first = (await LoadAsync(data, children[Items[0]], ct))!;
        await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().RecordChildEndAsync(ChildEnd.Of(first, parent.Id, first.UpdatedAt), ct));
        Assert.Single(await RecordedAsync(data, parent.Id, ct));
        Assert.Equal(0, await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(ct)));
        Assert.Equal(parent.Revision, (await LoadAsync(data, parent.Id, ct))!.Revision);

        // The others end at once, each in a scope (a connection) of its own: every end counts, and the parent resumes once.
        await Task.WhenAll(Items.Skip(1).Select(item => Task.Run(() => EndAsync(data, item, ct), ct)));

        Assert.Equal(children.Values.Order(), (await RecordedAsync(data, parent.Id, ct)).Order());
        var done = (await LoadAsync(data, parent.Id, ct))!;
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Equal(parent.Revision + 1, done.Revision);
        Assert.Empty(done.Bookmarks);
        var results = (JsonObject)done.State.ActivityOutputs["dispatch"]["Results"]!;
        Assert.Equal(Items, results.Select(r => r.Key).Order());
        Assert.All(Items, item => Assert.Equal(int.Parse(item[4..]), (int)results[item]!["variables"]!["n"]!));
        Assert.All(Items, item => Assert.Equal(children[item], (string?)results[item]!["instanceId"]));
        Assert.Equal(1, await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries
            .CountAsync(j => j.InstanceId == parent.Id && j.Message == "all ended", ct)));
    }

    /// <summary>
    /// A parent saved before child ends were rows: it took some ends the old way (in its results, their bookmarks gone),
    /// missed one whose child ended before the upgrade, and waits for the rest. It takes the missed one through
    /// reconciliation, the rest as rows, and ends with every result.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_parent_that_took_ends_the_old_way_takes_the_rest_as_rows(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var parent = await StartParentAsync(data, ct);
        var children = parent.Bookmarks.Where(b => b.Name == DispatchWorkflow.ChildEndedBookmark)
            .ToDictionary(b => (string)b.Payload!["item"]!, b => b.Key!);

        // Two children end before the upgrade: no rows then. The first's end the parent took as the old runtime told it
        // (its bookmark resumed by the child-ended stimulus, at once); the second's it never heard of.
        await EndAsync(data, Items[0], ct);
        await EndAsync(data, Items[1], ct);
        await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().ChildEnds.ExecuteDeleteAsync(ct));
        var told = (await LoadAsync(data, children[Items[0]], ct))!;
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(ChildEnd.Of(told, parent.Id, told.UpdatedAt).ToStimulus(), ct));
        var before = (await LoadAsync(data, parent.Id, ct))!;
        Assert.Equal(Children - 1, before.Bookmarks.Count(b => b.Name == DispatchWorkflow.ChildEndedBookmark));
        Assert.Equal([Items[0]], ((JsonObject)before.State.ActivityOutputs["dispatch"]["Results"]!).Select(r => r.Key));

        // After the upgrade: reconciliation records the missed end (the parent still waits), the others end as rows.
        Assert.Equal(1, await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(ct)));
        Assert.Equal([children[Items[1]]], await RecordedAsync(data, parent.Id, ct));
        Assert.Equal(before.Revision, (await LoadAsync(data, parent.Id, ct))!.Revision);
        foreach (var item in Items.Skip(2)) await EndAsync(data, item, ct);

        var done = (await LoadAsync(data, parent.Id, ct))!;
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Equal(before.Revision + 1, done.Revision);
        var results = (JsonObject)done.State.ActivityOutputs["dispatch"]["Results"]!;
        Assert.Equal(Items, results.Select(r => r.Key).Order());
        Assert.Equal(2, (int)results[Items[1]]!["variables"]!["n"]!);
    }

    /// <summary>The last end's notification lost (a crash after the child's commit): reconciliation resumes the parent.</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_wait_whose_every_end_is_recorded_but_whose_parent_was_not_resumed_is_resumed_by_reconciliation(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var parent = await StartParentAsync(data, ct);
        foreach (var item in Items.SkipLast(1)) await EndAsync(data, item, ct);
        var last = parent.Bookmarks.Single(b => b.Name == DispatchWorkflow.ChildEndedBookmark && (string?)b.Payload!["item"] == Items[^1]).Key!;
        // The child ends behind its parent's back, and its end is recorded, but the parent is never told.
        await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == last)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, nameof(WorkflowStatus.Finished)), ct));
        var child = (await LoadAsync(data, last, ct))!;
        await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().RecordChildEndAsync(ChildEnd.Of(child, parent.Id, child.UpdatedAt), ct));
        Assert.Equal(WorkflowStatus.Suspended, (await LoadAsync(data, parent.Id, ct))!.Status);

        Assert.Equal(1, await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(ct)));
        var done = (await LoadAsync(data, parent.Id, ct))!;
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Equal(Children, ((JsonObject)done.State.ActivityOutputs["dispatch"]["Results"]!).Count);
        Assert.Equal(0, await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(ct)));
    }
}
