using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Events;

[Activity("Elsa.Event", "Events", "Waits for a named event (and the instance's correlation id); can also start a workflow.")]
public sealed class Event : Activity, ITriggerActivity
{
    public const string BookmarkName = "Elsa.Event";

    [Input(Description = "The name of the event to wait for.", Required = true)]
    public Input<string> EventName { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggeringStimulus is { } stimulus)
            return Received(context, stimulus);
        return ActivityStep.Suspend(new BookmarkRequest(BookmarkName, await context.EvaluateAsync(EventName)));
    }

    public override ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume) =>
        ValueTask.FromResult(Received(context, resume.Stimulus));

    public async ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context) =>
        new(BookmarkName, await context.EvaluateAsync(EventName));

    private static ActivityStep Received(ActivityContext context, Stimulus stimulus)
    {
        context.SetOutput("Input", new JsonObject(stimulus.Input.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))));
        return ActivityStep.Done;
    }
}
