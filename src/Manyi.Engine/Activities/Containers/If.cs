using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's If: runs <c>then</c> or <c>else</c> as the condition says, then completes; its output Result is the
/// condition. In a flowchart it leaves by True or False as well as by Done.
/// </summary>
[Activity("Elsa.If", "Branching", "Runs 'then' or 'else' depending on a condition.", Outcomes = ["True", "False", Done])]
public sealed class If : ContainerActivity
{
    private string? _then;
    private string? _else;

    [Input(Description = "The condition to test.")]
    public Input<bool> Condition { get; set; } = new(false);

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var then = ChildAt(node, "then");
        var @else = ChildAt(node, "else");
        _then = then?.Id;
        _else = @else?.Id;
        return [.. new[] { then, @else }.OfType<ActivityNode>()];
    }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var result = await context.EvaluateAsync(Condition);
        context.SetOutput("Result", result);
        context.Properties["result"] = result;
        if ((result ? _then : _else) is not { } next) return Completed(result);
        context.ScheduleChild(next);
        return ActivityStep.KeepWaiting;
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(Completed((bool)context.Properties["result"]!));

    private static ActivityStep Completed(bool result) => ActivityStep.CompleteWith(result ? "True" : "False", Done);
}
