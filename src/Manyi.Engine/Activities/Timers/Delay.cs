using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Timers;

[Activity("Elsa.Delay", "Timers", "Waits for a duration, then continues.")]
public sealed class Delay : Activity
{
    [Input(Description = "How long to wait, e.g. 00:30:00 or 7.00:00:00 (no wait when empty, as in Elsa).")]
    public Input<TimeSpan> TimeSpan { get; set; } = new(System.TimeSpan.Zero);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        // An empty literal (Elsa's designer leaves one) waits for nothing, as in Elsa.
        var duration = TimeSpan.Expression is { Type: Model.Expression.Literal, Text: null or "" } ? System.TimeSpan.Zero : await context.EvaluateAsync(TimeSpan);
        if (duration < System.TimeSpan.Zero)
            throw new InvalidOperationException($"A delay cannot be negative ({duration}).");
        return duration == System.TimeSpan.Zero
            ? ActivityStep.Done
            : ActivityStep.Suspend(new BookmarkRequest("Elsa.Delay", null, ResumeAt: context.Now + duration));
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (TimerLiterals.TryRead(TimeSpan, "timeSpan", problems, out var duration) && duration < System.TimeSpan.Zero)
            problems.Add(new InputProblem("timeSpan", $"must not be negative ({duration})"));
        return problems;
    }
}
