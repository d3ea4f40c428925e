using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Activities.Flow;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

/// <summary>Built-in activities in small flowcharts of each test's own, and a custom activity added with one registration.</summary>
public sealed class ActivityTests
{
    private static JsonObject Start => Doc.Activity("start", "Elsa.Start");

    [Theory]
    [InlineData("A,B , C")]
    [InlineData("""["A","B","C"]""")]
    public void Fork_branches_are_read_from_text_or_a_json_list(string literal)
    {
        var fork = new FlowFork { Branches = new Input<string[]>(new Expression(Expression.Literal, literal)) };

        Assert.Equal(["A", "B", "C"], fork.GetOutcomes());
    }

    [Fact]
    public void Fork_branches_may_be_a_json_array_and_default_to_Done()
    {
        Assert.Equal(["A", "B"], new FlowFork { Branches = new Input<string[]>(new Expression(Expression.Literal, new JsonArray("A", "B"))) }.GetOutcomes());
        Assert.Equal(["Done"], new FlowFork().GetOutcomes());
    }

    [Fact]
    public void FlowSwitch_ports_are_its_case_labels_and_Default()
    {
        var @switch = new FlowSwitch { Cases = [new SwitchCase("Low", null), new SwitchCase("High", null)] };

        Assert.Equal(["Low", "High", "Default"], @switch.GetOutcomes());
    }

    [Fact]
    public async Task FlowSwitch_skips_a_case_without_condition_and_falls_back_to_Default()
    {
        await using var engine = new TestEngine();
        var cases = JsonNode.Parse("""[{"label": "Never"}, {"label": "No", "condition": {"type": "Literal", "value": "false"}}]""");
        var definition = Doc.Flowchart(
            [Start, Doc.Activity("switch", "Elsa.FlowSwitch", ("cases", cases)), Doc.WriteLine("fallback", "fallback")],
            [Doc.Connection("start", "Done", "switch"), Doc.Connection("switch", "Default", "fallback")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Contains("switch Executed Default", engine.Steps(instance.Id));
        Assert.Contains("fallback Executed Done", engine.Steps(instance.Id));
    }

    [Fact]
    public async Task SetVariable_stores_the_value_converted_to_the_variable_type()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [
                Start,
                Doc.Activity("setCount", "Elsa.SetVariable", ("variable", JsonNode.Parse("""{"id": "v-count"}""")), ("value", Doc.Input("42"))),
                Doc.Activity("setDue", "Elsa.SetVariable", ("variable", JsonNode.Parse("""{"name": "due"}""")), ("value", Doc.Input("'2.00:00:00'", "JavaScript"))),
                Doc.Activity("setFlag", "Elsa.SetVariable", ("variable", JsonNode.Parse("""{"name": "flag"}""")), ("value", Doc.Input("True"))),
            ],
            [Doc.Connection("start", "Done", "setCount"), Doc.Connection("setCount", "Done", "setDue"), Doc.Connection("setDue", "Done", "setFlag")],
            [Doc.Variable("count", "Int32", "0"), Doc.Variable("due", "TimeSpan"), Doc.Variable("flag", "Boolean", "false")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        var variables = (await engine.LoadAsync(instance.Id)).State.Variables;
        Assert.Equal(JsonValueKind.Number, variables["count"]!.GetValueKind());
        Assert.Equal(42, variables["count"]!.GetValue<int>());
        Assert.Equal("2.00:00:00", variables["due"]!.GetValue<string>());
        Assert.True(variables["flag"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SetVariable_with_a_value_that_does_not_fit_the_type_raises_an_incident()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Start, Doc.Activity("set", "Elsa.SetVariable", ("variable", JsonNode.Parse("""{"name": "count"}""")), ("value", Doc.Input("many")))],
            [Doc.Connection("start", "Done", "set")],
            [Doc.Variable("count", "Int32", "0")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("set", incident.ActivityId);
        Assert.Contains("'many'", incident.Message);
    }

    [Fact]
    public async Task Variables_start_from_their_declared_initial_values()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Start],
            variables: [Doc.Variable("count", "Int32", "5"), Doc.Variable("tags", "String", """["a","b"]""", isArray: true), Doc.Variable("note", "String")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(5, instance.State.Variables["count"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(new JsonArray("a", "b"), instance.State.Variables["tags"]));
        Assert.Null(instance.State.Variables["note"]);
    }

    [Fact]
    public async Task Event_name_may_be_an_expression_for_both_the_bookmark_and_the_trigger()
    {
        await using var engine = new TestEngine();
        var wait = Doc.Activity("wait", "Elsa.Event", ("eventName", Doc.Input("'order-' + getInput('region')", "JavaScript")));
        var definition = Doc.Flowchart([Start, wait], [Doc.Connection("start", "Done", "wait")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition, input: ("region", "north"));

        Assert.Equal("order-north", Assert.Single(instance.Bookmarks).Key);
        Assert.Single((await engine.SendEventAsync("order-north")).Resumed);
    }

    [Fact]
    public async Task WriteLine_writes_its_text_to_the_journal()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Start, Doc.WriteLine("say", "'Total: ' + (getInput('a') + getInput('b'))", "JavaScript")],
            [Doc.Connection("start", "Done", "say")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition, input: [("a", 2), ("b", 3)]);

        Assert.Contains("say Message Total: 5", engine.Steps(instance.Id));
        var entry = engine.Store.Journal.Single(e => e.InstanceId == instance.Id && e.Event == JournalEvent.Message);
        Assert.Equal(("say", "Elsa.WriteLine"), (entry.ActivityId, entry.ActivityType));
    }

    [Fact]
    public async Task Custom_activity_needs_nothing_but_its_registration()
    {
        await using var engine = new TestEngine(builder => builder.AddActivity<Stamp>());
        var definition = Doc.Flowchart(
            [Start, Doc.Activity("stamp", "Test.Stamp", ("label", Doc.Input("approved"))), Doc.WriteLine("after", "getLastResult()", "JavaScript")],
            [Doc.Connection("start", "Done", "stamp"), Doc.Connection("stamp", "Stamped", "after")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Contains("stamp Executed Stamped", engine.Steps(instance.Id));
        Assert.Contains("after Message APPROVED", engine.Steps(instance.Id));
    }

    [Activity("Test.Stamp", "Test", "Upper-cases its label into its output.", Outcomes = ["Stamped"])]
    private sealed class Stamp : Activity
    {
        [Input(Required = true)]
        public Input<string> Label { get; set; } = new("");

        public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
        {
            context.SetOutput("Stamp", (await context.EvaluateAsync(Label)).ToUpperInvariant());
            return ActivityStep.CompleteWith("Stamped");
        }
    }
}
