using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;

namespace Manyi.Engine.Tests.Validation;

/// <summary>WorkflowCompiler.Validate: every problem found, each naming the activity (and input) and what is wrong.</summary>
public sealed class WorkflowCompilerTests
{
    private static WorkflowCompiler.Result Validate(WorkflowDefinition definition)
    {
        using var engine = new TestEngine();
        return engine.Get<WorkflowCompiler>().Validate(definition);
    }

    private static ValidationProblem SingleError(WorkflowCompiler.Result result)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Graph);
        return Assert.Single(result.Errors);
    }

    private static JsonObject Start => Doc.Activity("start", "Elsa.Start");

    [Fact]
    public void Valid_flowchart_compiles_without_problems()
    {
        var result = Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello")],
            [Doc.Connection("start", "Done", "hello")]));

        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
        Assert.Equal(["flow", "hello", "start"], result.Graph!.Nodes.Keys.Order());
        Assert.Equal("start", result.Graph.DefaultStartId);
    }

    [Fact]
    public void Unknown_activity_type_names_the_activity_id_and_type()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("listen", "Acme.Unknown")],
            [Doc.Connection("start", "Done", "listen")])));

        Assert.Equal(("listen", "Acme.Unknown"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("'Acme.Unknown' is unknown", problem.Message);
        Assert.StartsWith("Activity 'listen' (Acme.Unknown): ", problem.ToString());
    }

    [Fact]
    public void Dangling_connection_names_the_missing_activity()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello")],
            [Doc.Connection("start", "Done", "hello"), Doc.Connection("hello", "Done", "ghost")])));

        Assert.Contains("dangling", problem.Message);
        Assert.Contains("'ghost'", problem.Message);
        Assert.Equal("hello", problem.ActivityId);
    }

    [Fact]
    public void Connection_from_a_port_the_activity_does_not_have_lists_its_ports()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello"), Doc.WriteLine("bye", "Bye")],
            [Doc.Connection("start", "Done", "hello"), Doc.Connection("hello", "True", "bye")])));

        Assert.Equal("hello", problem.ActivityId);
        Assert.Contains("port 'True'", problem.Message);
        Assert.Contains("(Done)", problem.Message);
    }

    [Fact]
    public void Connection_from_an_activity_without_ports_is_an_error()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("end", "Elsa.End"), Doc.WriteLine("after", "after")],
            [Doc.Connection("start", "Done", "end"), Doc.Connection("end", "Done", "after")])));

        Assert.Equal("end", problem.ActivityId);
        Assert.Contains("has no outcome ports", problem.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void WriteLine_without_text_is_valid_as_in_Elsa(string? text)
    {
        var writeLine = text is null ? Doc.Activity("hello", "Elsa.WriteLine") : Doc.WriteLine("hello", text);

        var result = Validate(Doc.Flowchart([Start, writeLine], [Doc.Connection("start", "Done", "hello")]));

        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Inputs_Elsa_lets_be_empty_are_accepted_with_a_warning_where_the_activity_then_does_little()
    {
        var result = Validate(Doc.Flowchart(
            [Start, Doc.Activity("decide", "Elsa.FlowDecision"), Doc.Activity("wait", "Elsa.Event"), Doc.Activity("pause", "Elsa.Delay", ("timeSpan", Doc.Input(""))),
             Doc.Activity("boom", "Elsa.Fault")],
            [Doc.Connection("start", "Done", "decide"), Doc.Connection("decide", "True", "wait"), Doc.Connection("decide", "False", "pause"),
             Doc.Connection("pause", "Done", "boom")]));

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(
            ["Activity 'decide' (Elsa.FlowDecision): input 'condition' is empty: the decision always takes False",
             "Activity 'wait' (Elsa.Event): input 'eventName' is empty: no event can ever match it"],
            result.Problems.Select(p => p.ToString()));
        Assert.All(result.Problems, p => Assert.Equal(Severity.Warning, p.Severity));
    }

    [Fact]
    public void SetVariable_without_a_variable_is_missing_a_required_input()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("set", "Elsa.SetVariable", ("value", Doc.Input("1")))],
            [Doc.Connection("start", "Done", "set")])));

        Assert.Equal(("set", "variable", "is required"), (problem.ActivityId, problem.Input, problem.Message));
    }

    [Fact]
    public void CSharp_expression_is_rejected_with_a_clear_message()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "return \"Hi\";", "CSharp")],
            [Doc.Connection("start", "Done", "hello")])));

        Assert.Equal(("hello", "text"), (problem.ActivityId, problem.Input));
        Assert.Equal("C# is refused: Manyi cannot run C# in a sandbox, and outside one it could do anything the server can; write it in JavaScript or Liquid", problem.Message);
    }

    [Fact]
    public void Unknown_expression_type_names_the_supported_ones()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "print('x')", "Python")],
            [Doc.Connection("start", "Done", "hello")])));

        Assert.Contains("'Python' is unknown", problem.Message);
        Assert.Contains("Literal, JavaScript, Liquid, Variable", problem.Message);
    }

    [Fact]
    public void JavaScript_syntax_error_is_reported_before_the_workflow_runs()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("decide", "Elsa.FlowDecision", ("condition", Doc.Input("getInput('a') >", "JavaScript", "Boolean")))],
            [Doc.Connection("start", "Done", "decide")])));

        Assert.Equal(("decide", "condition"), (problem.ActivityId, problem.Input));
        Assert.StartsWith("JavaScript does not parse: ", problem.Message);
    }

    [Fact]
    public void JavaScript_syntax_error_in_a_switch_case_condition_is_reported_before_the_workflow_runs()
    {
        var cases = JsonNode.Parse("""
            [{"label": "Ok", "condition": {"type": "JavaScript", "value": "getInput('n') > 1"}},
             {"label": "Broken", "condition": {"type": "JavaScript", "value": "getInput('n' <"}}]
            """);

        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("switch", "Elsa.FlowSwitch", ("cases", cases))],
            [Doc.Connection("start", "Done", "switch")])));

        Assert.Equal(("switch", "cases"), (problem.ActivityId, problem.Input));
        Assert.Contains("'Broken'", problem.Message);
        Assert.Contains("JavaScript does not parse", problem.Message);
    }

    [Fact]
    public void Liquid_syntax_error_is_reported_before_the_workflow_runs()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello {% if Variables.name %}", "Liquid")],
            [Doc.Connection("start", "Done", "hello")])));

        Assert.Equal(("hello", "text"), (problem.ActivityId, problem.Input));
        Assert.StartsWith("Liquid does not parse: ", problem.Message);
    }

    [Fact]
    public void Workflow_without_a_start_is_an_error()
    {
        // Every activity has an inbound connection, none is a Start or may start the workflow.
        var problem = SingleError(Validate(Doc.Flowchart(
            [Doc.WriteLine("a", "a"), Doc.WriteLine("b", "b")],
            [Doc.Connection("a", "Done", "b"), Doc.Connection("b", "Done", "a")])));

        Assert.Null(problem.ActivityId);
        Assert.Contains("has no start", problem.Message);
    }

    [Fact]
    public void Empty_flowchart_is_a_warning_not_an_error_as_Elsa_publishes_it()
    {
        var result = Validate(Doc.Flowchart([]));

        Assert.True(result.IsValid);
        Assert.Contains("no activities", Assert.Single(result.Problems, p => p.Severity == Severity.Warning).Message);
    }

    [Fact]
    public void Unreachable_activity_is_a_warning_not_an_error()
    {
        var result = Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello"), Doc.WriteLine("island", "nobody comes here")],
            [Doc.Connection("start", "Done", "hello")]));

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Problems);
        Assert.Equal((Severity.Warning, "island"), (warning.Severity, warning.ActivityId));
        Assert.Contains("cannot be reached", warning.Message);
    }

    [Fact]
    public void Activity_that_can_start_the_workflow_is_reachable_even_without_inbound_connections()
    {
        var trigger = Doc.Activity("hook", "Elsa.Event", ("eventName", Doc.Input("hook")));
        trigger["customProperties"] = new JsonObject { ["canStartWorkflow"] = true };

        var result = Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "Hello"), trigger, Doc.WriteLine("hooked", "hooked")],
            [Doc.Connection("start", "Done", "hello"), Doc.Connection("hook", "Done", "hooked")]));

        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Duplicate_activity_ids_are_an_error()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "one"), Doc.WriteLine("hello", "two")],
            [Doc.Connection("start", "Done", "hello")])));

        Assert.Equal("hello", problem.ActivityId);
        Assert.Contains("more than one activity", problem.Message);
    }

    [Fact]
    public void Variable_expression_must_name_a_declared_variable()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("hello", "customerName", "Variable")],
            [Doc.Connection("start", "Done", "hello")],
            [Doc.Variable("name", "String")])));

        Assert.Equal(("hello", "text"), (problem.ActivityId, problem.Input));
        Assert.Equal("refers to the variable 'customerName', which the workflow does not declare", problem.Message);
    }

    [Fact]
    public void SetVariable_must_name_a_declared_variable()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("set", "Elsa.SetVariable",
                ("variable", new JsonObject { ["id"] = "v-total", ["name"] = "total", ["typeName"] = "Int32" }),
                ("value", Doc.Input("1", typeName: "Object")))],
            [Doc.Connection("start", "Done", "set")],
            [Doc.Variable("count", "Int32")])));

        Assert.Equal(("set", "variable"), (problem.ActivityId, problem.Input));
        Assert.Equal("refers to the variable 'total', which the workflow does not declare", problem.Message);
    }

    [Fact]
    public void Variable_expression_to_a_declared_variable_is_valid_by_name_or_id()
    {
        var result = Validate(Doc.Flowchart(
            [Start, Doc.WriteLine("byName", "name", "Variable"), Doc.WriteLine("byId", "v-name", "Variable")],
            [Doc.Connection("start", "Done", "byName"), Doc.Connection("byName", "Done", "byId")],
            [Doc.Variable("name", "String")]));

        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Variables_declared_twice_or_with_a_bad_initial_value_are_errors()
    {
        var result = Validate(Doc.Flowchart(
            [Start],
            variables: [Doc.Variable("count", "Int32", "zero"), Doc.Variable("name", "String"), Doc.Variable("name", "String")]));

        Assert.False(result.IsValid);
        Assert.Equal(2, result.Errors.Count());
        Assert.Contains(result.Errors, p => p.Message.Contains("'count' has an initial value that is not a Int32"));
        Assert.Contains(result.Errors, p => p.Message.Contains("'name' is declared more than once"));
    }

    [Fact]
    public void FlowJoin_mode_must_be_a_literal()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("join", "Elsa.FlowJoin", ("mode", Doc.Input("'WaitAny'", "JavaScript")))],
            [Doc.Connection("start", "Done", "join")])));

        Assert.Equal(("join", "mode"), (problem.ActivityId, problem.Input));
    }

    [Fact]
    public void Input_of_the_wrong_shape_is_an_error_on_that_input()
    {
        var problem = SingleError(Validate(Doc.Flowchart(
            [Start, Doc.Activity("switch", "Elsa.FlowSwitch", ("cases", "Small, Large"))],
            [Doc.Connection("start", "Done", "switch")])));

        Assert.Equal(("switch", "cases"), (problem.ActivityId, problem.Input));
        Assert.StartsWith("is not a valid", problem.Message);
    }

    [Fact]
    public void Any_activity_may_be_the_root()
    {
        var sequence = Validate(ElsaJson.Read("""{"root": {"id": "seq", "type": "Elsa.Sequence", "activities": []}}"""));
        var writeLine = Validate(ElsaJson.Read("""{"root": {"id": "hello", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "hi"}}}}"""));

        Assert.True(sequence.IsValid);
        Assert.True(writeLine.IsValid);
        Assert.Equal("hello", writeLine.Graph!.DefaultStartId);
    }

    [Fact]
    public void A_problem_deep_inside_containers_names_the_activity_and_the_containers_around_it()
    {
        var definition = Tree.Workflow(Tree.Sequence("seq",
            Doc.Activity("each", "Elsa.ForEach", ("items", Tree.Js("[1]")),
                ("body", Tree.Flowchart("inner", [Doc.Activity("start", "Elsa.Start"), Doc.WriteLine("bad", "1 +", "JavaScript")],
                    Doc.Connection("start", "Done", "bad"))))));

        var problem = SingleError(Validate(definition));

        Assert.Equal(("bad", "text"), (problem.ActivityId, problem.Input));
        Assert.Equal(["seq", "each", "inner"], problem.Path);
        Assert.StartsWith("Activity 'bad' (Elsa.WriteLine) in seq › each › inner: input 'text' JavaScript does not parse", problem.ToString());
    }

    [Fact]
    public void Ids_are_unique_across_the_whole_tree()
    {
        var definition = Tree.Workflow(Tree.Sequence("seq", Doc.WriteLine("a", "a"), Tree.Sequence("inner", Doc.WriteLine("a", "again"))));

        var problem = SingleError(Validate(definition));

        Assert.Equal("a", problem.ActivityId);
        Assert.Equal(["seq", "inner"], problem.Path);
        Assert.Contains("more than one activity", problem.Message);
    }

    [Fact]
    public void Every_problem_is_collected_not_just_the_first()
    {
        var result = Validate(Doc.Flowchart(
            [Start, Doc.Activity("listen", "Acme.Unknown"), Doc.Activity("hello", "Elsa.SetVariable"), Doc.WriteLine("cs", "1", "CSharp")],
            [Doc.Connection("start", "Done", "listen"), Doc.Connection("start", "Done", "hello"), Doc.Connection("start", "Done", "cs"), Doc.Connection("cs", "Done", "ghost")]));

        Assert.Equal(["cs", "cs", "hello", "listen"], result.Errors.Select(p => p.ActivityId ?? "").Order());
    }

    [Fact]
    public void Compile_throws_with_every_error_in_the_message()
    {
        using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Start, Doc.Activity("listen", "Acme.Unknown"), Doc.Activity("hello", "Elsa.SetVariable")],
            [Doc.Connection("start", "Done", "listen"), Doc.Connection("start", "Done", "hello")]);

        var error = Assert.Throws<WorkflowValidationException>(() => engine.Get<WorkflowCompiler>().Compile(definition));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("Activity 'listen' (Acme.Unknown): the activity type 'Acme.Unknown' is unknown", error.Message);
        Assert.Contains("Activity 'hello' (Elsa.SetVariable): input 'variable' is required", error.Message);
    }
}
