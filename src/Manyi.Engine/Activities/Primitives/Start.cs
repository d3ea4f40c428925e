using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.Start", "Primitives", "Where the workflow begins when no trigger chose another activity.")]
public sealed class Start : Activity
{
    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityStep.Done);
}
