using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Manyi.Engine.Activities.Primitives;

[Activity("Elsa.WriteLine", "Primitives", "Writes a line of text to the instance's journal and the log.")]
public sealed class WriteLine(ILogger<WriteLine> logger) : Activity
{
    [Input(Description = "The text to write (an empty line when none, as in Elsa).")]
    public Input<string> Text { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var text = await context.EvaluateAsync(Text) ?? "";
        context.Log(text);
        logger.LogInformation("Workflow {InstanceId}: {Text}", context.Instance.Id, text);
        return ActivityStep.Done;
    }
}
