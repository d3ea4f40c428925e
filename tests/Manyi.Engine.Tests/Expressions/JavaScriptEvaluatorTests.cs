using System.Diagnostics;
using System.Text.Json.Nodes;
using Jint.Runtime;
using Manyi.Engine.Expressions;

namespace Manyi.Engine.Tests.Expressions;

/// <summary>The functions Elsa's JavaScript expressions see, and the sandbox they run in.</summary>
public sealed class JavaScriptEvaluatorTests
{
    private static readonly JavaScriptEvaluator Evaluator = new(new ScriptLimits());

    private static JsonNode? Run(string code, FakeScope? scope = null, JavaScriptEvaluator? evaluator = null) =>
        (evaluator ?? Evaluator).Evaluate(code, scope ?? new FakeScope(), TestContext.Current.CancellationToken);

    [Fact]
    public void getVariable_and_setVariable_read_and_write_the_instance_variables()
    {
        var scope = new FakeScope().Declare("count", 4);

        var result = Run("setVariable('count', getVariable('count') * 10); getVariable('count') + 1", scope);

        Assert.Equal(41, result!.GetValue<int>());
        Assert.Equal(40, scope.Variables["count"]!.GetValue<int>());
    }

    [Fact]
    public void Each_variable_gets_a_pascal_cased_getter_and_setter()
    {
        var scope = new FakeScope().Declare("approvalCount", 2).Declare("Title", "draft");

        var result = Run("setApprovalCount(getApprovalCount() + 1); setTitle(getTitle() + '!'); getApprovalCount()", scope);

        Assert.Equal(3, result!.GetValue<int>());
        Assert.Equal(3, scope.Variables["approvalCount"]!.GetValue<int>());
        Assert.Equal("draft!", scope.Variables["Title"]!.GetValue<string>());
    }

