using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Timers;

[Activity("Elsa.StartAt", "Timers", "Waits until an instant (e.g. 2025-04-30T18:00:00+08:00), then continues; at once if it has passed.")]
public sealed class StartAt : Activity, ITriggerActivity
{
    [Input(Description = "The instant, with its offset.", Required = true)]
    public Input<DateTimeOffset> DateTime { get; set; } = new(DateTimeOffset.MinValue);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggeringStimulus is not null) return ActivityStep.Done;
        var at = await context.EvaluateAsync(DateTime);
        return at <= context.Now
            ? ActivityStep.Done
            : ActivityStep.Suspend(new BookmarkRequest("Elsa.StartAt", null, ResumeAt: at.ToUniversalTime()));
    }

    /// <summary>As a start trigger: starts the workflow once, at the instant (never again once it has passed).</summary>
    public async ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context)
    {
        var at = await context.EvaluateAsync(DateTime);
        return new BookmarkRequest("Elsa.StartAt", null, ResumeAt: at > context.Now ? at.ToUniversalTime() : null);
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (TimerLiterals.TryRead(DateTime, "dateTime", problems, out var at))
        {
            if (at <= now)
                problems.Add(new InputProblem("dateTime", $"{at:yyyy-MM-dd HH:mm:ss zzz} has already passed"));
            else if (DueDate.OutOfRange(at, "dateTime") is { } range)
                problems.Add(new InputProblem("dateTime", range));
        }
        return problems;
    }
}
