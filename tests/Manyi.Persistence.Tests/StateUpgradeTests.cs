using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Persistence.Tests.DataHarness;

namespace Manyi.Persistence.Tests;

/// <summary>
/// An instance saved before the composite runtime (state format 1: one flat flowchart's queue, tokens and held loop
/// exits) keeps running after the upgrade: its blob is read in the current format, the old tokens become the root
/// flowchart's, its waiting activity gets a context of its own, and the next save writes the current format. So does
/// one saved in format 2 (before ParallelForEach iterations kept their outputs apart).
/// </summary>
public sealed class StateUpgradeTests
{
    /// <summary>
    /// Forks into a loop that waits for 'tick' twice and a branch that waits for 'other'; both join, then 'done'.
    /// </summary>
    private static readonly Engine.Model.WorkflowDefinition LoopAndJoin = Workflow("loop-and-join",
        "[{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " +
        "{\"id\": \"fork\", \"type\": \"Elsa.FlowFork\", \"branches\": " + Literal("String[]", "a, b") + "}, " +
        Event("tick", "tick") + ", " + Event("other", "other") + ", " +
        """
        {"id": "add", "type": "Elsa.SetVariable", "variable": {"id": "count", "name": "count", "typeName": "Int32"},
         "value": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "getCount() + 1"}}},
        {"id": "again", "type": "Elsa.FlowDecision", "condition": {"typeName": "Boolean", "expression": {"type": "JavaScript", "value": "getCount() < 2"}}},
        {"id": "join", "type": "Elsa.FlowJoin", "mode": {"typeName": "String", "expression": {"type": "Literal", "value": "WaitAll"}}},
        """ + WriteLine("done", "done") + "]",
        $"[{Connect("start", "fork")}, {Connect("fork", "tick", "a")}, {Connect("fork", "other", "b")}, {Connect("tick", "add")}, " +
        $"{Connect("add", "again")}, {Connect("again", "tick", "True")}, {Connect("again", "join", "False")}, {Connect("other", "join")}, {Connect("join", "done")}]",
        """[{"id": "count", "name": "count", "typeName": "Int32", "value": "0"}]""");

    /// <summary>
    /// The state blob the previous Manyi (format 1, commit 49d55aa) saved for this workflow after 'other' and one
    /// 'tick', copied from its database: waiting for the second tick, the join holding the other branch's token
    /// (connection 7), the loop's exit to the join (connection 6) held.
    /// </summary>
    private const string Format1State = """
        {"formatVersion":1,"parentInstanceId":null,"startActivityId":"start","variables":{"count":1},"input":{},"activityOutputs":{"other":{"Input":{}},"tick":{"Input":{}}},"lastResult":{},"queue":[],"tokens":{"join":{"7":true}},"heldLoopExits":[6],"journalSequence":12,"reminderLadders":{}}
        """;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_instance_saved_in_format_1_resumes_and_finishes_and_is_saved_in_the_current_format(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(LoopAndJoin, false, null, ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("loop-and-join", ct));
        Task<StimulusResult> SendAsync(string name) => data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", name) { CorrelationId = "c-1", QueueIfUnmatched = false }, ct));
        var instance = await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("loop-and-join", new StartOptions { CorrelationId = "c-1" }, ct));
        await SendAsync("other");
        await SendAsync("tick");

        // The instance row as the previous Manyi left it at this point; its bookmark row (the second tick) is unchanged.
        await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.State, Format1State), ct));
        var loaded = (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)))!;
        Assert.Equal(WorkflowState.CurrentFormatVersion, loaded.State.FormatVersion);
        var root = Assert.Single(loaded.State.Contexts);
        Assert.Equal(new Dictionary<int, bool> { [7] = true }, root.Tokens["join"]);
        Assert.Equal([6], root.HeldLoopExits);

        var resumed = Assert.Single((await SendAsync("tick")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        Assert.Equal(2, resumed.State.Variables["count"]!.GetValue<int>());
        var journal = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries
            .Where(j => j.InstanceId == instance.Id && j.Sequence >= 12).OrderBy(j => j.Sequence).Select(j => j.ActivityId + " " + j.Event).ToListAsync(ct));
        Assert.Equal(
        [
            "tick Resumed", "tick Executed", "add Executed", "again Executed", "join Executed", "done Message", "done Executed", " WorkflowFinished",
        ], journal);
        var blob = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id).Select(i => i.State).SingleAsync(ct));
        Assert.Contains($"\"formatVersion\":{WorkflowState.CurrentFormatVersion}", blob, StringComparison.Ordinal);
    }

    /// <summary>A ParallelForEach whose two iterations wait for 'go-a' and 'go-b', then 'after'.</summary>
    private static readonly Engine.Model.WorkflowDefinition ParallelWait = Workflow("parallel-wait",
        """
        [{"id": "all", "type": "Elsa.ParallelForEach", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "['a', 'b']"}},
          "body": {"id": "body", "type": "Elsa.Sequence", "activities": [
            {"id": "wait", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'go-' + getVariable('CurrentValue')"}}},
            {"id": "got", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'got ' + getVariable('CurrentValue')"}}}]}},
        """ + WriteLine("after", "after") + "]",
        $"[{Connect("all", "after")}]");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_instance_saved_in_format_2_resumes_its_parallel_iterations_and_is_saved_in_the_current_format(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(ParallelWait, false, null, ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("parallel-wait", ct));
        Task<StimulusResult> SendAsync(string name) => data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", name) { QueueIfUnmatched = false }, ct));
        var instance = await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("parallel-wait", new StartOptions(), ct));

        // Format 2 wrote the same blob without the contexts' outputs (its bookmark ids are this run's, hence not a literal).
        var saved = System.Text.Json.Nodes.JsonNode.Parse(await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances
            .Where(i => i.Id == instance.Id).Select(i => i.State).SingleAsync(ct)))!.AsObject();
        saved["formatVersion"] = 2;
        foreach (var context in saved["contexts"]!.AsArray()) context!.AsObject().Remove("outputs");
        var format2 = saved.ToJsonString();
        Assert.DoesNotContain("\"outputs\"", format2, StringComparison.Ordinal);
        await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.State, format2), ct));
        var loaded = (await data.InScopeAsync(s => s.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, ct)))!;
        Assert.Equal(WorkflowState.CurrentFormatVersion, loaded.State.FormatVersion);

        await SendAsync("go-b");
        var resumed = Assert.Single((await SendAsync("go-a")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        var lines = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries
            .Where(j => j.InstanceId == instance.Id && j.Event == nameof(JournalEvent.Message)).OrderBy(j => j.Sequence).Select(j => j.Message).ToListAsync(ct));
        Assert.Equal(["got b", "got a", "after"], lines);
        var blob = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowInstances.Where(i => i.Id == instance.Id).Select(i => i.State).SingleAsync(ct));
        Assert.Contains($"\"formatVersion\":{WorkflowState.CurrentFormatVersion}", blob, StringComparison.Ordinal);
    }
}
