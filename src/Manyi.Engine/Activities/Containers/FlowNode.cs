using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>Elsa's FlowNode: does nothing and goes on by Done; a junction to draw connections through.</summary>
[Activity("Elsa.FlowNode", "Flow", "Does nothing and continues: a junction for connections.")]
public sealed class FlowNode : Activity
{
    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityStep.Done);
}
