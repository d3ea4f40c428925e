using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's FlowNode ("Container"): runs its <c>body</c>, if it has one, and goes on by Done when the body completes;
/// without a body it is a junction to draw connections through.
/// </summary>
[Activity("Elsa.FlowNode", "Flow", "Runs the activity it holds, then continues; without one, a junction for connections.")]
public sealed class FlowNode : ContainerActivity
{
    private string? _body;

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var body = ChildAt(node, "body");
        _body = body?.Id;
        return body is null ? [] : [body];
    }

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (_body is null) return ValueTask.FromResult(ActivityStep.Done);
        context.ScheduleChild(_body);
        return ValueTask.FromResult(ActivityStep.KeepWaiting);
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(ActivityStep.Done);
}
