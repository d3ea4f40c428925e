using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Timers;

[Activity("Elsa.Timer", "Timers", "Waits for one interval, then continues. Intervals are intervals, not approximated by cron.")]
public sealed class Timer : Activity, ITriggerActivity
{
    [Input(Description = "The interval, e.g. 01:00:00.", Required = true)]
    public Input<TimeSpan> Interval { get; set; } = new(TimeSpan.Zero);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggeringStimulus is not null) return ActivityStep.Done;
        var interval = await context.EvaluateAsync(Interval);
        if (interval <= TimeSpan.Zero)
            throw new InvalidOperationException($"A timer's interval must be positive ({interval}).");
        if (DueDate.OutOfRange(interval, "interval") is { } tooLong) throw new InvalidOperationException(tooLong);
        return ActivityStep.Suspend(new BookmarkRequest("Elsa.Timer", null, ResumeAt: context.Now + interval));
    }

    /// <summary>As a start trigger: starts the workflow every interval, the first one interval after publication.</summary>
    public async ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context) =>
        new("Elsa.Timer", null, ResumeAt: context.Now + await context.EvaluateAsync(Interval));

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (TimerLiterals.TryRead(Interval, "interval", problems, out var interval))
        {
            if (interval <= TimeSpan.Zero)
                problems.Add(new InputProblem("interval", $"must be positive ({interval})"));
            else if (DueDate.OutOfRange(interval, "interval") is { } range)
                problems.Add(new InputProblem("interval", range));
        }
        return problems;
    }
}
