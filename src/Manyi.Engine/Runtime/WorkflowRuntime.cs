using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Stores;
using Microsoft.Extensions.Logging;

namespace Manyi.Engine.Runtime;

public sealed record StartOptions
{
    public string? CorrelationId { get; init; }
    public Dictionary<string, JsonNode?> Input { get; init; } = [];

    /// <summary>Start at this activity instead of the default start (used when a trigger starts the run).</summary>
    public string? StartActivityId { get; init; }

    /// <summary>A chosen id (a dispatched child's, known to its parent before it starts); a new one otherwise.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The instance that dispatched this one and waits for it to end.</summary>
    public string? ParentInstanceId { get; init; }
}

/// <summary>What a stimulus did: the instances it resumed and started, or that it was queued for a bookmark to come.</summary>
public sealed record StimulusResult(IReadOnlyList<WorkflowInstance> Resumed, IReadOnlyList<WorkflowInstance> Started, bool Queued);

/// <summary>The runtime's settings; bindable (the web host binds <c>Manyi:Runtime</c>) and checked with <see cref="Problems"/>.</summary>
public sealed record RuntimeOptions
{
    public const string Section = "Manyi:Runtime";

    /// <summary>How long a stimulus that matched nothing waits for a bookmark to appear.</summary>
    public TimeSpan QueuedStimulusLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a burst is retried after another burst saved the same instance first.</summary>
    public int MaxConcurrencyRetries { get; init; } = 50;

    /// <summary>What is wrong with these settings, each naming its setting; empty when they can work.</summary>
    public IEnumerable<string> Problems()
    {
        if (QueuedStimulusLifetime < TimeSpan.Zero) yield return $"{Section}:QueuedStimulusLifetime must not be negative ({QueuedStimulusLifetime}).";
        if (MaxConcurrencyRetries < 0) yield return $"{Section}:MaxConcurrencyRetries must not be negative ({MaxConcurrencyRetries}).";
    }
}

