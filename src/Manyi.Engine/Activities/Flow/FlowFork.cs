using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Flow;

// Elsa 3 names the flowchart fork Elsa.FlowFork; Elsa.Fork is its container fork (Containers.Fork), which reads an older
// file's flowchart use of Elsa.Fork (named branch ports) as this one.
[Activity("Elsa.FlowFork", "Flow", "Starts every named branch at once; each branch is an outcome port.", Outcomes = [])]
public sealed class FlowFork : Activity
{
    [Input(Description = "The branch names (ports), as a list or comma-separated; a literal.")]
    public Input<string[]> Branches { get; set; } = new(["Done"]);

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityStep.CompleteWith([.. GetOutcomes()]));

    public override IReadOnlyList<string> GetOutcomes() => Branches.Expression.Value switch
    {
        JsonArray array => [.. array.Select(b => b?.ToString() ?? "")],
        _ => Branches.Expression.Text is { Length: > 0 } text
            ? (text.TrimStart().StartsWith('[')
                ? JsonNode.Parse(text)!.AsArray().Select(b => b?.ToString() ?? "").ToArray()
                : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : [Done],
    };
}
