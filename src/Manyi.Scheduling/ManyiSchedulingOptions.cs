using Cronos;

namespace Manyi.Scheduling;

/// <summary>The <c>Manyi:Hangfire</c> configuration section.</summary>
public sealed class ManyiSchedulingOptions
{
    public const string Section = "Manyi:Hangfire";

    /// <summary>
    /// Hangfire workers in this process. A timer job or an e-mail job mostly waits on the database or the SMTP server, so
    /// a few per core: 4 per core, at least 4 and at most 20 (8 on a 2-core machine).
    /// </summary>
    public int WorkerCount { get; set; } = WorkersFor(Environment.ProcessorCount);

    /// <summary>The default <see cref="WorkerCount"/> on a machine with this many cores.</summary>
    public static int WorkersFor(int processorCount) => Math.Clamp(processorCount * 4, 4, 20);

    /// <summary>
    /// Whether this process runs a Hangfire server (its workers). Off, jobs are still scheduled and enqueued in the
    /// storage but none runs here; for tests that need no job to run. On unless set.
    /// </summary>
    public bool Server { get; set; } = true;

    /// <summary>
    /// How often Hangfire looks for scheduled jobs that became due; a timer fires at most this late (plus the queue's
    /// wait). Hangfire's own default, 15 s, is too coarse for deadlines.
    /// </summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PostgreSQL storage only: how often an idle worker looks for jobs that another node enqueued (jobs enqueued in this
    /// process wake its workers at once).
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// PostgreSQL storage only: how long a job fetched by a node stays invisible to the other nodes without a sign of
    /// life. The running node renews it while it works (a sliding timeout), so a long job is never taken twice; a node
    /// that died (killed, its machine gone) hands its jobs to the others after this long instead of Hangfire's 30 minutes.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Only timers due within this horizon get a Hangfire job; a later one waits in its bookmark row until a
    /// reconciliation pass finds it inside the horizon. Keeps Hangfire's schedule to the near future, so that tens of
    /// thousands of reminders weeks ahead cost a commit each and no job, and moving them costs no job either. Must be
    /// well above the reconciliation interval (every 5 minutes); a very long horizon gives every timer its job at once.
    /// </summary>
    public TimeSpan JobHorizon { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The recurring reconciliation pass, a cron expression in UTC.</summary>
    public string ReconciliationCron { get; set; } = "*/5 * * * *";

    /// <summary>
    /// A timer still waiting this long after it was due has lost its job (a job that failed for good, a Hangfire storage
    /// that was wiped): reconciliation gives it a new one.
    /// </summary>
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The end of the job horizon seen from <paramref name="now"/> (no later than the calendar allows).</summary>
    public DateTimeOffset HorizonFrom(DateTimeOffset now) =>
        JobHorizon >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + JobHorizon;

    /// <summary>Throws, naming the setting, when a value cannot work.</summary>
    public void Validate()
    {
        if (WorkerCount < 1)
            throw new InvalidOperationException($"{Section}:WorkerCount must be at least 1 ({WorkerCount}).");
        foreach (var (name, value) in new[] { (nameof(SchedulePollingInterval), SchedulePollingInterval), (nameof(QueuePollInterval), QueuePollInterval), (nameof(OverdueAfter), OverdueAfter), (nameof(InvisibilityTimeout), InvisibilityTimeout) })
            if (value <= TimeSpan.Zero)
                throw new InvalidOperationException($"{Section}:{name} must be positive ({value}).");
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(ReconciliationCron);
        }
        catch (CronFormatException ex)
        {
            throw new InvalidOperationException($"{Section}:ReconciliationCron '{ReconciliationCron}' is not a cron expression: {ex.Message}", ex);
        }
        // A timer must get its job from a pass before it is due: the horizon spans at least two passes.
        var first = cron.GetNextOccurrence(DateTime.UtcNow) ?? DateTime.MaxValue;
        var interval = (cron.GetNextOccurrence(first) ?? DateTime.MaxValue) - first;
        if (JobHorizon < 2 * interval)
            throw new InvalidOperationException(
                $"{Section}:JobHorizon ({JobHorizon}) must be at least twice the reconciliation interval ({interval}, '{ReconciliationCron}').");
    }
}
