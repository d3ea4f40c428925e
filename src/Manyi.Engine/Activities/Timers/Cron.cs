using Cronos;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Timers;

[Activity("Elsa.Cron", "Timers", "Waits until the next occurrence of a cron expression in a time zone, then continues.")]
public sealed class Cron : Activity, ITriggerActivity
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    [Input(Description = "Five fields (minute hour day month weekday) or six with seconds, e.g. 0 9 * * 1-5.", Required = true)]
    public Input<string> CronExpression { get; set; } = new("");

    [Input(Description = "The IANA time zone the expression is read in.")]
    public Input<string> TimeZone { get; set; } = new(DefaultTimeZone);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) =>
        context.TriggeringStimulus is not null ? ActivityStep.Done : ActivityStep.Suspend(await GetTriggerAsync(context));

    /// <summary>The next occurrence after now; as a start trigger, the next time it starts the workflow.</summary>
    public async ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context)
    {
        var expression = Parse(await context.EvaluateAsync(CronExpression));
        var zoneId = await context.EvaluateAsync(TimeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(zoneId) ? DefaultTimeZone : zoneId);
        var next = expression.GetNextOccurrence(context.Now, zone)
            ?? throw new InvalidOperationException("The cron expression has no future occurrence.");
        return new BookmarkRequest("Elsa.Cron", null, ResumeAt: next.ToUniversalTime());
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (TimerLiterals.TryRead(CronExpression, "cronExpression", problems, out var text))
        {
            try
            {
                Parse(text);
            }
            catch (CronFormatException ex)
            {
                problems.Add(new InputProblem("cronExpression", $"'{text}' is not a valid cron expression: {ex.Message}"));
            }
        }
        if (TimerLiterals.TryRead(TimeZone, "timeZone", problems, out var zone))
            TimerLiterals.FindTimeZone(zone, "timeZone", problems);
        return problems;
    }

    private static CronExpression Parse(string text) =>
        Cronos.CronExpression.Parse(text, text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
}
