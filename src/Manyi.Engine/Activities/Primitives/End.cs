using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.End", "Primitives", "Marks the end of a branch; the workflow finishes when no branch has work or bookmarks left.", Outcomes = [])]
public sealed class End : Activity
{
    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityStep.Ended);

    public override IReadOnlyList<string> GetOutcomes() => [];
}
