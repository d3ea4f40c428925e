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
    /// Whether this process runs a Hangfire server (its workers) and the timer dispatcher. Off, jobs (e-mails) are still
    /// enqueued in the storage but none runs here, and due timers wait for another node; for tests that need no job to
    /// run. On unless set.
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
    /// PostgreSQL storage only: how long one of Hangfire's locks (held for the instant of a job's state change, or of a
    /// scheduler's look) may stay taken before another node takes it over. A node that dies holding one leaves it behind;
    /// until then the job it was changing cannot run or be deleted anywhere (Hangfire.PostgreSql's default, 10 minutes,
    /// held a dead node's reminders back that long). Longer than any lock is held by a live node.
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the timer dispatcher looks for due timers (a commit that makes a timer due sooner wakes it at once): a
    /// timer fires at most this late, plus its job's wait in the queue.
    /// </summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node's claim on a due timer holds. A node that died after claiming leaves the timer to the others after
    /// this long; a job still failing then (in its retries) is replaced by a new one.
    /// </summary>
    public TimeSpan TimerClaimDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most due timers one look claims; a full batch is followed by another look at once.</summary>
    public int TimerBatch { get; set; } = 1000;

    /// <summary>
    /// Whether this process runs the timer dispatcher (with its Hangfire server). Off, timers wait in their rows for
    /// another node, or for a simulation that fires them on its own clock.
    /// </summary>
    public bool DispatchTimers { get; set; } = true;

    /// <summary>The recurring reconciliation pass, a cron expression in UTC.</summary>
    public string ReconciliationCron { get; set; } = "*/5 * * * *";

    /// <summary>What cannot work, each naming its setting; empty when the settings can work.</summary>
    public IEnumerable<string> Problems()
    {
        if (WorkerCount < 1)
            yield return $"{Section}:WorkerCount must be at least 1 ({WorkerCount}).";
        if (TimerBatch < 1)
            yield return $"{Section}:TimerBatch must be at least 1 ({TimerBatch}).";
        foreach (var (name, value) in new[] { (nameof(SchedulePollingInterval), SchedulePollingInterval), (nameof(QueuePollInterval), QueuePollInterval),
                     (nameof(TimerPollInterval), TimerPollInterval), (nameof(TimerClaimDuration), TimerClaimDuration), (nameof(InvisibilityTimeout), InvisibilityTimeout),
                     (nameof(DistributedLockTimeout), DistributedLockTimeout) })
            if (value <= TimeSpan.Zero)
                yield return $"{Section}:{name} must be positive ({value}).";
        if (CronProblem(ReconciliationCron) is { } cron)
            yield return $"{Section}:ReconciliationCron '{ReconciliationCron}' is not a cron expression: {cron}";
    }

    private static string? CronProblem(string expression)
    {
        try
        {
            CronExpression.Parse(expression);
            return null;
        }
        catch (CronFormatException ex)
        {
            return ex.Message;
        }
    }
}
