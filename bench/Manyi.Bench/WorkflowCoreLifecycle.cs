using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using WorkflowCore.Models.LifeCycleEvents;
using WorkflowCore.Primitives;

namespace Manyi.Bench;

/// <summary>Outcome of one lifecycle run ("step → wait for event → step" × N instances).</summary>
/// <param name="Engine">Engine and mode measured.</param>
/// <param name="Configuration">The settings the engine ran with.</param>
/// <param name="Instances">Number of workflow instances (lifecycles).</param>
/// <param name="Elapsed">Wall time from the first start to the last completion.</param>
/// <param name="StartToAllWaiting">Part of <paramref name="Elapsed"/> until every instance waited for its event.</param>
/// <param name="PublishToAllComplete">Part of <paramref name="Elapsed"/> from the first publish to the last completion.</param>
/// <param name="WarningsLogged">Warnings and errors the engine logged during the run.</param>
/// <param name="FirstWarning">The first of those, if any.</param>
public sealed record LifecycleResult(
    string Engine,
    string Configuration,
    int Instances,
    TimeSpan Elapsed,
    TimeSpan StartToAllWaiting,
    TimeSpan PublishToAllComplete,
    int WarningsLogged,
    string? FirstWarning)
{
    public double LifecyclesPerSecond => Instances / Elapsed.TotalSeconds;
}

/// <summary>
/// Knobs of WorkflowCore's <see cref="WorkflowOptions"/> that matter for in-memory throughput.
/// Defaults in 3.22.0: poll interval 10 s, idle time 100 ms, max concurrent workflows
/// max(cores, 4), indexing on.
/// </summary>
public sealed record WorkflowCoreTuning(
    TimeSpan PollInterval,
    TimeSpan IdleTime,
    int MaxConcurrentWorkflows,
    bool EnableIndexes)
{
    /// <summary>
    /// The fair configuration for the peer: as fast as WorkflowCore reasonably gets in memory.
    /// Chosen by measuring 2,000 and 10,000 instances on the bench machine (2 cores):
    /// <list type="bullet">
    /// <item>Poll interval 250 ms (default 10 s). In memory, starts and published events are queued
    /// directly, so the poller is only the safety net that re-queues runnable instances and unprocessed
    /// events; a low interval bounds how long anything that slipped through waits. Going lower costs
    /// throughput: every tick scans all instances and all events in the store's lists, and re-queues
    /// every not-yet-processed event, because <c>PublishEvent</c> does not grey-list what it queued
    /// itself. 50 ms used ~30% more CPU per lifecycle; 1 s and 10 s were within noise of 250 ms.</item>
    /// <item>Idle time 1 ms (default 100 ms). The queue consumers sleep this long whenever their
    /// concurrency limit is reached; 100 ms stalls a busy engine for nothing.</item>
    /// <item>Max concurrent workflows left at its default, max(cores, 4). The in-memory store
    /// serialises on one lock; 2, 8, 16 and 32 measured no better.</item>
    /// <item>Indexing off (default on). No search index is configured (the null index), so the index
    /// consumer only re-reads every persisted instance (a linear scan of the store) and discards it;
    /// turning it off saved ~35% CPU per lifecycle at 10,000 instances.</item>
    /// </list>
    /// Persistence (the default in-memory provider), queue, locks and lifecycle-event hub stay
    /// WorkflowCore's defaults.
    /// </summary>
    public static WorkflowCoreTuning Fair { get; } = new(
        PollInterval: TimeSpan.FromMilliseconds(250),
        IdleTime: TimeSpan.FromMilliseconds(1),
        MaxConcurrentWorkflows: Math.Max(Environment.ProcessorCount, 4),
        EnableIndexes: false);

    public void Apply(WorkflowOptions options)
    {
        options.UsePollInterval(PollInterval);
        options.UseIdleTime(IdleTime);
        options.UseMaxConcurrentWorkflows(MaxConcurrentWorkflows);
        options.EnableIndexes = EnableIndexes;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"poll {PollInterval.TotalMilliseconds} ms, idle {IdleTime.TotalMilliseconds} ms, " +
        $"max {MaxConcurrentWorkflows} concurrent workflows, indexes {(EnableIndexes ? "on" : "off")}");
}

