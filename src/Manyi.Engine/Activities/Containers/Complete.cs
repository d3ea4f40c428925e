using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's Complete: ends the nearest flowchart (or, with none, the workflow) at once with the given outcomes; what
/// still runs in it is cancelled. A workflow used as an activity leaves by the outcomes its Complete names.
/// </summary>
[Activity("Elsa.Complete", "Composition", "Completes the enclosing flowchart at once with the given outcomes.", Outcomes = [])]
public sealed class Complete : Activity
{
    [Input(Description = "The outcomes: one name, or a list of names.")]
    public Input<JsonNode?> Outcomes { get; set; } = new((JsonNode?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var outcomes = Names(await context.EvaluateAsync(Outcomes));
        return new ActivityStep.Signalled(new ActivitySignal(ActivitySignal.Complete, outcomes.Count == 0 ? [Done] : outcomes));
    }

    public override IReadOnlyList<string> GetOutcomes() => [];

    /// <summary>The outcome names of a literal or evaluated value: a string (comma-separated too), or a list of them.</summary>
    public static IReadOnlyList<string> Names(JsonNode? value) => value switch
    {
        null => [],
        JsonArray list => [.. list.Select(v => v?.ToString() ?? "").Where(v => v.Length > 0)],
        JsonValue text when text.TryGetValue<string>(out var s) => s.TrimStart().StartsWith('[')
            ? Names(JsonNode.Parse(s))
            : [.. s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        _ => [value.ToJsonString()],
    };

    /// <summary>The outcomes a Complete names literally, for a workflow used as an activity's ports.</summary>
    public IReadOnlyList<string> LiteralOutcomes =>
        Outcomes.Expression.Type == Model.Expression.Literal ? Names(Outcomes.Expression.Value) : [];
}
