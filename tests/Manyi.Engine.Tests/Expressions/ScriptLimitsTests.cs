using System.Diagnostics;
using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;
using ActivityContext = Manyi.Engine.Runtime.ActivityContext;

namespace Manyi.Engine.Tests.Expressions;

/// <summary>
/// One bad expression must not hurt the server: a single call that would allocate gigabytes, a catastrophic regular
/// expression, nested Liquid loops and huge outputs each stop within the limits, as an expression error.
/// </summary>
public sealed class ScriptLimitsTests
{
    private static readonly JavaScriptEvaluator JavaScript = new(new ScriptLimits());
    private static readonly LiquidEvaluator Liquid = new();

    private static void Run(string code, JavaScriptEvaluator? evaluator = null) =>
        (evaluator ?? JavaScript).Evaluate(code, new FakeScope(), TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("\"z\".repeat(1 << 27)")]
    [InlineData("\"z\".padStart(1 << 27)")]
    [InlineData("\"z\".padEnd(1 << 27, \"ab\")")]
    [InlineData("new Array(100000).join(\"zzzzzzzzzzzz\")")]
    [InlineData("var s = \"z\".repeat(1 << 19); [s, s, s, s].join(\"\")")]
    public void A_single_call_that_would_build_a_huge_string_is_refused_before_it_allocates(string code)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ExpressionException>(() => Run(code));

        Assert.Contains("the limit is 1,000,000", error.Message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Strings_under_the_limit_are_built_as_usual()
    {
        var scope = new FakeScope();

        var result = JavaScript.Evaluate("'ab'.repeat(3) + '|' + '7'.padStart(3, '0') + '|' + ['a', 'b'].join('-') + '|' + String([1, 2])", scope, TestContext.Current.CancellationToken);

        Assert.Equal("ababab|007|a-b|1,2", result!.GetValue<string>());
    }

    [Fact]
    public void A_result_longer_than_the_limit_is_refused()
    {
        var error = Assert.Throws<ExpressionException>(() => Run("'x'.repeat(600000) + 'y'.repeat(600000)"));

        Assert.Contains("1,200,002 characters", error.Message);
    }

    [Fact]
    public void A_variable_longer_than_the_limit_is_refused()
    {
        var scope = new FakeScope().Declare("note", "");

        Assert.Throws<ExpressionException>(() =>
            JavaScript.Evaluate("setVariable('note', 'x'.repeat(600000) + 'y'.repeat(600000)); 1", scope, TestContext.Current.CancellationToken));
        Assert.Equal("", scope.Variables["note"]!.GetValue<string>());
    }

    [Fact]
    public void A_catastrophic_regular_expression_stops_within_the_time_limit()
    {
        var evaluator = new JavaScriptEvaluator(new ScriptLimits { Timeout = TimeSpan.FromMilliseconds(500) });
        var watch = Stopwatch.StartNew();

        Assert.Throws<ExpressionException>(() => Run("/^(a+)+$/.test('a'.repeat(30) + 'b')", evaluator));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    /// <summary>
    /// The probe's two nested loops of 10,000 (100,000,000 steps, 5 s without a limit). Three would show the limit as
    /// well, but without it they run for hours: the test would hang instead of failing.
    /// </summary>
    [Fact]
    public async Task Nested_Liquid_loops_stop_at_the_step_limit()
    {
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ExpressionException>(async () =>
            await Liquid.RenderAsync("{% for i in (1..10000) %}{% for j in (1..10000) %}{% endfor %}{% endfor %}", new FakeScope()));

        Assert.Contains("200,000 steps", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Liquid_output_longer_than_the_limit_is_refused_while_it_is_written()
    {
        var scope = new FakeScope().Declare("s", new string('x', 100));

        var error = await Assert.ThrowsAsync<ExpressionException>(async () =>
            await Liquid.RenderAsync("{% for i in (1..100000) %}{{ Variables.s }}{% endfor %}", scope));

        Assert.Contains("the limit is 1,000,000", error.Message);
    }

    [Fact]
    public async Task A_failing_expression_names_the_activity_and_the_input()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.WriteLine("huge", "'z'.repeat(1 << 27)", "JavaScript")],
            [Doc.Connection("start", "Done", "huge")]);
        await engine.PublishAsync(definition);

        var faulted = await engine.StartAsync(definition);

        var incident = Assert.Single(faulted.Incidents);
        Assert.Equal("huge", incident.ActivityId);
        Assert.StartsWith("Activity 'huge', input 'text': JavaScript failed: repeat would make", incident.Message);
    }

    [Fact]
    public async Task A_long_line_is_cut_in_the_journal()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.WriteLine("long", "'z'.repeat(10000)", "JavaScript")],
            [Doc.Connection("start", "Done", "long")]);
        await engine.PublishAsync(definition);

        var done = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, done.Status);
        var line = engine.Store.Journal.Single(e => e.InstanceId == done.Id && e.Event == JournalEvent.Message);
        Assert.Equal(ActivityContext.MaxJournalMessage, line.Message!.IndexOf('…'));
    }
}
