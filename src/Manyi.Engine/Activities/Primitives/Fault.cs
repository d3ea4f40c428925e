using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.Fault", "Primitives", "Raises a fault with a message; the instance records an incident.", Outcomes = [])]
public sealed class Fault : Activity
{
    [Input(Description = "What went wrong.")]
    public Input<string> Message { get; set; } = new("");

    [Input(Description = "An optional code for the fault.")]
    public Input<string?> Code { get; set; } = new((string?)null);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var message = await context.EvaluateAsync(Message) is { Length: > 0 } text ? text : "The workflow raised a fault.";
        var code = await context.EvaluateAsync(Code);
        throw new WorkflowFaultException(string.IsNullOrEmpty(code) ? message : $"{code}: {message}");
    }

    public override IReadOnlyList<string> GetOutcomes() => [];
}

/// <summary>A fault raised on purpose by a workflow.</summary>
public sealed class WorkflowFaultException(string message) : Exception(message);
