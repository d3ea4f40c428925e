using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.SetVariable", "Primitives", "Sets a workflow variable to the value of an expression.")]
public sealed class SetVariable : Activity
{
    [Input(Description = "The variable to set.", Required = true)]
    public VariableReference? Variable { get; set; }

    [Input(Description = "The value to store.")]
    public Input<object?> Value { get; set; } = new((object?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var name = Variable?.Name ?? Variable?.Id
            ?? throw new InvalidOperationException($"SetVariable '{context.Node.Id}' names no variable.");
        var value = await context.EvaluateAsync(Value);
        context.SetVariable(name, ValueConverter.ToJson(value));
        return ActivityStep.Done;
    }
}

/// <summary>How Elsa refers to a variable from an activity: <c>{"id", "name", "typeName"}</c>.</summary>
public sealed record VariableReference(string? Id, string? Name, string? TypeName);
