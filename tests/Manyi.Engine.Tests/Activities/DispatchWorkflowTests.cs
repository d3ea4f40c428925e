using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Composition;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Engine.Tests.Activities;

public sealed class DispatchWorkflowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A child that waits for "reported" (correlated by its item) and keeps the reported number in a variable.</summary>
    private static WorkflowDefinition Child(string id = "child") => Definition(id,
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("wait", "Elsa.Event", ("eventName", Doc.Input("reported"))),
            Doc.Activity("keep", "Elsa.SetVariable",
                ("variable", new JsonObject { ["id"] = "n", ["name"] = "n", ["typeName"] = "Int32" }),
                ("value", Doc.Input("getOutputFrom('wait', 'Input').n", "JavaScript", "Object"))),
        ],
        [Doc.Connection("start", "Done", "wait"), Doc.Connection("wait", "Done", "keep")],
        [new JsonObject { ["id"] = "n", ["name"] = "n", ["typeName"] = "Int32", ["value"] = "0" }]);

    /// <summary>Dispatches the child once per organization and waits; then writes "all reported".</summary>
    private static WorkflowDefinition Parent(string childId = "child") => Definition("parent",
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("dispatch", "Elsa.DispatchWorkflow",
                ("workflowDefinitionId", Doc.Input(childId)),
                ("forEach", Doc.Input(new JsonArray("mobile-zhengzhou", "unicom-kaifeng"), typeName: "Object")),
                ("input", Doc.Input(new JsonObject { ["year"] = 2025 }, typeName: "Object"))),
            Doc.WriteLine("after", "all reported"),
        ],
        [Doc.Connection("start", "Done", "dispatch"), Doc.Connection("dispatch", "Done", "after")]);

    private static WorkflowDefinition Definition(string id, JsonNode?[] activities, JsonNode?[] connections, JsonNode?[]? variables = null)
    {
        var json = Doc.FlowchartJson(activities, connections, variables);
        json["id"] = id + "-v1";
        json["definitionId"] = id;
        return ElsaJson.Read(json.ToJsonString());
    }

    [Fact]
    public async Task One_child_per_item_starts_with_the_item_and_the_parent_goes_on_when_every_child_has_ended()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Child());
        await engine.PublishAsync(Parent());

        var parent = await engine.StartAsync(Parent());

        Assert.Equal(WorkflowStatus.Suspended, parent.Status);
        var childBookmarks = parent.Bookmarks.Where(b => b.Name == DispatchWorkflow.ChildEndedBookmark).ToList();
        Assert.Equal(2, childBookmarks.Count);
        var zhengzhou = await engine.LoadAsync(childBookmarks.Single(b => (string?)b.Payload!["item"] == "mobile-zhengzhou").Key!);
        Assert.Equal("mobile-zhengzhou", zhengzhou.CorrelationId);
        Assert.Equal(2025, (int)zhengzhou.State.Input["year"]!);
        Assert.Equal(parent.Id, zhengzhou.State.ParentInstanceId);

        await engine.SendEventAsync("reported", "mobile-zhengzhou", ("n", 12));
        Assert.Equal(WorkflowStatus.Suspended, (await engine.LoadAsync(parent.Id)).Status);
        await engine.SendEventAsync("reported", "unicom-kaifeng", ("n", 3));

        var after = await engine.LoadAsync(parent.Id);
        Assert.Equal(WorkflowStatus.Finished, after.Status);
        Assert.Contains("after Message all reported", engine.Steps(parent.Id));
        var results = (JsonObject)after.State.ActivityOutputs["dispatch"]["Results"]!;
        Assert.Equal(12, (int)results["mobile-zhengzhou"]!["variables"]!["n"]!);
        Assert.Equal("Finished", (string?)results["unicom-kaifeng"]!["status"]);
    }

    /// <summary>Whoever reads the results (a Liquid summary, the instance viewer) names each organization as the catalogue does.</summary>
    [Fact]
    public async Task Each_result_of_an_organization_names_it_and_an_id_the_catalogue_does_not_know_has_no_name()
    {
        await using var engine = new TestEngine(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<ITaskDirectory>(new OneNameDirectory())));
        await engine.PublishAsync(Child());
        await engine.PublishAsync(Parent());
        var parent = await engine.StartAsync(Parent());

        await engine.SendEventAsync("reported", "mobile-zhengzhou", ("n", 12));
        await engine.SendEventAsync("reported", "unicom-kaifeng", ("n", 3));

        var results = (JsonObject)(await engine.LoadAsync(parent.Id)).State.ActivityOutputs["dispatch"]["Results"]!;
        Assert.Equal("郑州移动", (string?)results["mobile-zhengzhou"]!["organizationName"]);
        Assert.Null(results["unicom-kaifeng"]!["organizationName"]);
        Assert.Equal(3, (int)results["unicom-kaifeng"]!["variables"]!["n"]!);
    }

    private sealed class OneNameDirectory : ITaskDirectory
    {
        public Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(organizationIds.Where(id => id == "mobile-zhengzhou").ToDictionary(id => id, _ => "郑州移动"));
    }

    [Fact]
    public async Task A_cancelled_child_counts_as_ended()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Child());
        await engine.PublishAsync(Parent());
        var parent = await engine.StartAsync(Parent());
        var children = parent.Bookmarks.Where(b => b.Name == DispatchWorkflow.ChildEndedBookmark).Select(b => b.Key!).ToList();

        await engine.Runtime.CancelAsync(children[0], Ct);
        await engine.Runtime.CancelAsync(children[1], Ct);

        var after = await engine.LoadAsync(parent.Id);
        Assert.Equal(WorkflowStatus.Finished, after.Status);
        Assert.All(((JsonObject)after.State.ActivityOutputs["dispatch"]["Results"]!).Select(r => (string?)r.Value!["status"]), s => Assert.Equal("Cancelled", s));
    }

    [Fact]
    public async Task Reconciliation_starts_children_that_were_never_started_and_tells_the_parent_of_ended_ones()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Parent("late-child"));
        // The child's definition is not published yet: the dispatch cannot start it, as if the process had stopped.
        var parent = await engine.StartAsync(Parent("late-child"));
        var childIds = parent.Bookmarks.Where(b => b.Name == DispatchWorkflow.ChildEndedBookmark).Select(b => b.Key!).ToList();
        Assert.All(childIds, id => Assert.Null(engine.Store.FindInstanceAsync(id, Ct).Result));

        await engine.PublishAsync(Child("late-child"));
        Assert.Equal(2, await engine.Runtime.ReconcileChildrenAsync(Ct));
        Assert.All(childIds, id => Assert.NotNull(engine.Store.FindInstanceAsync(id, Ct).Result));
        var started = await engine.LoadAsync(childIds[0]);
        Assert.Equal(2025, (int)started.State.Input["year"]!);
        Assert.Equal(started.CorrelationId, (string?)started.State.Input["item"]);
        Assert.Equal(parent.Id, started.State.ParentInstanceId);
        Assert.Equal(0, await engine.Runtime.ReconcileChildrenAsync(Ct));

        await engine.SendEventAsync("reported", "mobile-zhengzhou", ("n", 1));
        await engine.SendEventAsync("reported", "unicom-kaifeng", ("n", 2));
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(parent.Id)).Status);
    }

    [Fact]
    public async Task Without_waiting_the_parent_goes_on_at_once()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Child());
        var json = Doc.FlowchartJson(
            [
                Doc.Activity("start", "Elsa.Start"),
                Doc.Activity("dispatch", "Elsa.DispatchWorkflow", ("workflowDefinitionId", Doc.Input("child")),
                    ("waitForCompletion", Doc.Input(false, typeName: "Boolean"))),
            ],
            [Doc.Connection("start", "Done", "dispatch")]);
        var parent = await engine.StartAsync(ElsaJson.Read(json.ToJsonString()));

        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        var child = Assert.Single(engine.Store.Journal, j => j.Event == JournalEvent.WorkflowStarted && j.InstanceId != parent.Id);
        Assert.Equal(WorkflowStatus.Suspended, (await engine.LoadAsync(child.InstanceId)).Status);
        Assert.Empty(parent.Bookmarks);
    }
}
