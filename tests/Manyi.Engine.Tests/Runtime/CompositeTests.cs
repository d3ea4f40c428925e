using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using static Manyi.Engine.Tests.Tree;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>
/// Elsa's composite model: any activity as the root, containers nested to any depth, each control-flow activity
/// with the semantics Elsa documents for it. The lines each workflow writes (its WriteLine messages) are the proof.
/// </summary>
public sealed class CompositeTests
{
    /// <summary>The messages the instance's WriteLines wrote, in order.</summary>
    private static List<string> Lines(TestEngine engine, string instanceId) =>
        [.. engine.Steps(instanceId).Where(s => s.Contains(" Message ", StringComparison.Ordinal)).Select(s => s[(s.IndexOf(" Message ", StringComparison.Ordinal) + 9)..])];

    private static async Task<(TestEngine Engine, WorkflowInstance Instance)> RunAsync(JsonObject root, params JsonNode?[] variables)
    {
        var engine = new TestEngine();
        var definition = Workflow(root, variables);
        await engine.PublishAsync(definition);
        return (engine, await engine.StartAsync(definition));
    }

    [Fact]
    public async Task A_sequence_as_the_root_runs_its_activities_in_order_with_its_own_variables()
    {
        var root = Sequence("seq",
            Doc.Activity("set", "Elsa.SetVariable", ("variable", new JsonObject { ["id"] = "greeting", ["name"] = "greeting" }), ("value", Doc.Input("hello"))),
            Line("a", "getVariable('greeting') + ' a'"),
            Sequence("inner", Line("b", "'b'"), Line("c", "'c'")),
            Line("d", "'d'"))
            .With("variables", new JsonArray(Doc.Variable("greeting", "String", "hi")));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["hello a", "b", "c", "d"], Lines(engine, instance.Id));
        Assert.Contains("inner Executed Done", engine.Steps(instance.Id));
        // The sequence's variable is local to it: the workflow's own variables do not get it.
        Assert.False((await engine.LoadAsync(instance.Id)).State.Variables.ContainsKey("greeting"));
    }

    [Fact]
    public async Task An_End_in_a_sequence_ends_the_sequence()
    {
        var root = Sequence("outer", Sequence("seq", Line("a", "'a'"), Doc.Activity("end", "Elsa.End"), Line("b", "'b'")), Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(["a", "after"], Lines(engine, instance.Id));
    }

    [Theory]
    [InlineData(true, "then", "True")]
    [InlineData(false, "else", "False")]
    public async Task If_runs_then_or_else_and_completes_with_the_branch_and_Done(bool condition, string line, string outcome)
    {
        var root = Sequence("seq",
            Doc.Activity("if", "Elsa.If", ("condition", Doc.Input(condition, typeName: "Boolean")), ("then", Line("then", "'then'")), ("else", Line("else", "'else'"))),
            Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal([line, "after"], Lines(engine, instance.Id));
        Assert.Contains($"if Executed {outcome},Done", engine.Steps(instance.Id));
        Assert.Equal(condition, (bool)(await engine.LoadAsync(instance.Id)).State.ActivityOutputs["if"]["Result"]!);
    }

    [Theory]
    [InlineData("MatchFirst", 5, new[] { "small" })]
    [InlineData("MatchAny", 5, new[] { "small", "odd" })]
    [InlineData("MatchFirst", 40, new[] { "default" })]
    public async Task Switch_runs_the_first_or_every_matching_case_else_the_default(string mode, int n, string[] expected)
    {
        JsonObject Case(string label, string condition) => new()
        {
            ["label"] = label,
            ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = condition },
            ["activity"] = Line(label, $"'{label}'"),
        };
        var root = Doc.Activity("switch", "Elsa.Switch",
            ("mode", Doc.Input(mode)),
            ("cases", new JsonArray(Case("small", $"{n} < 10"), Case("odd", $"{n} % 2 == 1"))),
            ("default", Line("default", "'default'")));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(expected, Lines(engine, instance.Id));
    }

    [Fact]
    public async Task ForEach_runs_its_body_per_item_in_order_with_the_current_value_and_index_and_binds_the_variable()
    {
        var root = Sequence("seq",
            Doc.Activity("each", "Elsa.ForEach",
                ("items", Js("['a', 'b', 'c']")),
                ("currentValue", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "last" } }),
                ("body", Line("say", "getVariable('CurrentIndex') + ':' + getVariable('CurrentValue')"))),
            Line("after", "'last ' + getVariable('last')"));

        var (engine, instance) = await RunAsync(root, Doc.Variable("last", "String"));
        await using var _ = engine;

        Assert.Equal(["0:a", "1:b", "2:c", "last c"], Lines(engine, instance.Id));
        Assert.Equal("c", (await engine.LoadAsync(instance.Id)).State.ActivityOutputs["each"]["CurrentValue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Break_in_a_sequence_in_a_loop_ends_the_nearest_loop_only()
    {
        var body = Sequence("body",
            Doc.Activity("stop", "Elsa.If", ("condition", Js("getVariable('CurrentValue') == 3", "Boolean")), ("then", Doc.Activity("break", "Elsa.Break"))),
            Line("say", "'item ' + getVariable('CurrentValue')"));
        var root = Sequence("seq",
            Doc.Activity("outer", "Elsa.For", ("start", Doc.Input(1, typeName: "Int32")), ("end", Doc.Input(2, typeName: "Int32")),
                ("body", Doc.Activity("each", "Elsa.ForEach", ("items", Js("[1, 2, 3, 4]")), ("body", body)))),
            Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["item 1", "item 2", "item 1", "item 2", "after"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task While_repeats_its_body_while_the_condition_holds()
    {
        var root = Sequence("seq",
            Doc.Activity("loop", "Elsa.While", ("condition", Js("getVariable('n') < 3", "Boolean")),
                ("body", Sequence("body",
                    Doc.Activity("inc", "Elsa.SetVariable", ("variable", new JsonObject { ["id"] = "v-n", ["name"] = "n" }), ("value", Js("getVariable('n') + 1"))),
                    Line("say", "'n=' + getVariable('n')")))),
            Line("done", "'done'"));

        var (engine, instance) = await RunAsync(root, Doc.Variable("n", "Int32", "0"));
        await using var _ = engine;

        Assert.Equal(["n=1", "n=2", "n=3", "done"], Lines(engine, instance.Id));
    }

    [Theory]
    [InlineData(1, 5, 2, true, new[] { "1", "3", "5" })]
    [InlineData(1, 5, 2, false, new[] { "1", "3" })]
    [InlineData(3, 1, -1, true, new[] { "3", "2", "1" })]
    [InlineData(3, 1, 1, true, new string[0])]
    public async Task For_counts_from_start_to_end_by_step(int start, int end, int step, bool inclusive, string[] expected)
    {
        var root = Doc.Activity("for", "Elsa.For",
            ("start", Doc.Input(start, typeName: "Int32")), ("end", Doc.Input(end, typeName: "Int32")), ("step", Doc.Input(step, typeName: "Int32")),
            ("outerBoundInclusive", Doc.Input(inclusive, typeName: "Boolean")),
            ("body", Line("say", "'' + getVariable('CurrentValue')")));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(expected, Lines(engine, instance.Id));
    }

    [Fact]
    public async Task ParallelForEach_waits_in_every_iteration_at_once_and_completes_when_all_have()
    {
        var root = Sequence("seq",
            Doc.Activity("all", "Elsa.ParallelForEach", ("items", Js("['x', 'y']")),
                ("body", Sequence("body", Doc.Activity("wait", "Elsa.Event", ("eventName", Js("'go-' + getVariable('CurrentValue')", "String"))),
                    Line("got", "'got ' + getVariable('CurrentValue')")))),
            Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;
        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        var waiting = (await engine.LoadAsync(instance.Id)).Bookmarks;
        Assert.Equal(["go-x", "go-y"], waiting.Select(b => b.Key).Order());

        await engine.SendEventAsync("go-y");
        var last = Assert.Single((await engine.SendEventAsync("go-x")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, last.Status);
        Assert.Equal(["got y", "got x", "after"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task ParallelForEach_gives_each_iteration_its_own_item_outputs_and_variables()
    {
        // Every iteration computes, remembers its item in the body's variable and waits; they resume in another order.
        var root = Sequence("seq",
            Doc.Activity("all", "Elsa.ParallelForEach", ("items", Js("[1, 2, 3]")),
                ("body", Sequence("body",
                        Doc.Activity("compute", "Elsa.RunJavaScript", ("script", Doc.Input("return getVariable('CurrentValue') * 10", "Literal"))),
                        Doc.Activity("remember", "Elsa.SetVariable", ("variable", new JsonObject { ["id"] = "seen", ["name"] = "seen" }),
                            ("value", Js("getVariable('CurrentValue')"))),
                        Doc.Activity("wait", "Elsa.Event", ("eventName", Js("'go-' + getVariable('CurrentValue')", "String"))),
                        Line("got", "'item ' + getVariable('CurrentValue') + ' at ' + getVariable('CurrentIndex') + ', computed ' + getOutputFrom('compute', 'Result')"
                            + " + ', seen ' + getVariable('seen') + ', sent ' + getOutputFrom('wait', 'Input').n"))
                    .With("variables", new JsonArray(Doc.Variable("seen", "Int32"))))),
            Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;
        await engine.SendEventAsync("go-2", null, ("n", 20));
        await engine.SendEventAsync("go-1", null, ("n", 10));
        await engine.SendEventAsync("go-3", null, ("n", 30));

        Assert.Equal(["item 2 at 1, computed 20, seen 2, sent 20", "item 1 at 0, computed 10, seen 1, sent 10",
            "item 3 at 2, computed 30, seen 3, sent 30", "after"], Lines(engine, instance.Id));
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
    }

    private static JsonObject Hook() => Event("hook", "hooked").With("customProperties", new JsonObject { ["canStartWorkflow"] = true });

    /// <summary>Publishes the workflow and sends the event its nested trigger waits for; returns the instance it started.</summary>
    private static async Task<(TestEngine Engine, WorkflowInstance Instance)> TriggerAsync(JsonObject root)
    {
        var engine = new TestEngine();
        await engine.PublishAsync(Workflow(root));
        var started = Assert.Single((await engine.SendEventAsync("hooked", null, ("who", "zhengzhou"))).Started);
        return (engine, started);
    }

    [Fact]
    public async Task A_trigger_inside_a_nested_flowchart_starts_the_run_there()
    {
        var root = Flowchart("root",
            [Doc.Activity("start", "Elsa.Start"), Line("from-start", "'from start'"),
             Flowchart("inner", [Doc.Activity("inner-start", "Elsa.Start"), Line("inner-first", "'inner first'"), Hook(),
                     Line("hooked-line", "'hooked by ' + getOutputFrom('hook', 'Input').who")],
                 Doc.Connection("inner-start", "Done", "inner-first"), Doc.Connection("inner-first", "Done", "hook"), Doc.Connection("hook", "Done", "hooked-line")),
             Line("after", "'after inner'")],
            Doc.Connection("start", "Done", "from-start"), Doc.Connection("inner", "Done", "after"));

        var (engine, instance) = await TriggerAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["hooked by zhengzhou", "after inner"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task A_trigger_inside_a_sequence_in_a_flowchart_starts_the_run_at_the_sequence_and_takes_the_stimulus_at_once()
    {
        var root = Flowchart("root",
            [Doc.Activity("start", "Elsa.Start"), Line("from-start", "'from start'"),
             Sequence("seq", Hook(), Line("hooked-line", "'hooked by ' + getOutputFrom('hook', 'Input').who"))],
            Doc.Connection("start", "Done", "from-start"));

        var (engine, instance) = await TriggerAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["hooked by zhengzhou"], Lines(engine, instance.Id));
        Assert.Empty((await engine.LoadAsync(instance.Id)).Bookmarks);
    }

    [Fact]
    public async Task Started_without_its_trigger_a_flowchart_with_a_nested_trigger_starts_at_its_own_start()
    {
        var root = Flowchart("root",
            [Doc.Activity("start", "Elsa.Start"), Line("from-start", "'from start'"), Sequence("seq", Hook(), Line("hooked-line", "'hooked'"))],
            Doc.Connection("start", "Done", "from-start"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(["from start"], Lines(engine, instance.Id));
    }

    [Theory]
    [InlineData("WaitAll", new[] { "right", "left", "after" })]
    [InlineData("WaitAny", new[] { "right", "after" })]
    public async Task Fork_container_runs_every_branch_and_joins_them_by_its_join_mode(string mode, string[] expected)
    {
        var root = Sequence("seq",
            Doc.Activity("fork", "Elsa.Fork", ("joinMode", mode),
                ("branches", new JsonArray(
                    Sequence("left-branch", Event("wait-left", "left"), Line("left", "'left'")),
                    Sequence("right-branch", Event("wait-right", "right"), Line("right", "'right'"))))),
            Line("after", "'after'"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;
        Assert.Equal(2, (await engine.LoadAsync(instance.Id)).Bookmarks.Count);

        await engine.SendEventAsync("right");
        if (mode == "WaitAll") await engine.SendEventAsync("left");

        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, stored.Status);
        Assert.Empty(stored.Bookmarks);
        Assert.Equal(expected, Lines(engine, instance.Id));
    }

    [Fact]
    public async Task Complete_ends_the_nearest_flowchart_with_its_outcome_and_the_outer_flowchart_follows_that_port()
    {
        var inner = Flowchart("inner",
            [Doc.Activity("start", "Elsa.Start"), Event("wait", "later"),
             Doc.Activity("approve", "Elsa.Complete", ("outcomes", Doc.Input(new JsonArray("Approved"), typeName: "Object")))],
            Doc.Connection("start", "Done", "wait"), Doc.Connection("start", "Done", "approve"));
        var root = Flowchart("outer",
            [Doc.Activity("begin", "Elsa.Start"), inner, Line("approved", "'approved'"), Line("done", "'done'")],
            Doc.Connection("begin", "Done", "inner"), Doc.Connection("inner", "Approved", "approved"), Doc.Connection("inner", "Done", "done"));

        var (engine, instance) = await RunAsync(root);
        await using var _ = engine;

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["approved"], Lines(engine, instance.Id));
        Assert.Contains("inner Executed Approved", engine.Steps(instance.Id));
        Assert.Empty((await engine.LoadAsync(instance.Id)).Bookmarks);
    }

    [Fact]
    public async Task A_flowchart_loop_nested_in_a_sequence_inside_a_flowchart_waits_and_resumes_in_place_and_reports_where()
    {
        var loop = Flowchart("loop",
            [Doc.Activity("start", "Elsa.Start"), Event("tick", "tick"),
             Doc.Activity("count", "Elsa.SetVariable", ("variable", new JsonObject { ["id"] = "v-n", ["name"] = "n" }), ("value", Js("getVariable('n') + 1"))),
             Doc.Activity("again", "Elsa.FlowDecision", ("condition", Js("getVariable('n') < 2", "Boolean")))],
            Doc.Connection("start", "Done", "tick"), Doc.Connection("tick", "Done", "count"), Doc.Connection("count", "Done", "again"),
            Doc.Connection("again", "True", "tick"));
        var root = Flowchart("main",
            [Doc.Activity("begin", "Elsa.Start"), Sequence("steps", Line("before", "'before'"), loop, Line("after", "'n=' + getVariable('n')")), Line("end", "'end'")],
            Doc.Connection("begin", "Done", "steps"), Doc.Connection("steps", "Done", "end"));

        await using var engine = new TestEngine();
        var definition = Workflow(root, Doc.Variable("n", "Int32", "0"));
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var graph = engine.Get<WorkflowGraphCache>().Get(definition);
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(["main", "steps", "loop"], graph.WaitingPath(stored, Assert.Single(stored.Bookmarks)));

        await engine.SendEventAsync("tick");
        var last = Assert.Single((await engine.SendEventAsync("tick")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, last.Status);
        Assert.Equal(["before", "n=2", "end"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task An_older_file_s_flowchart_Elsa_Fork_with_named_branches_still_forks_by_ports()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.Activity("fork", "Elsa.Fork", ("branches", Doc.Input("a, b", typeName: "String[]"))),
             Doc.WriteLine("a", "a"), Doc.WriteLine("b", "b")],
            [Doc.Connection("start", "Done", "fork"), Doc.Connection("fork", "a", "a"), Doc.Connection("fork", "b", "b")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["a", "b"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task FlowNode_passes_through()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.Activity("node", "Elsa.FlowNode"), Doc.WriteLine("after", "after")],
            [Doc.Connection("start", "Done", "node"), Doc.Connection("node", "Done", "after")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(["after"], Lines(engine, instance.Id));
        Assert.Contains("node Executed Done", engine.Steps(instance.Id));
    }

    [Fact]
    public async Task FlowNode_runs_its_body_and_goes_on_when_the_body_completes()
    {
        await using var engine = new TestEngine();
        // Elsa's "Container": here a flowchart holding one line, as Elsa Studio writes it (no Start, no connections).
        var body = new JsonObject
        {
            ["id"] = "inner", ["type"] = "Elsa.Flowchart", ["version"] = 1,
            ["activities"] = new JsonArray(Doc.WriteLine("inside", "inside")), ["connections"] = new JsonArray(),
        };
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.Activity("node", "Elsa.FlowNode", ("body", body)), Doc.WriteLine("after", "after")],
            [Doc.Connection("start", "Done", "node"), Doc.Connection("node", "Done", "after")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["inside", "after"], Lines(engine, instance.Id));
    }
}
