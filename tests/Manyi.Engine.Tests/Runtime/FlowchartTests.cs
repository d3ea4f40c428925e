using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>
/// Golden flowcharts: each fixture runs through WorkflowRuntime over the in-memory store, and the test pins the
/// exact journal (activities, outcomes, suspensions) and the final status.
/// </summary>
public sealed class FlowchartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sequence_runs_each_activity_once_in_order_and_finishes()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/sequence.json");

        var instance = await engine.StartAsync(definition, input: ("name", "Ada"));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "hello Message Hello",
            "hello Executed Done",
            "greet Executed Done",
            "say Message Hi Ada!",
            "say Executed Done",
            "end Executed",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, stored.Status);
        Assert.Equal("Hi Ada", stored.State.Variables["greeting"]!.GetValue<string>());
        Assert.Empty(stored.Bookmarks);
        Assert.Empty(stored.State.Queue);
        Assert.Equal(TestEngine.Epoch, stored.FinishedAt);
    }

    [Theory]
    [InlineData(500, "manual", "True", "manual review")]
    [InlineData(50, "auto", "False", "auto approve")]
    public async Task Decision_takes_one_branch_and_the_implicit_join_after_it_does_not_wait_for_the_other(
        int amount, string branch, string outcome, string text)
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/decision-join.json");

        var instance = await engine.StartAsync(definition, input: ("amount", amount));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            $"decide Executed {outcome}",
            $"{branch} Message {text}",
            $"{branch} Executed Done",
            "done Message done",
            "done Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        Assert.Empty((await engine.LoadAsync(instance.Id)).State.Contexts);
    }

    [Fact]
    public async Task Fork_runs_both_branches_breadth_first_and_the_implicit_join_runs_once_after_both()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/fork-join.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Left,Right",
            "left1 Message left 1",
            "left1 Executed Done",
            "right Message right",
            "right Executed Done",
            "left2 Message left 2",
            "left2 Executed Done",
            "joined Message joined",
            "joined Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Theory]
    [InlineData("legal", "finance")]
    [InlineData("finance", "legal")]
    public async Task Wait_all_join_suspends_until_both_events_have_come_in_either_order(string first, string second)
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/fork-events-wait-all.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        Assert.Equal(["finance", "legal"], instance.Bookmarks.Select(b => b.ActivityId).Order());

        var afterFirst = await engine.SendEventAsync($"{first}-signed");

        var resumed = Assert.Single(afterFirst.Resumed);
        Assert.Equal(WorkflowStatus.Suspended, resumed.Status);
        Assert.Equal(second, Assert.Single(resumed.Bookmarks).ActivityId);

        var afterSecond = await engine.SendEventAsync($"{second}-signed");

        Assert.Equal(WorkflowStatus.Finished, Assert.Single(afterSecond.Resumed).Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Legal,Finance",
            "legal Suspended Elsa.Event:legal-signed",
            "finance Suspended Elsa.Event:finance-signed",
            $"{first} Resumed",
            $"{first} Executed Done",
            $"{second} Resumed",
            $"{second} Executed Done",
            "join Executed Done",
            "after Message signed",
            "after Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Wait_any_join_continues_on_the_first_event_and_cancels_the_other_branch_for_good()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/fork-events-wait-any.json");
        var instance = await engine.StartAsync(definition);

        var first = await engine.SendEventAsync("finance-signed");

        var resumed = Assert.Single(first.Resumed);
        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        Assert.Empty(resumed.Bookmarks);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Legal,Finance",
            "legal Suspended Elsa.Event:legal-signed",
            "finance Suspended Elsa.Event:finance-signed",
            "finance Resumed",
            "finance Executed Done",
            "legal Message branch.cancelled-by-join {\"join\":null}",
            "join Executed Done",
            "after Message signed",
            "after Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));

        var late = await engine.SendEventAsync("legal-signed");

        Assert.Empty(late.Resumed);
        Assert.Equal(12, engine.Steps(instance.Id).Count);
    }

    [Theory]
    [InlineData("switch-match-first.json", 4, "Small", new[] { "small" })]
    [InlineData("switch-match-first.json", 12, "Even", new[] { "even" })]
    [InlineData("switch-match-first.json", 13, "Default", new[] { "other" })]
    [InlineData("switch-match-any.json", 4, "Small,Even", new[] { "small", "even" })]
    [InlineData("switch-match-any.json", 12, "Even", new[] { "even" })]
    [InlineData("switch-match-any.json", 13, "Default", new[] { "other" })]
    public async Task Switch_takes_the_matching_ports_and_the_join_after_it_runs_once(string fixture, int n, string outcomes, string[] branches)
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync($"Flowcharts/{fixture}");

        var instance = await engine.StartAsync(definition, input: ("n", n));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            $"switch Executed {outcomes}",
            .. branches.SelectMany(b => new[] { $"{b} Message {b}", $"{b} Executed Done" }),
            "end Executed",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Loop_counts_from_zero_to_three_through_a_back_edge()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/counting-loop.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "check Executed True",
            "increment Executed Done",
            "check Executed True",
            "increment Executed Done",
            "check Executed True",
            "increment Executed Done",
            "check Executed False",
            "report Message count=3",
            "report Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        Assert.Equal(3, (await engine.LoadAsync(instance.Id)).State.Variables["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Loop_that_waits_for_an_event_each_iteration_suspends_between_iterations()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/event-loop.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Suspended, instance.Status);

        for (var tick = 1; tick <= 2; tick++)
        {
            var result = await engine.SendEventAsync("tick");
            var resumed = Assert.Single(result.Resumed);
            Assert.Equal(WorkflowStatus.Suspended, resumed.Status);
            Assert.Single(resumed.Bookmarks);
            Assert.Equal(tick, resumed.State.Variables["count"]!.GetValue<int>());
        }
        var last = await engine.SendEventAsync("tick");

        Assert.Equal(WorkflowStatus.Finished, Assert.Single(last.Resumed).Status);
        string[] iteration = ["wait Resumed", "wait Executed Done", "increment Executed Done"];
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "wait Suspended Elsa.Event:tick",
            .. iteration, "check Executed True", "wait Suspended Elsa.Event:tick",
            .. iteration, "check Executed True", "wait Suspended Elsa.Event:tick",
            .. iteration, "check Executed False",
            "done Message ticks=3",
            "done Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Join_after_a_looping_branch_waits_for_the_loop_to_exit_not_for_its_first_iteration()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/loop-in-branch-join.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Suspended, instance.Status);

        var afterFirstTick = Assert.Single((await engine.SendEventAsync("tick")).Resumed);

        // The loop goes round again: its exit port not taken this time may still be taken, so the join keeps waiting.
        Assert.Equal(WorkflowStatus.Suspended, afterFirstTick.Status);
        Assert.DoesNotContain(engine.Steps(instance.Id), s => s.StartsWith("joined", StringComparison.Ordinal));

        var afterSecondTick = Assert.Single((await engine.SendEventAsync("tick")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, afterSecondTick.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Loop,Other",
            "wait Suspended Elsa.Event:tick",
            "other Message other done",
            "other Executed Done",
            "wait Resumed",
            "wait Executed Done",
            "increment Executed Done",
            "check Executed True",
            "wait Suspended Elsa.Event:tick",
            "wait Resumed",
            "wait Executed Done",
            "increment Executed Done",
            "check Executed False",
            "loopDone Message loop done",
            "loopDone Executed Done",
            "joined Message joined",
            "joined Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        Assert.Empty(afterSecondTick.State.Contexts);
    }

    [Fact]
    public async Task Join_after_a_counting_loop_in_a_branch_runs_once_when_the_loop_exits()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/loop-with-two-exits.json");

        var instance = await engine.StartAsync(definition, input: ("bail", false));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        string[] round = ["check Executed True", "bail Executed False", "increment Executed Done"];
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Loop,Other",
            "check Executed True",
            "other Message other done",
            "other Executed Done",
            "bail Executed False",
            "increment Executed Done",
            .. round,
            .. round,
            "check Executed False",
            "loopDone Message loop done",
            "loopDone Executed Done",
            "joined Message joined",
            "joined Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Join_after_a_loop_that_leaves_by_another_exit_counts_the_untaken_exit_as_visited()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/loop-with-two-exits.json");

        var instance = await engine.StartAsync(definition, input: ("bail", true));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Loop,Other",
            "check Executed True",
            "other Message other done",
            "other Executed Done",
            "bail Executed False",
            "increment Executed Done",
            "check Executed True",
            "bail Executed True",
            "bailed Message bailed out",
            "bailed Executed Done",
            "joined Message joined",
            "joined Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Empty(stored.State.Contexts);
    }

    [Fact]
    public async Task Finish_ends_the_instance_and_cancels_the_branch_that_still_waits()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/finish.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Empty(instance.Bookmarks);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Wait,Work",
            "wait Suspended Elsa.Event:never",
            "work Message finishing",
            "work Executed Done",
            "finish Executed",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));

        var late = await engine.SendEventAsync("never");

        Assert.Empty(late.Resumed);
        Assert.DoesNotContain(engine.Steps(instance.Id), s => s.StartsWith("afterWait", StringComparison.Ordinal));
    }

    [Fact]
    public async Task End_ends_one_branch_while_the_other_still_waits()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/end-branch.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        Assert.Equal("wait", Assert.Single(instance.Bookmarks).ActivityId);

        var resumed = Assert.Single((await engine.SendEventAsync("go")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Wait,Stop",
            "wait Suspended Elsa.Event:go",
            "end Executed",
            "wait Resumed",
            "wait Executed Done",
            "afterWait Message went",
            "afterWait Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Loop_without_a_wait_hits_the_step_guard_and_faults_with_an_incident()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/runaway-loop.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("spin", incident.ActivityId);
        Assert.Equal("Elsa.FlowDecision", incident.ActivityType);
        Assert.Contains("without waiting", incident.Message);
        Assert.Null(incident.ResolvedAt);
        var steps = engine.Steps(instance.Id);
        Assert.InRange(steps.Count(s => s == "spin Executed True"), 1_000, 10_000);
        Assert.StartsWith("spin Faulted", steps[^2]);
        Assert.Equal("WorkflowFaulted", steps[^1]);
        // The looping activity waits at the head of the queue, exactly once, for a retry.
        Assert.Equal(["spin"], (await engine.LoadAsync(instance.Id)).State.Queue.Select(i => i.ActivityId));
    }

    [Fact]
    public async Task Step_guard_faults_the_instance_even_when_the_definition_continues_after_incidents()
    {
        await using var engine = new TestEngine();
        var definition = Fixture.Load("Flowcharts/runaway-loop.json");
        definition.Options["incidentStrategy"] = "Continue";
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        // Continuing would only spin again: a runaway loop is stopped whatever the strategy, never "Finished" with work queued.
        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Equal("spin", Assert.Single(instance.Incidents).ActivityId);
        Assert.Equal(["spin"], (await engine.LoadAsync(instance.Id)).State.Queue.Select(i => i.ActivityId));
    }

    [Fact]
    public async Task Instance_stays_pinned_to_the_version_it_started_on()
    {
        await using var engine = new TestEngine();
        var v1 = await engine.PublishAsync("Events/approval.json");
        var instance = await engine.StartAsync(v1, "c-1");
        var v2 = Fixture.Load("Events/approval.json");
        v2.Id = "approval-v2";
        v2.Version = 2;
        v2.Root.Activities!.Single(a => a.Id == "thanks").Properties["text"] =
            new Model.Expression("Literal", JsonValue.Create("version two")).ToInputProperty("String");
        await engine.PublishAsync(v2);

        var resumed = Assert.Single((await engine.SendEventAsync("approved", input: ("by", "Li"))).Resumed);

        Assert.Equal("approval-v1", resumed.DefinitionVersionId);
        Assert.Contains("thanks Message approved by Li for c-1", engine.Steps(instance.Id));
        var fresh = await engine.Runtime.StartAsync("approval", new StartOptions(), Ct);
        Assert.Equal("approval-v2", fresh.DefinitionVersionId);
        Assert.Equal(2, fresh.Version);
    }
}
