using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's Switch: runs the activity of the first matching case (MatchFirst) or of every matching case (MatchAny),
/// else the default; completes when what it ran has.
/// </summary>
[Activity("Elsa.Switch", "Branching", "Runs the activity of the first (or every) case whose condition holds, else the default.")]
public sealed class Switch : ContainerActivity
{
    private IReadOnlyList<(string Label, Expression? Condition, string? Activity)> _cases = [];
    private string? _default;

    [Input(Description = "MatchFirst runs the first matching case; MatchAny every matching case.", Options = ["MatchFirst", "MatchAny"])]
    public Input<string> Mode { get; set; } = new("MatchFirst");

    /// <summary>The cases' conditions by label, for the compiler's checks.</summary>
    public IEnumerable<(string Label, Expression? Condition)> Conditions => _cases.Select(c => (c.Label, c.Condition));

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var children = new List<ActivityNode>();
        var cases = new List<(string, Expression?, string?)>();
        if (node.Properties["cases"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject @case) throw new ActivityBindingException(node, "cases", $"case {i + 1} must be an object");
                var label = @case["label"]?.ToString() ?? $"Case {i + 1}";
                var condition = @case["condition"] is JsonObject c
                    ? new Expression(c["type"]?.ToString() ?? Expression.Literal, c["value"]?.DeepClone())
                    : null;
                var activity = @case["activity"] is JsonObject a ? Serialization.ElsaJson.ReadActivityNode(a, $"{node.Id}.cases[{i}].activity") : null;
                if (activity is not null) children.Add(activity);
                cases.Add((label, condition, activity?.Id));
            }
        }
        else if (node.Properties["cases"] is not null)
        {
            throw new ActivityBindingException(node, "cases", "must be a list of cases");
        }
        var @default = ChildAt(node, "default");
        if (@default is not null) children.Add(@default);
        _cases = cases;
        _default = @default?.Id;
        return children;
    }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var matchAny = string.Equals(await context.EvaluateAsync(Mode), "MatchAny", StringComparison.OrdinalIgnoreCase);
        var matched = new List<(string Label, Expression? Condition, string? Activity)>();
        foreach (var @case in _cases)
        {
            if (@case.Condition is null || !await context.EvaluateAsync(new Input<bool>(@case.Condition))) continue;
            matched.Add(@case);
            if (!matchAny) break;
        }
        var run = matched.Count > 0 ? matched.Select(c => c.Activity) : [_default];
        var scheduled = 0;
        foreach (var activity in run.OfType<string>())
        {
            context.ScheduleChild(activity);
            scheduled++;
        }
        return scheduled == 0 ? ActivityStep.Done : ActivityStep.KeepWaiting;
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(context.HasPendingChildren ? ActivityStep.KeepWaiting : ActivityStep.Done);
}
