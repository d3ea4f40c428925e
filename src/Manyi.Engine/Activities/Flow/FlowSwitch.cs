using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Flow;

[Activity("Elsa.FlowSwitch", "Flow", "Takes the port of the first matching case (or of every matching case), else Default.", Outcomes = [])]
public sealed class FlowSwitch : Activity
{
    public const string Default = "Default";

    [Input(Description = "The cases: a label (the port) and a condition each.")]
    public List<SwitchCase> Cases { get; set; } = [];

    [Input(Description = "MatchFirst takes the first matching case; MatchAny takes every matching case.", Options = ["MatchFirst", "MatchAny"])]
    public Input<string> Mode { get; set; } = new("MatchFirst");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var matchAny = string.Equals(await context.EvaluateAsync(Mode), "MatchAny", StringComparison.OrdinalIgnoreCase);
        var matched = new List<string>();
        foreach (var @case in Cases)
        {
            if (@case.Condition is null || !await context.EvaluateAsync(new Input<bool>(@case.Condition))) continue;
            matched.Add(@case.Label);
            if (!matchAny) break;
        }
        return ActivityStep.CompleteWith(matched.Count > 0 ? [.. matched] : [Default]);
    }

    public override IReadOnlyList<string> GetOutcomes() => [.. Cases.Select(c => c.Label), Default];
}

/// <summary>A switch case: <c>{"label": "AAA", "condition": {"type": "JavaScript", "value": "…"}}</c>.</summary>
public sealed record SwitchCase(string Label, Expression? Condition);
