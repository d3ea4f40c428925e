using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.SetName", "Primitives", "Sets the name of the workflow instance.")]
public sealed class SetName : Activity
{
    public const int MaxLength = 200;

    [Input(Description = "The instance's name.")]
    public Input<string> Value { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var name = (await context.EvaluateAsync(Value))?.Trim();
        if (name?.Length > MaxLength)
            throw new InvalidOperationException($"The instance name has {name.Length} characters; at most {MaxLength} are allowed.");
        context.Instance.State.Name = string.IsNullOrEmpty(name) ? null : name;
        return ActivityStep.Done;
    }
}
