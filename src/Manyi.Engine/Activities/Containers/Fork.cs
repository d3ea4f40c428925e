using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>
/// Elsa's Fork container: runs every branch (each one activity) at once. WaitAll completes when every branch has;
/// WaitAny completes on the first and cancels the others. (Files that use Elsa.Fork in a flowchart with named
/// branch ports, as older Manyi files do, get the flowchart fork, Elsa.FlowFork; see <see cref="IsFlowchartFork"/>.)
/// </summary>
[Activity("Elsa.Fork", "Control Flow", "Runs every branch at once; completes when all have (WaitAll) or on the first (WaitAny).")]
public sealed class Fork : ContainerActivity
{
    private IReadOnlyList<string> _branches = [];
    private bool _waitAny;

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var branches = ChildrenAt(node, "branches");
        _branches = [.. branches.Select(b => b.Id)];
        var mode = node.Properties["joinMode"] switch
        {
            JsonObject input => Expression.FromInputProperty(input)?.Text,
            JsonValue value => value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (value.GetValue<int>() == 1 ? "WaitAny" : "WaitAll") : value.ToString(),
            _ => null,
        };
        if (mode is not (null or "WaitAll" or "WaitAny"))
            throw new ActivityBindingException(node, "joinMode", $"must be WaitAll or WaitAny, not '{mode}'");
        _waitAny = mode == "WaitAny";
        return branches;
    }

    /// <summary>
    /// Whether a node typed Elsa.Fork is the flowchart fork of older files: its branches are port names (an input, or
    /// a list of strings), not activities.
    /// </summary>
    public static bool IsFlowchartFork(ActivityNode node) => node.Properties["branches"] switch
    {
        JsonArray list => list.Count > 0 && list.All(b => b is JsonValue),
        null => false,
        _ => true,
    };

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (_branches.Count == 0) return ValueTask.FromResult(ActivityStep.Done);
        foreach (var branch in _branches) context.ScheduleChild(branch);
        return ValueTask.FromResult(ActivityStep.KeepWaiting);
    }

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(_waitAny || !context.HasPendingChildren ? ActivityStep.Done : ActivityStep.KeepWaiting);
}
