using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>
/// Elsa 3.6's merge modes (<c>customProperties.mergeMode</c> of the activity where branches meet), each on a fork →
/// decision → join: one branch writes "a" straight to the join; the other passes a decision that takes the branch
/// ("b" to the join) or leaves it ("not b", which ends), so the join's second inbound branch is live or dead.
/// </summary>
public sealed class MergeModeTests
{
    private static async Task<(List<string> Lines, WorkflowStatus Status)> RunAsync(string? mode, bool takeBranch)
    {
        var join = Doc.WriteLine("joined", "joined");
        if (mode is not null) join["customProperties"] = new JsonObject { ["mergeMode"] = mode };
        var definition = Doc.Flowchart(
            [
                Doc.Activity("start", "Elsa.Start"),
                Doc.Activity("fork", "Elsa.FlowFork", ("branches", Doc.Input("a, b", typeName: "String[]"))),
                Doc.WriteLine("a", "a"),
                Doc.Activity("decide", "Elsa.FlowDecision", ("condition", Doc.Input(takeBranch, typeName: "Boolean"))),
                Doc.WriteLine("b", "b"),
                Doc.WriteLine("not-b", "not b"),
                join,
                Doc.WriteLine("after", "after"),
            ],
            [
                Doc.Connection("start", "Done", "fork"), Doc.Connection("fork", "a", "a"), Doc.Connection("fork", "b", "decide"),
                Doc.Connection("decide", "True", "b"), Doc.Connection("decide", "False", "not-b"),
                Doc.Connection("a", "Done", "joined"), Doc.Connection("b", "Done", "joined"), Doc.Connection("joined", "Done", "after"),
            ]);
        await using var engine = new TestEngine();
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var lines = engine.Steps(instance.Id).Where(s => s.Contains(" Message ", StringComparison.Ordinal))
            .Select(s => s[(s.IndexOf(" Message ", StringComparison.Ordinal) + 9)..]).ToList();
        return (lines, instance.Status);
    }

    [Theory]
    // No mode (or None) is Stream: the join waits for both branches, runs once, and a dead branch does not hold it up.
    [InlineData(null, true, new[] { "a", "b", "joined", "after" })]
    [InlineData(null, false, new[] { "a", "not b", "joined", "after" })]
    [InlineData("None", false, new[] { "a", "not b", "joined", "after" })]
    [InlineData("Stream", true, new[] { "a", "b", "joined", "after" })]
    [InlineData("Stream", false, new[] { "a", "not b", "joined", "after" })]
    // Merge waits for every forward branch: the untaken one blocks it, and what follows it.
    [InlineData("Merge", true, new[] { "a", "b", "joined", "after" })]
    [InlineData("Merge", false, new[] { "a", "not b" })]
    // Converge waits for every inbound connection: likewise here (no loop comes back into it).
    [InlineData("Converge", true, new[] { "a", "b", "joined", "after" })]
    [InlineData("Converge", false, new[] { "a", "not b" })]
    // Cascade runs once per branch that arrives.
    [InlineData("Cascade", true, new[] { "a", "joined", "b", "after", "joined", "after" })]
    [InlineData("Cascade", false, new[] { "a", "joined", "not b", "after" })]
    // Race runs on the first branch to arrive; the other is cancelled.
    [InlineData("Race", true, new[] { "a", "joined", "after" })]
    public async Task Each_merge_mode_writes_its_lines(string? mode, bool takeBranch, string[] expected)
    {
        var (lines, status) = await RunAsync(mode, takeBranch);

        Assert.Equal(expected, lines);
        Assert.Equal(WorkflowStatus.Finished, status);
    }

    [Fact]
    public async Task Converge_also_waits_for_a_loop_coming_back_and_so_blocks_where_Merge_goes_on()
    {
        async Task<List<string>> Run(string mode)
        {
            // start → count → check; check loops back to count once, then goes to done. 'count' has a forward
            // inbound connection (from start) and a loop back into it.
            var count = Doc.Activity("count", "Elsa.SetVariable",
                ("variable", new JsonObject { ["id"] = "v-n", ["name"] = "n" }), ("value", Doc.Input("getVariable('n') + 1", "JavaScript", "Object")));
            count["customProperties"] = new JsonObject { ["mergeMode"] = mode };
            var definition = Doc.Flowchart(
                [Doc.Activity("start", "Elsa.Start"), count, Doc.Activity("check", "Elsa.FlowDecision", ("condition", Doc.Input("getVariable('n') < 2", "JavaScript", "Boolean"))),
                 Doc.WriteLine("done", "'n=' + getVariable('n')", "JavaScript")],
                [Doc.Connection("start", "Done", "count"), Doc.Connection("count", "Done", "check"), Doc.Connection("check", "True", "count"), Doc.Connection("check", "False", "done")],
                [Doc.Variable("n", "Int32", "0")]);
            await using var engine = new TestEngine();
            await engine.PublishAsync(definition);
            var instance = await engine.StartAsync(definition);
            return [.. engine.Steps(instance.Id).Where(s => s.StartsWith("count Executed", StringComparison.Ordinal) || s.StartsWith("done Message", StringComparison.Ordinal))];
        }

        Assert.Equal(["count Executed Done", "count Executed Done", "done Message n=2"], await Run("Merge"));
        Assert.Empty(await Run("Converge"));
    }

    [Fact]
    public void An_unknown_merge_mode_is_refused_naming_the_activity()
    {
        using var engine = new TestEngine();
        var join = Doc.WriteLine("joined", "joined");
        join["customProperties"] = new JsonObject { ["mergeMode"] = "Sometimes" };
        var result = engine.Get<Engine.Validation.WorkflowCompiler>().Validate(Doc.Flowchart([Doc.Activity("start", "Elsa.Start"), join], [Doc.Connection("start", "Done", "joined")]));

        var problem = Assert.Single(result.Errors);
        Assert.Equal("joined", problem.ActivityId);
        Assert.Contains("mergeMode 'Sometimes'", problem.Message);
    }
}
