using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using static Manyi.Engine.Tests.Tree;

namespace Manyi.Engine.Tests.Activities;

/// <summary>
/// Workflows used as activities: a published definition (options.usableAsActivity) appears as an activity type of its
/// own name, runs inline as a composite child with its inputs, and leaves by the outcomes its Complete names.
/// </summary>
public sealed class WorkflowActivityTests
{
    private static WorkflowDefinition Definition(string definitionId, string name, JsonObject root, JsonArray? inputs = null, int version = 1,
        JsonArray? outputs = null) =>
        ElsaJson.Read(new JsonObject
        {
            ["id"] = $"{definitionId}-v{version}",
            ["definitionId"] = definitionId,
            ["name"] = name,
            ["version"] = version,
            ["inputs"] = inputs ?? [],
            ["outputs"] = outputs ?? [],
            ["options"] = new JsonObject { ["usableAsActivity"] = true },
            ["root"] = root,
        }.ToJsonString());

    /// <summary>A node that runs a workflow as an activity, as Elsa writes it.</summary>
    private static JsonObject Use(string id, string typeName, string definitionId, string? versionId = null, params (string Key, JsonNode? Value)[] inputs)
    {
        var node = Doc.Activity(id, typeName, ("workflowDefinitionId", definitionId), ("workflowDefinitionVersionId", versionId ?? $"{definitionId}-v1"));
        foreach (var (key, value) in inputs) node[key] = value;
        return node;
    }

    private static List<string> Lines(TestEngine engine, string instanceId) =>
        [.. engine.Steps(instanceId).Where(s => s.Contains(" Message ", StringComparison.Ordinal)).Select(s => s[(s.IndexOf(" Message ", StringComparison.Ordinal) + 9)..])];

    /// <summary>Atom writes its Text and completes Written; Molecule runs two atoms in a sequence; Matter runs a molecule in a flowchart.</summary>
    private static async Task<WorkflowDefinition> PublishThreeLevelsAsync(TestEngine engine)
    {
        await engine.PublishAsync(Definition("atom", "Atom Activity",
            Flowchart("atom-flow", [Doc.Activity("start", "Elsa.Start"), Line("write", "'atom ' + getInput('Text')"),
                    Doc.Activity("written", "Elsa.Complete", ("outcomes", Doc.Input(new JsonArray("Written"), typeName: "Object")))],
                Doc.Connection("start", "Done", "write"), Doc.Connection("write", "Done", "written")),
            new JsonArray(new JsonObject { ["name"] = "Text", ["type"] = "String" })));
        await engine.PublishAsync(Definition("molecule", "MoleculeActivity",
            Sequence("molecule-seq",
                Use("first", "AtomActivity", "atom", inputs: ("text", Doc.Input("one"))),
                Use("second", "AtomActivity", "atom", inputs: ("text", Js("'two'", "String"))))));
        var matter = Workflow(Flowchart("matter",
            [Doc.Activity("start", "Elsa.Start"), Use("molecule", "MoleculeActivity", "molecule"), Use("atom", "AtomActivity", "atom", inputs: ("text", Doc.Input("three"))),
             Line("done", "'written'"), Line("other", "'other'")],
            Doc.Connection("start", "Done", "molecule"), Doc.Connection("molecule", "Done", "atom"),
            Doc.Connection("atom", "Written", "done"), Doc.Connection("atom", "Done", "other")));
        await engine.PublishAsync(matter);
        return matter;
    }

