using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Events;

[Activity("Elsa.Event", "Events", "Waits for a named event (and the instance's correlation id), optionally with a deadline and reminders; can also start a workflow.",
    Outcomes = [Done, Overdue], Outputs = ["Input", "Overdue"])]
public sealed class Event : WaitingActivity, ITriggerActivity
{
    public const string BookmarkName = "Elsa.Event";

    [Input(Description = "The name of the event to wait for.", IfEmpty = "no event can ever match it")]
    public Input<string> EventName { get; set; } = new("");

    protected override async ValueTask<IReadOnlyList<BookmarkRequest>> WaitAsync(ActivityContext context, DateTimeOffset? deadline) =>
        [new(BookmarkName, await context.EvaluateAsync(EventName))];

    protected override ActivityStep? StartedByTrigger(ActivityContext context, Stimulus trigger) => Received(context, trigger);

    protected override ValueTask<ActivityStep> ReceivedAsync(ActivityContext context, ResumeContext resume) =>
        ValueTask.FromResult(Received(context, resume.Stimulus));

    public async ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context) =>
        new(BookmarkName, await context.EvaluateAsync(EventName));

    private static ActivityStep Received(ActivityContext context, Stimulus stimulus)
    {
        context.SetOutput("Input", new JsonObject(stimulus.Input.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))));
        return ActivityStep.Done;
    }
}
