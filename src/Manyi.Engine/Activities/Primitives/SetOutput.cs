using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

/// <summary>
/// Sets an output of the nearest workflow used as an activity that declares it (the node's output in its parent), else
/// one of the workflow's outputs, which a parent that executed the workflow (Elsa.ExecuteWorkflow) receives when it ends.
/// </summary>
[Activity("Elsa.SetOutput", "Primitives", "Sets an output of the enclosing workflow activity, or of the workflow, to a value.")]
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
        var value = ValueConverter.ToJson(await context.EvaluateAsync(OutputValue));
        // Elsa's rule: the nearest composite around that declares the output (a workflow used as an activity) gets
        // it; with none, the workflow's own outputs do.
        OutputTarget.SetWorkflowOutput(context, name, value, declaredOnly: false);
        return ActivityStep.Done;
    }
}
