using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Containers;

/// <summary>Elsa's Break: leaves the nearest loop (While, For, ForEach, ParallelForEach), which then completes.</summary>
[Activity("Elsa.Break", "Looping", "Breaks out of the nearest loop.", Outcomes = [])]
public sealed class Break : Activity
{
    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult<ActivityStep>(new ActivityStep.Signalled(new ActivitySignal(ActivitySignal.Break, [])));

    public override IReadOnlyList<string> GetOutcomes() => [];
}
