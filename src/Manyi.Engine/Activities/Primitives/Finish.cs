using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.Finish", "Primitives", "Finishes the whole workflow at once, cancelling every other branch and bookmark.", Outcomes = [])]
public sealed class Finish : Activity
{
    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult<ActivityStep>(new ActivityStep.FinishedWorkflow());

    public override IReadOnlyList<string> GetOutcomes() => [];
}