    [Fact]
    public async Task A_workflow_used_as_an_activity_three_levels_deep_runs_inline_with_its_inputs_and_outcomes()
    {
        await using var engine = new TestEngine();
        var matter = await PublishThreeLevelsAsync(engine);

        var instance = await engine.StartAsync(matter);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["atom one", "atom two", "atom three", "written"], Lines(engine, instance.Id));
        var steps = engine.Steps(instance.Id);
        Assert.Contains("molecule:first:write Message atom one", steps);
        Assert.Contains("atom Executed Written", steps);
        Assert.Contains("molecule Executed Done", steps);
    }

    [Fact]
    public async Task A_published_workflow_usable_as_an_activity_is_an_activity_type_with_its_inputs_and_outcomes()
    {
        await using var engine = new TestEngine();
        await PublishThreeLevelsAsync(engine);
        var catalog = engine.Get<Engine.Activities.Composition.WorkflowActivityCatalog>();

        var atom = Assert.Single(catalog.Types, t => t.DefinitionId == "atom");

        Assert.Equal("AtomActivity", atom.TypeName);
        Assert.Equal(["Done", "Written"], atom.Outcomes);
        Assert.Equal("Text", atom.Inputs[0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_version_that_is_not_published_falls_back_to_the_published_version()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Definition("child", "Child", Line("hello", "'child v2'"), version: 2));
        var parent = Workflow(Sequence("seq", Use("child", "Child", "child", versionId: "no-such-version")));
        await engine.PublishAsync(parent);

        var instance = await engine.StartAsync(parent);

        Assert.Equal(["child v2"], Lines(engine, instance.Id));
    }

    /// <summary>
    /// A file from another Elsa server names its child by a definition and version this store does not have (Elsa's own
    /// ParentChildCompletion test does): the published workflow usable as an activity whose type name is the node's type
    /// runs, as Elsa finds it — "Subworkflow test" is the type <c>SubworkflowTest</c>. A type no workflow has stays refused.
    /// </summary>
    [Fact]
    public async Task A_workflow_activity_with_an_unknown_definition_id_runs_the_published_workflow_of_its_type_name()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Definition("child-here", "Subworkflow test", Line("hello", "'child'")));
        var parent = Workflow(Sequence("seq", Use("child", "SubworkflowTest", "id-from-elsewhere", "version-from-elsewhere"), Line("after", "'parent'")));
        await engine.PublishAsync(parent);

        var instance = await engine.StartAsync(parent);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["child", "parent"], Lines(engine, instance.Id));
        var compiler = engine.Get<Engine.Validation.WorkflowCompiler>();
        var stranger = Workflow(Sequence("s", Use("ghost", "Subworkflowtest", "id-from-elsewhere")));
        await engine.Runtime.LoadWorkflowActivitiesAsync(stranger, TestContext.Current.CancellationToken);
        var missing = Assert.Single(compiler.Validate(stranger).Errors);
        Assert.Equal("ghost", missing.ActivityId);
        Assert.Contains("'id-from-elsewhere'", missing.Message);
    }

    [Fact]
    public async Task A_workflow_activity_that_waits_resumes_inside_and_reports_where_it_waits()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Definition("waiter", "Waiter", Sequence("waiter-seq", Event("wait", "go"), Line("went", "'went'"))));
        var parent = Workflow(Sequence("seq", Use("inner", "Waiter", "waiter"), Line("after", "'after'")));
        await engine.PublishAsync(parent);
        var instance = await engine.StartAsync(parent);
        var stored = await engine.LoadAsync(instance.Id);
        var bookmark = Assert.Single(stored.Bookmarks);

        Assert.Equal("inner:wait", bookmark.ActivityId);
        Assert.Equal(["seq", "inner", "inner:waiter-seq"], engine.Get<WorkflowGraphCache>().Get(parent).WaitingPath(stored, bookmark));
        var resumed = Assert.Single((await engine.SendEventAsync("go")).Resumed);
        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        Assert.Equal(["went", "after"], Lines(engine, instance.Id));
    }

    [Fact]
    public async Task A_workflow_that_uses_itself_or_an_unpublished_one_is_refused()
    {
        await using var engine = new TestEngine();
        var compiler = engine.Get<Engine.Validation.WorkflowCompiler>();
        await engine.PublishAsync(Definition("loop", "Loop", Sequence("s", Line("x", "'x'"))));
        var selfish = Definition("loop", "Loop", Sequence("s", Use("again", "Loop", "loop")), version: 2);
        await engine.Runtime.LoadWorkflowActivitiesAsync(selfish, TestContext.Current.CancellationToken);

        var self = Assert.Single(compiler.Validate(selfish).Errors);
        var missing = Assert.Single(compiler.Validate(Workflow(Sequence("s", Use("ghost", "Ghost", "ghost")))).Errors);

        Assert.Contains("uses itself", self.Message);
        Assert.Equal("ghost", missing.ActivityId);
        Assert.Contains("no published version", missing.Message);
    }

    private static JsonObject SetOutput(string id, string name, string script) =>
        Doc.Activity(id, "Elsa.SetOutput", ("outputName", Doc.Input(name)), ("outputValue", Js(script)));

    private static JsonObject Complete(string id, string outcome) =>
        Doc.Activity(id, "Elsa.Complete", ("outcomes", Doc.Input(new JsonArray(outcome), typeName: "Object")));

    /// <summary>
    /// Counter doubles its input Base into its declared output Total and leaves by Counted, from a Complete inside an
    /// If inside its sequence (not at its root); its undeclared output Note is the workflow's.
    /// </summary>
    private static Task PublishCounterAsync(TestEngine engine) => engine.PublishAsync(Definition("counter", "Counter",
        Sequence("counter-seq",
            SetOutput("total", "Total", "getInput('Base') * 2"),
            SetOutput("note", "Note", "'noted'"),
            Doc.Activity("check", "Elsa.If", ("condition", Js("true", "Boolean")), ("then", Complete("counted", "Counted")))),
        new JsonArray(new JsonObject { ["name"] = "Base", ["type"] = "Int32" }),
        outputs: new JsonArray(new JsonObject { ["name"] = "Total", ["type"] = "Int32" })));

    [Fact]
    public async Task Inputs_take_their_declared_type_and_a_result_bound_to_a_declared_output_is_the_nodes_output_as_in_Elsa()
    {
        await using var engine = new TestEngine();
        // Elsa keeps a workflow's outputs in memory named after them: the script's result bound to "Result" sets it.
        await engine.PublishAsync(Definition("adder", "Adder",
            Sequence("adder-seq", Doc.Activity("add", "Elsa.RunJavaScript", ("script", Doc.Input("getA() + getB()")),
                ("result", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "Result" } }))),
            new JsonArray(new JsonObject { ["name"] = "A", ["type"] = "Int32" }, new JsonObject { ["name"] = "B", ["type"] = "Int32" }),
            outputs: new JsonArray(new JsonObject { ["name"] = "Result", ["type"] = "Int32" })));
        var parent = Workflow(Sequence("seq",
                Use("sum", "Adder", "adder", inputs: [("a", Doc.Input("4", typeName: "Int32")), ("b", Doc.Input("5", typeName: "Int32"))])
                    .With("name", "Sum1")
                    .With("result", new JsonObject { ["typeName"] = "Int32", ["memoryReference"] = new JsonObject { ["id"] = "v-theSum" } }),
                Line("say", "`Result: ${getTheSum()}, from Sum1: ${getResultFromSum1()}`")),
            Doc.Variable("theSum", "Int32"));
        await engine.PublishAsync(parent);

        var instance = await engine.StartAsync(parent);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["Result: 9, from Sum1: 9"], Lines(engine, instance.Id));
        Assert.False(instance.State.Output.ContainsKey("Result"), "the output is the node's, not the parent workflow's");
    }

    [Fact]
    public async Task A_workflow_used_as_an_activity_passes_its_outputs_to_the_parent_and_leaves_by_its_Complete_outcome()
    {
        await using var engine = new TestEngine();
        await PublishCounterAsync(engine);
        var parent = Workflow(Flowchart("parent",
            [Use("count", "Counter", "counter", inputs: ("base", Doc.Input("21", typeName: "Int32")))
                 .With("total", new JsonObject { ["typeName"] = "Int32", ["memoryReference"] = new JsonObject { ["id"] = "v-total" } }),
             Line("counted", "'counted ' + getOutputFrom('count', 'Total') + ', variable ' + getTotal()"),
             Line("done", "'done'")],
            Doc.Connection("count", "Counted", "counted"), Doc.Connection("count", "Done", "done")),
            Doc.Variable("total", "Int32"));
        await engine.PublishAsync(parent);
        var counter = Assert.Single(engine.Get<Engine.Activities.Composition.WorkflowActivityCatalog>().Types, t => t.DefinitionId == "counter");

        var instance = await engine.StartAsync(parent);

        Assert.Equal(["Done", "Counted"], counter.Outcomes);
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["counted 42, variable 42"], Lines(engine, instance.Id));
        Assert.Equal(42, (int)instance.State.ActivityOutputs["count"]["Total"]!);
        Assert.False(instance.State.Output.ContainsKey("Total"));
        Assert.Equal("noted", (string?)instance.State.Output["Note"]);
    }

    [Fact]
    public async Task SetOutput_writes_to_the_nearest_workflow_activity_that_declares_the_output()
    {
        await using var engine = new TestEngine();
        await PublishCounterAsync(engine);
        // Wrapper declares Total too and sets it after its Counter: each level keeps its own.
        await engine.PublishAsync(Definition("wrapper", "Wrapper",
            Sequence("wrapper-seq", Use("inner", "Counter", "counter", inputs: ("base", Doc.Input("1", typeName: "Int32"))),
                SetOutput("outer-total", "Total", "getOutputFrom('inner', 'Total') + 100")),
            outputs: new JsonArray(new JsonObject { ["name"] = "Total", ["type"] = "Int32" })));
        var parent = Workflow(Sequence("seq", Use("wrap", "Wrapper", "wrapper"),
            Line("after", "'inner ' + getOutputFrom('wrap:inner', 'Total') + ', wrapper ' + getOutputFrom('wrap', 'Total')")));
        await engine.PublishAsync(parent);

        var instance = await engine.StartAsync(parent);

        Assert.Equal(["inner 2, wrapper 102"], Lines(engine, instance.Id));
        Assert.False(instance.State.Output.ContainsKey("Total"));
    }

    [Fact]
    public async Task A_workflow_activity_that_waits_passes_its_outputs_when_it_resumes()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Definition("asker", "Asker",
            Sequence("asker-seq", Event("wait", "answered"), SetOutput("answer", "Answer", "getOutputFrom('wait', 'Input').answer")),
            outputs: new JsonArray(new JsonObject { ["name"] = "Answer", ["type"] = "String" })));
        var parent = Workflow(Sequence("seq", Use("ask", "Asker", "asker"), Line("after", "'answer ' + getOutputFrom('ask', 'Answer')")));
        await engine.PublishAsync(parent);
        var instance = await engine.StartAsync(parent);

        await engine.SendEventAsync("answered", null, ("answer", "yes"));

        Assert.Equal(["answer yes"], Lines(engine, instance.Id));
    }
}