/// <summary>
/// The peer a user would otherwise pick: WorkflowCore in its default in-memory mode
/// (<c>services.AddWorkflow()</c> without a persistence provider) running
/// "step → WaitFor event → step" for N instances. Starts all N, waits until every instance waits
/// for its own event (key = instance index), publishes the N events and waits until all N are
/// complete. Lifecycles per second = N ÷ wall time from the first start to the last completion.
/// </summary>
public static class WorkflowCoreLifecycle
{
    public const string Engine = "WorkflowCore 3.22.0 in-memory";

    /// <summary>Instances of an untimed run on a throw-away host first, so the timed run starts JIT-warm.</summary>
    private const int WarmUpInstances = 200;

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(10);

    public static async Task<LifecycleResult> MeasureAsync(
        int instances, WorkflowCoreTuning? tuning = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(instances);
        tuning ??= WorkflowCoreTuning.Fair;

        await RunOnFreshHostAsync(Math.Min(instances, WarmUpInstances), tuning, cancellationToken);
        return await RunOnFreshHostAsync(instances, tuning, cancellationToken);
    }

    private static async Task<LifecycleResult> RunOnFreshHostAsync(
        int instances, WorkflowCoreTuning tuning, CancellationToken cancellationToken)
    {
        var warnings = new WarningCounter();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(warnings));
        services.AddWorkflow(tuning.Apply);

        await using var provider = services.BuildServiceProvider();
        var host = provider.GetRequiredService<IWorkflowHost>();
        host.RegisterWorkflow<StepWaitStepWorkflow, LifecycleData>();

        var tracker = new LifecycleTracker(instances, FindWaitStepId(host));
        host.OnLifeCycleEvent += tracker.Observe;
        host.OnStepError += tracker.ObserveStepError;