/// <summary>
/// Starts and resumes workflow instances. Each call loads the instance, runs one burst and commits it in one
/// transaction through <see cref="IWorkflowStore"/>. Bursts of one instance are serialised in this process by a
/// lock and across processes by the store's revision check, with a retry on conflict.
/// </summary>
public sealed partial class WorkflowRuntime(
    IWorkflowStore store,
    WorkflowGraphCache graphs,
    ExpressionEvaluator evaluator,
    IServiceProvider services,
    TimeProvider time,
    RuntimeOptions options,
    ITimerScheduler timers,
    IEmailDispatcher emails,
    Activities.Composition.WorkflowActivityCatalog workflowActivities,
    ILogger<WorkflowRuntime> logger)
{
    /// <summary>
    /// Loads the workflows a definition uses as activities (to any depth) from the store, so that it compiles; call
    /// before validating a definition that may use some.
    /// </summary>
    public Task LoadWorkflowActivitiesAsync(WorkflowDefinition definition, CancellationToken cancellationToken) =>
        workflowActivities.LoadReferencesAsync(definition, store, cancellationToken);

    private static readonly SemaphoreSlim[] InstanceLocks = Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<WorkflowInstance> StartAsync(string definitionId, StartOptions start, CancellationToken cancellationToken)
    {
        var definition = await store.FindPublishedDefinitionAsync(definitionId, cancellationToken)
            ?? throw new WorkflowNotFoundException($"Workflow definition '{definitionId}' has no published version.");
        return await StartAsync(definition, start, cancellationToken);
    }

    public async Task<WorkflowInstance> StartAsync(WorkflowDefinition definition, StartOptions start, CancellationToken cancellationToken)
        => (await StartCoreAsync(definition, start, null, cancellationToken)).Instance;

    /// <summary>The single entry point for everything that happens outside an instance.</summary>
    public async Task<StimulusResult> SendStimulusAsync(Stimulus stimulus, CancellationToken cancellationToken)
    {
        var resumed = new List<WorkflowInstance>();
        foreach (var instanceId in await store.FindInstancesWithBookmarksAsync(stimulus, cancellationToken))
            if (await ResumeAsync(instanceId, stimulus, cancellationToken) is { } instance)
                resumed.Add(instance);

        var started = new List<WorkflowInstance>();
        if (stimulus.MayStart)
        {
            foreach (var trigger in await store.FindTriggersAsync(stimulus.Name, stimulus.Key, cancellationToken))
            {
                var definition = await store.FindDefinitionVersionAsync(trigger.DefinitionVersionId, cancellationToken);
                if (definition is null) continue;
                var start = new StartOptions { CorrelationId = stimulus.CorrelationId, Input = stimulus.Input, StartActivityId = trigger.ActivityId };
                started.Add((await StartCoreAsync(definition, start, stimulus, cancellationToken)).Instance);
            }
        }

        var queued = false;
        if (resumed.Count == 0 && started.Count == 0 && stimulus.BookmarkId is null && stimulus.QueueIfUnmatched)
        {
            await store.QueueStimulusAsync(stimulus, time.GetUtcNow() + options.QueuedStimulusLifetime, cancellationToken);
            queued = true;
        }
        return new StimulusResult(resumed, started, queued);
    }

    /// <summary>
    /// Starts one workflow through one of its triggers with this stimulus, without resuming any bookmark: for a caller
    /// that has chosen the trigger itself (an HTTP request, where a trigger takes precedence over waiting instances).
    /// </summary>
    public async Task<WorkflowInstance> StartByTriggerAsync(StoredTrigger trigger, Stimulus stimulus, CancellationToken cancellationToken)
    {
        var definition = await store.FindDefinitionVersionAsync(trigger.DefinitionVersionId, cancellationToken)
            ?? throw new WorkflowNotFoundException($"Definition version '{trigger.DefinitionVersionId}' is missing.");
        var start = new StartOptions { CorrelationId = stimulus.CorrelationId, Input = stimulus.Input, StartActivityId = trigger.ActivityId };
        return (await StartCoreAsync(definition, start, stimulus, cancellationToken)).Instance;
    }

    public Task<WorkflowInstance> CancelAsync(string instanceId, CancellationToken cancellationToken) =>
        UpdateAsync(instanceId, (instance, burst) =>
        {
            if (instance.IsEnded)
                throw new WorkflowStateException($"Workflow instance '{instanceId}' is already {instance.Status} and cannot be cancelled.");
            foreach (var bookmark in instance.Bookmarks.ToList())
            {
                instance.Bookmarks.Remove(bookmark);
                burst.Result.RemovedBookmarks.Add(bookmark);
            }
            instance.State.Queue.Clear();
            instance.State.Contexts.Clear();
            instance.State.BookmarkOwners.Clear();
            instance.Status = WorkflowStatus.Cancelled;
            instance.FinishedAt = burst.Now;
            instance.UpdatedAt = burst.Now;
            burst.Result.EndedChildOf = instance.State.ParentInstanceId;
            burst.Journal(null, JournalEvent.WorkflowCancelled);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>Resolves an incident and runs the faulted activity again.</summary>
    public Task<WorkflowInstance> RetryAsync(string instanceId, string incidentId, CancellationToken cancellationToken) =>
        UpdateAsync(instanceId, async (instance, burst) =>
        {
            var incident = instance.Incidents.FirstOrDefault(i => i.Id == incidentId)
                ?? throw new WorkflowNotFoundException($"Workflow instance '{instanceId}' has no incident '{incidentId}'.");
            if (instance.IsEnded)
                throw new WorkflowStateException($"Workflow instance '{instanceId}' is {instance.Status}; its incidents can no longer be retried.");
            if (incident.ResolvedAt is not null)
                throw new WorkflowStateException($"Incident '{incidentId}' was already resolved at {incident.ResolvedAt:O}.");
            var resolved = incident with { ResolvedAt = burst.Now };
            instance.Incidents[instance.Incidents.IndexOf(incident)] = resolved;
            burst.Result.ResolvedIncidents.Add(resolved);
            // On the faulted activity's line, so that the journal names it as it names every activity.
            burst.Journal(burst.Graph.Nodes.GetValueOrDefault(incident.ActivityId)?.Node, JournalEvent.Retried, new JournalMessage(JournalKeys.IncidentRetried));
            if (instance.Status == WorkflowStatus.Faulted && instance.Incidents.All(i => i.ResolvedAt is not null))
            {
                instance.Status = WorkflowStatus.Running;
                await burst.RunAsync();
            }
        }, cancellationToken);

    /// <summary>
    /// Moves the deadline of a waiting activity of one instance: its deadline and reminder timers are replaced by
    /// ones for the new deadline (jobs move with them after the commit), and the journal records who and why.
    /// </summary>
    public Task<WorkflowInstance> ExtendDeadlineAsync(string instanceId, string activityId, DateTimeOffset deadline, string by, string reason,
        CancellationToken cancellationToken) =>
        UpdateAsync(instanceId, (instance, burst) =>
        {
            // A flagged-overdue activity has no deadline timer left, but may still get a new deadline.
            var (node, waiting) = Waiting(instance, burst, activityId);
            var timers = instance.Bookmarks.Where(b => b.ActivityId == activityId
                && b.Name is Activities.Waiting.WaitingActivity.DeadlineBookmark or Activities.Waiting.WaitingActivity.ReminderBookmark).ToList();
            if (deadline <= burst.Now)
                throw new WorkflowStateException($"The new deadline {deadline:O} has already passed.");
            var context = new ActivityContext(burst, node);
            burst.ReplaceTimers(node, timers, waiting.Timers(context, deadline));
            // In the activity's own context (its tasks' bookmarks name it), where it keeps what it tracks while waiting.
            var own = instance.Bookmarks.Where(b => b.ActivityId == activityId)
                .Select(b => instance.State.BookmarkOwners.GetValueOrDefault(b.Id) is { } owner ? instance.State.FindContext(owner) : null)
                .FirstOrDefault(c => c is not null);
            waiting.OnDeadlineMoved(own is null ? context : new ActivityContext(burst, node, own), deadline);
            burst.Journal(node.Node, JournalEvent.Message, new JournalMessage(JournalKeys.DeadlineMoved, new JsonObject
            {
                ["deadline"] = deadline.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["by"] = by, ["reason"] = reason,
            }));
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// Replaces the reminder ladder of a waiting activity of one instance: the pending reminder is recomputed for the
    /// current deadline under the new ladder (steps already past are not sent late), and the journal records who and why.
    /// </summary>
    public Task<WorkflowInstance> ChangeRemindersAsync(string instanceId, string activityId, Calendar.ReminderLadder ladder, string by, string reason,
        CancellationToken cancellationToken) =>
        UpdateAsync(instanceId, (instance, burst) =>
        {
            var (node, waiting) = Waiting(instance, burst, activityId);
            instance.State.ReminderLadders[activityId] = ladder;
            var reminders = instance.Bookmarks.Where(b => b.ActivityId == activityId && b.Name == Activities.Waiting.WaitingActivity.ReminderBookmark).ToList();
            // A flagged-overdue activity has no deadline timer left; its pending reminder still knows the deadline.
            var deadline = instance.Bookmarks
                .Where(b => b.ActivityId == activityId && b.Name is Activities.Waiting.WaitingActivity.DeadlineBookmark or Activities.Waiting.WaitingActivity.ReminderBookmark)
                .Select(b => b.Payload?["deadline"]?.GetValue<string>()).FirstOrDefault(d => d is not null);
            var next = deadline is null ? null
                : waiting.ReminderFor(new ActivityContext(burst, node), DateTimeOffset.Parse(deadline, System.Globalization.CultureInfo.InvariantCulture));
            burst.ReplaceTimers(node, reminders, next is null ? [] : [next]);
            burst.Journal(node.Node, JournalEvent.Message, new JournalMessage(JournalKeys.RemindersChanged, new JsonObject { ["by"] = by, ["reason"] = reason }));
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>A waiting activity of the instance that is waiting now (has a bookmark), for an administrator's change.</summary>
    private static (GraphNode Node, Activities.Waiting.WaitingActivity Activity) Waiting(WorkflowInstance instance, Burst burst, string activityId)
    {
        if (!burst.Graph.Nodes.TryGetValue(activityId, out var node) || node.Activity is not Activities.Waiting.WaitingActivity waiting)
            throw new WorkflowNotFoundException($"Workflow instance '{instance.Id}' has no waiting activity '{activityId}'.");
        if (!instance.Bookmarks.Any(b => b.ActivityId == activityId))
            throw new WorkflowStateException($"Activity '{activityId}' of workflow instance '{instance.Id}' is not waiting.");
        return (node, waiting);
    }

    /// <summary>
    /// Starts the workflows whose timer triggers are due (Timer, Cron, StartAt with canStartWorkflow). Each firing is
    /// claimed by moving the trigger to its next instant first, so two nodes never start the same firing twice.
    /// </summary>
    public async Task<int> FireDueTriggersAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        var now = time.GetUtcNow();
        foreach (var trigger in await store.FindDueTriggersAsync(now, 1_000, cancellationToken))
        {
            var definition = await store.FindDefinitionVersionAsync(trigger.DefinitionVersionId, cancellationToken);
            if (definition is null) continue;
            await LoadWorkflowActivitiesAsync(definition, cancellationToken);
            var next = (await TriggerAsync(definition, graphs.Get(definition).Nodes[trigger.ActivityId], cancellationToken)).ResumeAt;
            if (!await store.AdvanceTriggerAsync(trigger, next > now ? next : null, cancellationToken)) continue;
            var stimulus = new Stimulus(trigger.Name, trigger.Key);
            await StartCoreAsync(definition, new StartOptions { StartActivityId = trigger.ActivityId }, stimulus, cancellationToken);
            started++;
        }
        return started;
    }

    /// <summary>The triggers a published definition registers: its start activities that a stimulus can start.</summary>
    public async Task<IReadOnlyList<StoredTrigger>> GetTriggersAsync(WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        await LoadWorkflowActivitiesAsync(definition, cancellationToken);
        var triggers = new List<StoredTrigger>();
        var graph = graphs.Get(definition);
        foreach (var node in graph.Nodes.Values.Where(n => n.Node.CanStartWorkflow && n.Activity is ITriggerActivity))
        {
            BookmarkRequest request;
            try
            {
                request = await TriggerAsync(definition, node, cancellationToken);
            }
            catch (ExpressionException ex)
            {
                // A trigger is worked out when the workflow is published, before any instance exists: an expression
                // that cannot be evaluated then (an unknown function, a variable not set yet) is the file's problem.
                throw new Validation.WorkflowValidationException([new Validation.ValidationProblem(Validation.Severity.Error,
                    $"the start trigger cannot be worked out when the workflow is published: {ex.Message}", node.Node.Id, node.Node.Type)
                    { Path = graph.PathOf(node.Node.Id) }]);
            }
            triggers.Add(new StoredTrigger(definition.DefinitionId, definition.Id, node.Node.Id, request.Name, request.Key, request.ResumeAt));
        }
        return triggers;
    }

    /// <summary>What a trigger activity waits for as of now, evaluated against an empty, unsaved instance.</summary>
    private ValueTask<BookmarkRequest> TriggerAsync(WorkflowDefinition definition, GraphNode node, CancellationToken cancellationToken)
    {
        var probe = new Burst(graphs.Get(definition), NewInstance(definition, new StartOptions()), evaluator, services, time.GetUtcNow(), true, cancellationToken);
        return ((ITriggerActivity)node.Activity).GetTriggerAsync(new ActivityContext(probe, node));
    }

    private async Task<(WorkflowInstance Instance, BurstResult Result)> StartCoreAsync(
        WorkflowDefinition definition, StartOptions start, Stimulus? trigger, CancellationToken cancellationToken)
    {
        await LoadWorkflowActivitiesAsync(definition, cancellationToken);
        var graph = graphs.Get(definition);
        var instance = NewInstance(definition, start);
        using var telemetry = WorkflowTelemetry.Burst("start", instance.Id, definition.DefinitionId, logger);
        instance.State.StartActivityId = start.StartActivityId ?? graph.DefaultStartId;
        var burst = new Burst(graph, instance, evaluator, services, instance.CreatedAt, true, cancellationToken);
        if (trigger is not null) burst.PendingTrigger = (instance.State.StartActivityId!, trigger);
        burst.Journal(null, JournalEvent.WorkflowStarted, new JournalMessage(JournalKeys.Started, new JsonObject { ["version"] = definition.Version }));
        burst.ScheduleRoot();
        await burst.RunAsync();
        await store.SaveAsync(instance, burst.Result, cancellationToken);
        telemetry.Committed(instance);
        await AfterCommitAsync(instance, burst.Result);
        return (await DeliverQueuedStimuliAsync(instance, burst.Result, cancellationToken), burst.Result);
    }

    private WorkflowInstance NewInstance(WorkflowDefinition definition, StartOptions start) => NewInstance(definition, start, time.GetUtcNow());

    /// <summary>A new, unsaved instance of the version: its variables at their initial values, the start's input.</summary>
    internal static WorkflowInstance NewInstance(WorkflowDefinition definition, StartOptions start, DateTimeOffset now)
    {
        var instance = new WorkflowInstance
        {
            Id = start.InstanceId ?? Guid.NewGuid().ToString("N"),
            DefinitionId = definition.DefinitionId,
            DefinitionVersionId = definition.Id,
            Version = definition.Version,
            CorrelationId = start.CorrelationId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var variable in definition.Variables)
            instance.State.Variables[variable.Name] = variable.InitialValue();
        foreach (var (key, value) in start.Input)
            instance.State.Input[key] = value?.DeepClone();
        instance.State.ParentInstanceId = start.ParentInstanceId;
        return instance;
    }

    /// <summary>
    /// Resumes every bookmark of the instance that the stimulus matches, in one burst; null when none does (any
    /// more). Bookmarks that the burst itself creates are not resumed by the same stimulus, so a loop that waits
    /// for an event again does not spin on one event.
    /// </summary>
    private async Task<WorkflowInstance?> ResumeAsync(string instanceId, Stimulus stimulus, CancellationToken cancellationToken)
    {
        var matched = true;
        var instance = await UpdateAsync(instanceId, async (instance, burst) =>
        {
            var bookmarks = instance.Bookmarks.Where(stimulus.Matches).ToList();
            matched = bookmarks.Count > 0 && instance.Status is WorkflowStatus.Suspended or WorkflowStatus.Running;
            if (!matched) return;
            await TakeChildEndsAsync(instance, burst, cancellationToken);
            await burst.ResumeAsync(bookmarks, stimulus);
        }, cancellationToken, saveWhen: () => matched);
        return matched ? instance : null;
    }

    /// <summary>
    /// Resumes the instance's bookmarks for children whose end is recorded, each with its child's report, in the order
    /// they ended: before a deadline or the last child's end goes on, the parent has every result it waited for.
    /// </summary>
    private async Task TakeChildEndsAsync(WorkflowInstance instance, Burst burst, CancellationToken cancellationToken)
    {
        var waits = instance.Bookmarks.Where(b => b.Name == Activities.Composition.DispatchWorkflow.ChildEndedBookmark && b.Key is not null)
            .ToDictionary(b => b.Key!, StringComparer.Ordinal);
        if (waits.Count == 0) return;
        foreach (var end in await store.FindChildEndsAsync(instance.Id, cancellationToken))
            if (waits.TryGetValue(end.ChildInstanceId, out var bookmark))
                await burst.ResumeAsync([bookmark], end.ToStimulus());
    }

    /// <summary>Loads, changes and saves an instance under its lock, retrying from a fresh load on a concurrency conflict.</summary>
    private async Task<WorkflowInstance> UpdateAsync(string instanceId, Func<WorkflowInstance, Burst, Task> change,
        CancellationToken cancellationToken, Func<bool>? saveWhen = null)
    {
        var gate = InstanceLocks[(uint)StringComparer.Ordinal.GetHashCode(instanceId) % InstanceLocks.Length];
        using var telemetry = WorkflowTelemetry.Burst("resume", instanceId, null, logger);
        for (var attempt = 1; ; attempt++)
        {
            await gate.WaitAsync(cancellationToken);
            BurstResult result;
            WorkflowInstance instance;
            try
            {
                instance = await store.FindInstanceAsync(instanceId, cancellationToken)
                    ?? throw new WorkflowNotFoundException($"Workflow instance '{instanceId}' does not exist.");
                var definition = await store.FindDefinitionVersionAsync(instance.DefinitionVersionId, cancellationToken)
                    ?? throw new WorkflowNotFoundException($"Definition version '{instance.DefinitionVersionId}' of instance '{instanceId}' is missing.");
                await LoadWorkflowActivitiesAsync(definition, cancellationToken);
                var burst = new Burst(graphs.Get(definition), instance, evaluator, services, time.GetUtcNow(), false, cancellationToken);
                await change(instance, burst);
                if (saveWhen is not null && !saveWhen()) return instance;
                result = burst.Result;
                await store.SaveAsync(instance, result, cancellationToken);
                telemetry.Committed(instance);
            }
            catch (ConcurrencyConflictException) when (attempt < options.MaxConcurrencyRetries)
            {
                WorkflowTelemetry.Conflict();
                logger.LogDebug("Concurrency conflict on instance {InstanceId}, attempt {Attempt}; retrying.", instanceId, attempt);
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), cancellationToken);
                continue;
            }
            finally
            {
                gate.Release();
            }
            await AfterCommitAsync(instance, result);
            return await DeliverQueuedStimuliAsync(instance, result, cancellationToken);
        }
    }

    /// <summary>
    /// Delivers the queued stimuli that the burst's new bookmarks match. Returns the instance as it stands after them,
    /// so that a caller never sees the state from before a delivery it triggered.
    /// </summary>
    private async Task<WorkflowInstance> DeliverQueuedStimuliAsync(WorkflowInstance instance, BurstResult result, CancellationToken cancellationToken)
    {
        if (result.AddedBookmarks.Count == 0) return instance;
        foreach (var queued in await store.TakeQueuedStimuliAsync(result.AddedBookmarks, time.GetUtcNow(), cancellationToken))
            instance = await ResumeAsync(instance.Id, queued with { WorkflowInstanceId = instance.Id }, cancellationToken) ?? instance;
        return instance;
    }

    /// <summary>
    /// What follows a commit, never precedes it: timers get (or lose) their jobs and e-mails go out. If the process
    /// stops in between, reconciliation finds the timers and the outbox still holds the e-mails.
    /// </summary>
    private async Task AfterCommitAsync(WorkflowInstance instance, BurstResult result)
    {
        // Committed is committed: a caller that gave up (an aborted request) must not leave new timers without jobs.
        var cancellationToken = CancellationToken.None;
        Log(instance);
        if (result.AddedBookmarks.Any(b => b.ResumeAt is not null))
            await timers.ScheduleAsync([.. result.AddedBookmarks.Where(b => b.ResumeAt is not null)], cancellationToken);
        if (result.RemovedBookmarks.Any(b => b.ResumeAt is not null))
            await timers.UnscheduleAsync([.. result.RemovedBookmarks.Where(b => b.ResumeAt is not null)], cancellationToken);
        if (result.Emails.Count > 0)
            await emails.DispatchAsync(result.Emails, cancellationToken);
        // One look-up of the published version for all the children of a dispatch, not one per child.
        var definitions = new Dictionary<string, WorkflowDefinition?>(StringComparer.Ordinal);
        foreach (var child in result.DispatchedChildren)
            await StartChildAsync(child, definitions, cancellationToken);
        if (result.EndedChildOf is { } parentId)
            await NotifyParentAsync(instance, parentId, cancellationToken);
    }

    /// <summary>
    /// Starts a dispatched child under the id its parent's bookmark names, unless it exists already (a second node,
    /// or reconciliation, got there first).
    /// </summary>
    private async Task StartChildAsync(ChildDispatch child, Dictionary<string, WorkflowDefinition?> definitions, CancellationToken cancellationToken)
    {
        if (await store.FindInstanceAsync(child.InstanceId, cancellationToken) is not null) return;
        if (!definitions.TryGetValue(child.DefinitionId, out var definition))
            definitions[child.DefinitionId] = definition = await store.FindPublishedDefinitionAsync(child.DefinitionId, cancellationToken);
        if (definition is null)
        {
            logger.LogError("Instance {ParentId} dispatched '{DefinitionId}', which has no published version; child {ChildId} was not started.",
                child.ParentInstanceId, child.DefinitionId, child.InstanceId);
            return;
        }
        try
        {
            await StartCoreAsync(definition, new StartOptions
            {
                InstanceId = child.InstanceId,
                ParentInstanceId = child.ParentInstanceId,
                CorrelationId = child.CorrelationId,
                Input = child.Input.ToDictionary(p => p.Key, p => p.Value?.DeepClone()),
            }, null, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Started meanwhile by another node: the child exists, which is all that was wanted.
        }
    }

    /// <summary>
    /// Tells the parent that a child it waits for ended: the end is recorded as a row of its own, and only the end that
    /// completes the parent's wait resumes it (once: a second resume finds the bookmarks gone), so that thousands of
    /// children do not load and save their parent once each.
    /// </summary>
    private async Task NotifyParentAsync(WorkflowInstance child, string parentId, CancellationToken cancellationToken)
    {
        var end = ChildEnd.Of(child, parentId, time.GetUtcNow());
        await store.RecordChildEndAsync(end, cancellationToken);
        if (await store.WaitForChildrenOverAsync(parentId, child.Id, Activities.Composition.DispatchWorkflow.ChildEndedBookmark, cancellationToken))
            await SendStimulusAsync(end.ToStimulus(), cancellationToken);
    }

    /// <summary>
    /// Repairs what a crash between a commit and its follow-up may have left: children a parent waits for that were
    /// never started, and ended children whose parent was never told. Bookmark rows are the truth; safe to run on
    /// every node at any time; one query finds the few bookmarks that need it, another the waits that are over but
    /// whose parent was never resumed.
    /// </summary>
    public async Task<int> ReconcileChildrenAsync(CancellationToken cancellationToken)
    {
        var repaired = 0;
        foreach (var bookmark in await store.FindBookmarksOnEndedOrMissingInstancesAsync(Activities.Composition.DispatchWorkflow.ChildEndedBookmark, 1_000, cancellationToken))
        {
            var child = await store.FindInstanceAsync(bookmark.Key!, cancellationToken);
            if (child is null && await store.FindInstanceAsync(bookmark.InstanceId, cancellationToken) is { } parent)
            {
                await StartChildAsync(Activities.Composition.DispatchWorkflow.FromBookmark(parent, bookmark), [], cancellationToken);
                repaired++;
            }
            else if (child is { IsEnded: true })
            {
                await NotifyParentAsync(child, bookmark.InstanceId, cancellationToken);
                repaired++;
            }
        }
        foreach (var bookmark in await store.FindOverWaitsForChildrenAsync(Activities.Composition.DispatchWorkflow.ChildEndedBookmark, 1_000, cancellationToken))
        {
            // Every child's end is recorded, but the parent was not resumed: the last end's notification was lost.
            var end = (await store.FindChildEndsAsync(bookmark.InstanceId, cancellationToken)).First(e => e.ChildInstanceId == bookmark.Key);
            if ((await SendStimulusAsync(end.ToStimulus(), cancellationToken)).Resumed.Count > 0) repaired++;
        }
        return repaired;
    }

    private void Log(WorkflowInstance instance) =>
        logger.LogDebug("Workflow instance {InstanceId} of {DefinitionId} v{Version} is {Status}.",
            instance.Id, instance.DefinitionId, instance.Version, instance.Status);
}

/// <summary>A definition, version, instance or incident that does not exist.</summary>
public sealed class WorkflowNotFoundException(string message) : Exception(message);

/// <summary>An operation the instance's current status does not allow.</summary>
public sealed class WorkflowStateException(string message) : Exception(message);
