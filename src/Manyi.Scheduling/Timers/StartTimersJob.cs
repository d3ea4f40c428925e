using Hangfire;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// Starts the workflows whose start timers (Timer, Cron, StartAt with <c>canStartWorkflow</c>) are due; a recurring job,
/// every minute at second 0, so a trigger at a whole minute (the usual cron or instant) starts within a poll of it and
/// an interval timer within a minute. The trigger rows are the truth and each firing is claimed in the database, so
/// two nodes never start the same firing twice and a firing missed while no node ran starts at the next pass.
/// </summary>
public sealed class StartTimersJob(WorkflowRuntime runtime, ILogger<StartTimersJob> logger)
{
    public const string RecurringJobId = "manyi-start-timers";
    public const string Cron = "* * * * *";

    [JobDisplayName("Start workflows whose start timers are due")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = await runtime.FireDueTriggersAsync(cancellationToken);
        if (started > 0) logger.LogInformation("Start timers: {Started} workflow(s) started.", started);
        return started;
    }
}