        await host.StartAsync(cancellationToken);
        try
        {
            var stopwatch = Stopwatch.StartNew();

            var workflowIds = new HashSet<string>(instances);
            for (var i = 0; i < instances; i++)
            {
                workflowIds.Add(await host.StartWorkflow(
                    StepWaitStepWorkflow.DefinitionId, new LifecycleData { EventKey = EventKey(i) }));
            }
            await WaitForPhaseAsync(tracker.AllWaiting, "waiting for their event", () => tracker.Waiting, instances, cancellationToken);
            var startToAllWaiting = stopwatch.Elapsed;

            for (var i = 0; i < instances; i++)
            {
                await host.PublishEvent(StepWaitStepWorkflow.EventName, EventKey(i), eventData: i);
            }
            await WaitForPhaseAsync(tracker.AllComplete, "complete", () => tracker.Completed, instances, cancellationToken);
            stopwatch.Stop();

            await VerifyAllCompleteAsync(host, workflowIds);

            var configuration = $"{host.PersistenceStore.GetType().Name}; {tuning}";
            return new LifecycleResult(
                Engine,
                configuration,
                instances,
                stopwatch.Elapsed,
                startToAllWaiting,
                stopwatch.Elapsed - startToAllWaiting,
                warnings.Count,
                warnings.First);
        }
        finally
        {
            host.OnLifeCycleEvent -= tracker.Observe;
            host.OnStepError -= tracker.ObserveStepError;
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static string EventKey(int instanceIndex) => instanceIndex.ToString(CultureInfo.InvariantCulture);

    private static int FindWaitStepId(IWorkflowHost host)
    {
        var definition = host.Registry.GetDefinition(StepWaitStepWorkflow.DefinitionId, StepWaitStepWorkflow.DefinitionVersion);
        return definition.Steps.Single(step => step.BodyType == typeof(WaitFor)).Id;
    }

    private static async Task WaitForPhaseAsync(
        Task phase, string state, Func<int> progress, int instances, CancellationToken cancellationToken)
    {
        try
        {
            await phase.WaitAsync(PhaseTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"{Engine}: only {progress()} of {instances} instances were {state} after {PhaseTimeout.TotalMinutes} minutes.");
        }
    }

    /// <summary>Cross-checks the lifecycle events against the store (outside the timed region).</summary>
    private static async Task VerifyAllCompleteAsync(IWorkflowHost host, HashSet<string> workflowIds)
    {
        var stored = (await host.PersistenceStore.GetWorkflowInstances(workflowIds, CancellationToken.None)).ToList();
        var complete = stored.Count(workflow => workflow.Status == WorkflowStatus.Complete);
        if (complete != workflowIds.Count)
        {
            throw new InvalidOperationException(
                $"{Engine}: {complete} of {workflowIds.Count} started instances are Complete in the store.");
        }
    }

    public sealed class LifecycleData
    {
        public string EventKey { get; set; } = "";
    }

    /// <summary>step → WaitFor(event, key = instance index) → step. Both steps are trivial inline steps.</summary>
    public sealed class StepWaitStepWorkflow : IWorkflow<LifecycleData>
    {
        public const string DefinitionId = "bench-step-wait-step";
        public const int DefinitionVersion = 1;
        public const string EventName = "bench-go";

        public string Id => DefinitionId;

        public int Version => DefinitionVersion;

        public void Build(IWorkflowBuilder<LifecycleData> builder) => builder
            .StartWith(_ => ExecutionResult.Next())
            .WaitFor(EventName, data => data.EventKey)
            .Then(_ => ExecutionResult.Next());
    }

    /// <summary>
    /// Follows progress through WorkflowCore's own lifecycle events (published by default anyway),
    /// so observing costs the engine nothing extra.
    /// <para>
    /// "Waiting" = the WaitFor step has started. WorkflowCore persists the event subscription in the
    /// same consumer pass, right after the step body ran. Even if an event were published inside that
    /// window it would not be lost: a WaitFor without an effective date subscribes as of
    /// <see cref="DateTime.MinValue"/>, and the workflow consumer re-queues matching events that were
    /// published before the subscription was stored.
    /// </para>
    /// <para>
    /// The WaitFor step reports StepStarted a second time when it resumes after its event; that can
    /// only happen after all N have been counted and the events are published, so it is ignored.
    /// </para>
    /// </summary>
    private sealed class LifecycleTracker(int instances, int waitStepId)
    {
        private readonly TaskCompletionSource allWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource allComplete = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int waiting;
        private int completed;

        public Task AllWaiting => allWaiting.Task;

        public Task AllComplete => allComplete.Task;

        public int Waiting => Volatile.Read(ref waiting);

        public int Completed => Volatile.Read(ref completed);

        public void Observe(LifeCycleEvent lifeCycleEvent)
        {
            switch (lifeCycleEvent)
            {
                case StepStarted started when started.StepId == waitStepId && !allWaiting.Task.IsCompleted:
                    if (Interlocked.Increment(ref waiting) == instances)
                    {
                        allWaiting.TrySetResult();
                    }
                    break;

                case WorkflowCompleted:
                    if (Interlocked.Increment(ref completed) == instances)
                    {
                        allComplete.TrySetResult();
                    }
                    break;
            }
        }

        public void ObserveStepError(WorkflowInstance workflow, WorkflowStep step, Exception exception)
        {
            var error = new InvalidOperationException(
                $"{Engine}: step {step.Id} of instance {workflow.Id} failed: {exception.Message}", exception);
            allWaiting.TrySetException(error);
            allComplete.TrySetException(error);
        }
    }

    /// <summary>
    /// Logging sink for the engine: nothing is printed (the minimum level is Warning anyway), but
    /// warnings and errors are counted so a run that only looked fast because the engine was
    /// failing does not go unnoticed.
    /// </summary>
    private sealed class WarningCounter : ILoggerProvider
    {
        private int count;
        private string? first;

        public int Count => Volatile.Read(ref count);

        public string? First => Volatile.Read(ref first);

        public ILogger CreateLogger(string categoryName) => new CountingLogger(this, categoryName);

        public void Dispose()
        {
        }

        private void Record(string message)
        {
            Interlocked.Increment(ref count);
            Interlocked.CompareExchange(ref first, message, null);
        }

        private sealed class CountingLogger(WarningCounter owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner.Record($"{logLevel} {category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
