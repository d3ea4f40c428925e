using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Timers;

[Activity("Elsa.StartAt", "Timers", "Waits until an instant (e.g. 2025-04-30T18:00:00+08:00), then continues; at once if it has passed.")]
public sealed class StartAt : Activity
{
    [Input(Description = "The instant, with its offset.", Required = true)]
    public Input<DateTimeOffset> DateTime { get; set; } = new(DateTimeOffset.MinValue);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var at = await context.EvaluateAsync(DateTime);
        return at <= context.Now
            ? ActivityStep.Done
            : ActivityStep.Suspend(new BookmarkRequest("Elsa.StartAt", null, ResumeAt: at.ToUniversalTime()));
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (TimerLiterals.TryRead(DateTime, "dateTime", problems, out var at) && at <= now)
            problems.Add(new InputProblem("dateTime", $"{at:yyyy-MM-dd HH:mm:ss zzz} has already passed"));
        return problems;
    }
}