    [Fact]
    public void variables_object_reads_values_and_writes_through_to_the_instance()
    {
        var scope = new FakeScope().Declare("person", JsonNode.Parse("""{"name": "Ada", "age": 36}""")).Declare("total", 1);

        var result = Run("variables.total = variables.total + variables.person.age; variables.person.name", scope);

        Assert.Equal("Ada", result!.GetValue<string>());
        Assert.Equal(37, scope.Variables["total"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name": "Ada", "age": 36}"""), scope.Variables["person"]), "an unchanged variable is not rewritten");
    }

    [Fact]
    public void getInput_returns_the_instance_input_or_undefined_as_null()
    {
        var scope = new FakeScope();
        scope.InputValues["order"] = JsonNode.Parse("""{"id": "A-1", "lines": [1, 2, 3]}""");

        Assert.Equal(3, Run("getInput('order').lines.length", scope)!.GetValue<int>());
        Assert.Null(Run("getInput('missing')", scope));
    }

    [Fact]
    public void Correlation_and_instance_functions_see_the_instance()
    {
        var scope = new FakeScope { CorrelationId = "contract-9", WorkflowInstanceId = "i-1", WorkflowDefinitionId = "d-1" };

        Assert.Equal("contract-9|i-1|d-1", Run("getCorrelationId() + '|' + getWorkflowInstanceId() + '|' + getWorkflowDefinitionId()", scope)!.GetValue<string>());

        Run("setCorrelationId('contract-10')", scope);
        Assert.Equal("contract-10", scope.CorrelationId);
    }

    [Theory]
    [InlineData("isNullOrEmpty('')", true)]
    [InlineData("isNullOrEmpty(null)", true)]
    [InlineData("isNullOrEmpty(undefined)", true)]
    [InlineData("isNullOrEmpty(getInput('missing'))", true)]
    [InlineData("isNullOrEmpty('x')", false)]
    [InlineData("isNullOrEmpty(0)", false)]
    public void isNullOrEmpty_is_true_for_null_undefined_and_the_empty_string(string code, bool expected)
    {
        Assert.Equal(expected, Run(code)!.GetValue<bool>());
    }

    [Fact]
    public void toJson_serialises_a_value_to_json_text()
    {
        var result = Run("toJson({ id: 'A-1', lines: [1, 2], ok: true })");

        Assert.Equal("""{"id":"A-1","lines":[1,2],"ok":true}""", result!.GetValue<string>());
    }

    [Fact]
    public void getLastResult_and_getOutputFrom_read_earlier_activity_outputs()
    {
        var scope = new FakeScope { LastResult = JsonNode.Parse("""{"by": "Li"}""") };
        scope.Outputs["Approved"] = new() { ["Input"] = JsonNode.Parse("""{"by": "Wang"}"""), ["Other"] = "x" };

        Assert.Equal("Li", Run("getLastResult().by", scope)!.GetValue<string>());
        Assert.Equal("Wang", Run("getOutputFrom('Approved', 'Input').by", scope)!.GetValue<string>());
        Assert.Equal("x", Run("getOutputFrom('Approved')", scope)!.GetValue<string>());
        Assert.Null(Run("getOutputFrom('Nobody')", scope));
    }

    [Fact]
    public void Each_input_and_each_produced_output_gets_an_accessor_as_Elsa_generates_them()
    {
        var scope = new FakeScope().Declare("shared", "variable");
        scope.InputValues["input1"] = "Foo";
        scope.InputValues["shared"] = "input";
        scope.InputValues["not an id"] = "x";
        scope.Outputs["Sum1"] = new() { ["Result"] = 9 };

        Assert.Equal("Foo 9 variable", Run("`${getInput1()} ${getResultFromSum1()} ${getShared()}`", scope)!.GetValue<string>());
        Assert.Equal("undefined", Run("typeof getNot", scope)!.GetValue<string>());
    }

    [Fact]
    public void newGuidString_returns_a_fresh_guid()
    {
        var first = Run("newGuidString()")!.GetValue<string>();
        var second = Run("newGuidString()")!.GetValue<string>();

        Assert.True(Guid.TryParse(first, out _));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Objects_and_arrays_come_back_as_json()
    {
        var result = Run("({ name: 'Ada', tags: ['a', 'b'], nothing: null })");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name": "Ada", "tags": ["a", "b"], "nothing": null}"""), result));
    }

    [Fact]
    public void Infinite_loop_is_stopped_quickly_with_an_expression_error()
    {
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<ExpressionException>(() => Run("while (true) {}"));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.StartsWith("JavaScript failed: ", error.Message);
    }

    [Fact]
    public void Statement_limit_stops_a_busy_loop_long_before_the_time_limit()
    {
        var evaluator = new JavaScriptEvaluator(new ScriptLimits { MaxStatements = 1_000, Timeout = TimeSpan.FromMinutes(1) });
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<ExpressionException>(() => Run("var i = 0; for (;;) { i++; }", evaluator: evaluator));

        Assert.IsType<StatementsCountOverflowException>(error.InnerException);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Time_limit_stops_a_loop_that_stays_under_the_statement_limit()
    {
        // No memory limit here: a fast machine allocates past it within the 200 ms, and this test is about the clock.
        var evaluator = new JavaScriptEvaluator(new ScriptLimits { MaxStatements = 0, MemoryBytes = 0, Timeout = TimeSpan.FromMilliseconds(200) });
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<ExpressionException>(() => Run("var i = 0; for (;;) { i++; }", evaluator: evaluator));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Unbounded_recursion_is_stopped()
    {
        var error = Assert.Throws<ExpressionException>(() => Run("function f(n) { return f(n + 1) + 1; } f(0)"));

        Assert.StartsWith("JavaScript failed: ", error.Message);
        Assert.IsType<RecursionDepthOverflowException>(error.InnerException);
    }

    [Fact]
    public void Memory_hungry_script_is_stopped()
    {
        var evaluator = new JavaScriptEvaluator(new ScriptLimits { MaxStatements = 0, MemoryBytes = 4 * 1024 * 1024 });

        var error = Assert.Throws<ExpressionException>(() => Run("var a = []; for (;;) { a.push('0123456789abcdef'.repeat(64)); }", evaluator: evaluator));

        Assert.IsType<MemoryLimitExceededException>(error.InnerException);
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO').File.ReadAllText('/etc/passwd')")]
    [InlineData("System.Environment.Exit(1)")]
    [InlineData("getVariable.GetType().Assembly")]
    public void Scripts_have_no_access_to_the_clr(string code)
    {
        var error = Assert.Throws<ExpressionException>(() => Run(code));

        Assert.StartsWith("JavaScript failed: ", error.Message);
    }

    [Fact]
    public void Clr_bridges_are_undefined()
    {
        Assert.Equal("undefined,undefined,undefined", Run("[typeof System, typeof importNamespace, typeof clrHelper].join()")!.GetValue<string>());
    }

    [Fact]
    public void Thrown_errors_become_expression_errors_with_the_script_message()
    {
        var error = Assert.Throws<ExpressionException>(() => Run("throw new Error('amount missing')"));

        Assert.Contains("amount missing", error.Message);
    }

    [Fact]
    public void Syntax_error_is_a_parse_error_and_Check_reports_it()
    {
        var error = Assert.Throws<ExpressionException>(() => Run("getInput('a' +"));

        Assert.StartsWith("JavaScript does not parse: ", error.Message);
        Assert.NotNull(Evaluator.Check("getInput('a' +"));
        Assert.Null(Evaluator.Check("getInput('a') + 1"));
    }

    [Fact]
    public void Cancelled_evaluation_surfaces_as_cancellation_not_as_a_script_failure()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        // A host shutting down must not turn into an incident on the instance.
        Assert.ThrowsAny<OperationCanceledException>(() => Evaluator.Evaluate("while (true) {}", new FakeScope(), cancellation.Token));
    }

    [Fact]
    public void Each_evaluation_starts_from_a_clean_global_scope()
    {
        Run("var leaked = 42; globalThis.alsoLeaked = 1;");

        Assert.Equal("undefined", Run("typeof leaked + ',' + typeof alsoLeaked")!.GetValue<string>().Split(',').Distinct().Single());
    }

    /// <summary>The designer offers <see cref="JavaScriptEvaluator.Functions"/> in completion: each is one a script can call.</summary>
    [Fact]
    public void Every_function_the_designer_offers_is_a_function_scripts_have()
    {
        Assert.Contains(JavaScriptEvaluator.Functions, f => f.Name == "getVariable" && f.Signature == "getVariable(name)");
        foreach (var function in JavaScriptEvaluator.Functions)
        {
            Assert.Equal("function", Run($"typeof {function.Name}")!.GetValue<string>());
            Assert.StartsWith(function.Name + "(", function.Signature, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(function.Zh));
        }
    }
}
