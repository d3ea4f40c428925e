using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Flow;

[Activity("Elsa.FlowDecision", "Flow", "Takes the True or the False port depending on a condition.", Outcomes = ["True", "False"])]
public sealed class FlowDecision : Activity
{
    [Input(Description = "The condition to test.", IfEmpty = "the decision always takes False")]
    public Input<bool> Condition { get; set; } = new(false);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) =>
        ActivityStep.CompleteWith(await context.EvaluateAsync(Condition) ? "True" : "False");
}
