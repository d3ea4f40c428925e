using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>Elsa's Sequence: runs its activities one after the other; its declared variables are local to it.</summary>
[Activity("Elsa.Sequence", "Workflows", "Runs its activities one after the other, then completes.")]
public sealed class Sequence : ContainerActivity
{
    private const string NextIndex = "next";
    private IReadOnlyList<string> _children = [];
    private IReadOnlyList<VariableDefinition> _variables = [];

    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var children = node.Activities ?? [];
        _children = [.. children.Select(c => c.Id)];
        _variables = Serialization.ElsaJson.ReadVariableList(node.Properties["variables"], $"{node.Id}.variables");
        return children;
    }

    public override IReadOnlyList<VariableDefinition> LocalVariables => _variables;

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        foreach (var variable in _variables)
            context.SetLocalVariable(variable.Name, variable.InitialValue());
        return ValueTask.FromResult(Next(context, 0));
    }

    /// <summary>The next activity; an End ends the sequence, as Elsa's terminal nodes do.</summary>
    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(context.Burst.Graph.Nodes[child.ActivityId].Activity is Primitives.End
            ? ActivityStep.Done
            : Next(context, (int)context.Properties[NextIndex]!));

    private ActivityStep Next(ActivityContext context, int index)
    {
        if (index >= _children.Count) return ActivityStep.Done;
        context.Properties[NextIndex] = index + 1;
        context.ScheduleChild(_children[index]);
        return ActivityStep.KeepWaiting;
    }
}
