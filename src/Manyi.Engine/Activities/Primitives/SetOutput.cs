using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

/// <summary>Sets one of the workflow's outputs; a parent that executed the workflow (Elsa.ExecuteWorkflow) receives them when it ends.</summary>
[Activity("Elsa.SetOutput", "Primitives", "Sets an output of the workflow to a value.")]
public sealed class SetOutput : Activity
{
    [Input(Description = "The name of the workflow output.", Required = true)]
    public Input<string> OutputName { get; set; } = new("");

    [Input(Description = "The value to assign.")]
    public Input<object?> OutputValue { get; set; } = new((object?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var name = (await context.EvaluateAsync(OutputName))?.Trim();
        if (string.IsNullOrEmpty(name)) throw new InvalidOperationException("outputName is empty: say which workflow output to set.");
        context.Instance.State.Output[name] = ValueConverter.ToJson(await context.EvaluateAsync(OutputValue));
        return ActivityStep.Done;
    }
}
