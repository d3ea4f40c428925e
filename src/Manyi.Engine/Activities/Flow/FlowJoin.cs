using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Flow;

[Activity("Elsa.FlowJoin", "Flow", "Joins branches: WaitAll waits for every active inbound branch; WaitAny continues on the first and cancels the others.")]
public sealed class FlowJoin : Activity
{
    [Input(Description = "WaitAll or WaitAny; a literal, since the flowchart's shape depends on it.", Options = ["WaitAll", "WaitAny"])]
    public Input<string> Mode { get; set; } = new("WaitAll");

    internal bool WaitsForAny =>
        Mode.Expression.Type == Expression.Literal && string.Equals(Mode.Expression.Text, "WaitAny", StringComparison.OrdinalIgnoreCase);

    public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityStep.Done);
}
