using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;

namespace Manyi.Engine.Tests.Activities;

/// <summary>Elsa.SetOutput, Elsa.SetName, Elsa.Correlate, Elsa.RunJavaScript and Elsa.ExecuteWorkflow.</summary>
public sealed class LeafActivityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The activities in a row on Done, or connected only as <paramref name="connections"/> say when given.</summary>
    private static WorkflowDefinition Chain(string definitionId, JsonNode?[] activities, JsonNode?[]? variables = null, params (string From, string Port, string To)[] connections)
    {
        var row = activities.Zip(activities.Skip(1)).Select(p => (JsonNode?)Doc.Connection((string)p.First!["id"]!, "Done", (string)p.Second!["id"]!));
        var json = Doc.FlowchartJson([.. activities], [.. connections.Length > 0 ? connections.Select(e => (JsonNode?)Doc.Connection(e.From, e.Port, e.To)) : row], variables);
        json["id"] = definitionId + "-v1";
        json["definitionId"] = definitionId;
        return ElsaJson.Read(json.ToJsonString());
    }

    private static IEnumerable<string?> Lines(TestEngine engine, string instanceId) =>
        engine.Store.Journal.Where(e => e.InstanceId == instanceId && e.Event == JournalEvent.Message && e.ActivityType == "Elsa.WriteLine").Select(e => e.Message);

    [Fact]
    public async Task SetOutput_SetName_and_Correlate_change_the_instance()
    {
        await using var engine = new TestEngine();
        var definition = Chain("leaf",
        [
            Doc.Activity("correlate", "Elsa.Correlate", ("correlationId", Doc.Input("'unicom-' + 'kaifeng'", "JavaScript"))),
            Doc.Activity("name", "Elsa.SetName", ("value", Doc.Input("培训报名 {{ CorrelationId }}", "Liquid"))),
            Doc.Activity("output", "Elsa.SetOutput", ("outputName", Doc.Input("headcount")), ("outputValue", Doc.Input("({ trainees: 12 })", "JavaScript", "Object"))),
            Doc.Activity("wait", "Elsa.Event", ("eventName", Doc.Input("go"))),
        ]);

        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);

        Assert.Equal("unicom-kaifeng", instance.CorrelationId);
        Assert.Equal("培训报名 unicom-kaifeng", instance.State.Name);
        Assert.Equal(12, (int)instance.State.Output["headcount"]!["trainees"]!);
        // Bookmarks made after Correlate carry the new id, so a correlated event finds the instance.
        Assert.Equal("unicom-kaifeng", Assert.Single(instance.Bookmarks).CorrelationId);
        var resumed = await engine.SendEventAsync("go", "unicom-kaifeng");
        Assert.Equal(instance.Id, Assert.Single(resumed.Resumed).Id);
        Assert.Equal(12, (int)(await engine.LoadAsync(instance.Id)).State.Output["headcount"]!["trainees"]!);
    }

    [Fact]
    public async Task RunJavaScript_returns_its_result_into_a_variable_and_chooses_its_outcomes()
    {
        await using var engine = new TestEngine();
        var script = Doc.Activity("script", "Elsa.RunJavaScript",
            ("script", Doc.Input("const n = getVariable('count') + 1;\nsetVariable('count', n);\nsetOutcome(n > 1 ? 'Many' : 'One');\nreturn { n: n };")),
            ("possibleOutcomes", Doc.Input("""["One", "Many"]""", "Object", "String[]")),
            ("result", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "v-result" } }));
        var definition = Chain("script",
            [script, Doc.WriteLine("one", "one"), Doc.WriteLine("many", "many"), Doc.WriteLine("done", "done")],
            [Doc.Variable("count", "Int32", "1"), Doc.Variable("result", "Object")],
            ("script", "One", "one"), ("script", "Many", "many"), ("script", "Done", "done"));

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["many"], Lines(engine, instance.Id));
        Assert.Equal(2, (int)instance.State.Variables["count"]!);
        Assert.Equal(2, (int)instance.State.Variables["result"]!["n"]!);
        Assert.Equal(2, (int)instance.State.ActivityOutputs["script"]["Result"]!["n"]!);
    }

    [Fact]
    public async Task RunJavaScript_without_setOutcome_ends_with_Done_and_runs_under_the_script_limits()
    {
        await using var engine = new TestEngine();
        var plain = Chain("plain",
            [Doc.Activity("script", "Elsa.RunJavaScript", ("script", Doc.Input("1 + 1"))), Doc.WriteLine("after", "after")]);
        var looping = Chain("looping", [Doc.Activity("script", "Elsa.RunJavaScript", ("script", Doc.Input("while (true) {}")))]);

        var done = await engine.StartAsync(plain);
        var faulted = await engine.StartAsync(looping);

        Assert.Equal(["after"], Lines(engine, done.Id));
        Assert.Equal(2, (int)done.State.ActivityOutputs["script"]["Result"]!);
        Assert.Equal(WorkflowStatus.Faulted, faulted.Status);
        Assert.StartsWith("JavaScript failed", Assert.Single(faulted.Incidents).Message);
    }

    [Fact]
    public void RunJavaScript_with_a_syntax_error_is_refused_when_saved_and_its_possible_outcomes_are_ports()
    {
        using var engine = new TestEngine();
        var compiler = engine.Get<WorkflowCompiler>();

        var broken = compiler.Validate(Chain("broken", [Doc.Activity("script", "Elsa.RunJavaScript", ("script", Doc.Input("return {")))]));
        var ports = compiler.Validate(Chain("ports",
            [Doc.Activity("script", "Elsa.RunJavaScript", ("script", Doc.Input("setOutcome('Yes')")), ("possibleOutcomes", Doc.Input("""["Yes"]""", "Object", "String[]"))),
             Doc.WriteLine("yes", "yes")], null, ("script", "Yes", "yes")));

        var problem = Assert.Single(broken.Errors);
        Assert.Equal("script", problem.Input);
        Assert.StartsWith("JavaScript does not parse", problem.Message);
        Assert.True(ports.IsValid, string.Join("; ", ports.Errors.Select(e => e.Message)));
    }

    /// <summary>A child that waits for "reported", then sets its output from the event.</summary>
    private static WorkflowDefinition Child() => Chain("child",
    [
        Doc.Activity("wait", "Elsa.Event", ("eventName", Doc.Input("reported"))),
        Doc.Activity("output", "Elsa.SetOutput", ("outputName", Doc.Input("trainees")),
            ("outputValue", Doc.Input("getInput('base') + getOutputFrom('wait', 'Input').n", "JavaScript", "Object"))),
    ]);

    private static WorkflowDefinition Parent(bool wait) => Chain("parent",
    [
        Doc.Activity("execute", "Elsa.ExecuteWorkflow",
            ("workflowDefinitionId", Doc.Input("child")),
            ("correlationId", Doc.Input("mobile-zhengzhou")),
            ("input", Doc.Input("""{"base": 10}""", "Object", "Object")),
            ("waitForCompletion", Doc.Input(wait ? "true" : "false", typeName: "Boolean")),
            ("result", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "v-result" } })),
        Doc.WriteLine("after", "'status ' + getVariable('result').status + ', trainees ' + getVariable('result').output.trainees", "JavaScript"),
    ], [Doc.Variable("result", "Object")]);

    [Fact]
    public async Task ExecuteWorkflow_waiting_resumes_when_the_child_ends_with_its_status_and_output()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Child());
        await engine.PublishAsync(Parent(wait: true));

        var parent = await engine.StartAsync(Parent(wait: true));

        Assert.Equal(WorkflowStatus.Suspended, parent.Status);
        var childId = Assert.Single(parent.Bookmarks).Key!;
        var child = await engine.LoadAsync(childId);
        Assert.Equal("mobile-zhengzhou", child.CorrelationId);
        Assert.Equal(10, (int)child.State.Input["base"]!);
        Assert.Empty(Lines(engine, parent.Id));

        await engine.SendEventAsync("reported", "mobile-zhengzhou", ("n", 5));

        var ended = await engine.LoadAsync(parent.Id);
        Assert.Equal(WorkflowStatus.Finished, ended.Status);
        Assert.Equal(["status Finished, trainees 15"], Lines(engine, parent.Id));
        Assert.Equal(childId, (string?)ended.State.Variables["result"]!["workflowInstanceId"]);
    }

    [Fact]
    public async Task ExecuteWorkflow_waiting_for_a_child_that_finishes_at_once_gives_the_parent_its_output()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Chain("child",
        [
            Doc.Activity("output", "Elsa.SetOutput", ("outputName", Doc.Input("trainees")), ("outputValue", Doc.Input("getInput('base') + 5", "JavaScript", "Object"))),
        ]));
        await engine.PublishAsync(Parent(wait: true));

        var parent = await engine.StartAsync(Parent(wait: true));

        var ended = await engine.LoadAsync(parent.Id);
        Assert.Equal(WorkflowStatus.Finished, ended.Status);
        Assert.Equal(["status Finished, trainees 15"], Lines(engine, parent.Id));
        Assert.Equal(15, (int)ended.State.ActivityOutputs["execute"]["Result"]!["output"]!["trainees"]!);
    }

    [Fact]
    public async Task ExecuteWorkflow_without_waiting_goes_on_at_once_and_the_child_runs_on_its_own()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync(Child());

        var parent = await engine.StartAsync(Parent(wait: false));

        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        Assert.Equal(["status null, trainees undefined"], Lines(engine, parent.Id));
        var childId = (string)parent.State.Variables["result"]!["workflowInstanceId"]!;
        var child = await engine.LoadAsync(childId);
        Assert.Equal(WorkflowStatus.Suspended, child.Status);
        await engine.SendEventAsync("reported", "mobile-zhengzhou", ("n", 1));
        Assert.Equal(11, (int)(await engine.LoadAsync(childId)).State.Output["trainees"]!);
    }

    [Fact]
    public async Task ExecuteWorkflow_of_a_workflow_without_a_published_version_leaves_no_child()
    {
        await using var engine = new TestEngine();

        var parent = await engine.StartAsync(Parent(wait: false));

        Assert.Equal(WorkflowStatus.Finished, parent.Status);
        var childId = (string)parent.State.Variables["result"]!["workflowInstanceId"]!;
        Assert.Null(await engine.Store.FindInstanceAsync(childId, Ct));
    }
}
