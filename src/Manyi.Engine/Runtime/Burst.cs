using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// One execution burst over the instance's tree of activity execution contexts (Elsa's composite model). The
/// scheduler is a work queue of (activity, owner context): each item runs its activity in a new context; a container
/// schedules children into the queue and is called back, within the same step, when a child's context completes, so
/// completion bubbles up through the owners. A bookmark belongs to the context that created it; resuming it resumes
/// that context. Signals travel up (Break to the nearest loop, Complete to the nearest flowchart), cancellation down.
/// The burst runs until the queue is empty (the instance suspends or finishes) or an activity faults.
/// </summary>
internal sealed class Burst
{
    /// <summary>Guards against a loop that never waits.</summary>
    private const int MaxStepsPerBurst = 10_000;

    public Burst(WorkflowGraph graph, WorkflowInstance instance, ExpressionEvaluator evaluator, IServiceProvider services,
        DateTimeOffset now, bool isNewInstance, CancellationToken cancellationToken)
    {
        Graph = graph;
        Instance = instance;
        Evaluator = evaluator;
        Services = services;
        Now = now;
        CancellationToken = cancellationToken;
        Result = new BurstResult { ExpectedRevision = instance.Revision, IsNewInstance = isNewInstance };
        instance.State.StartActivityId ??= graph.DefaultStartId;
        AdoptUpgradedState();
    }

    public WorkflowGraph Graph { get; }
    public WorkflowInstance Instance { get; }
    public ExpressionEvaluator Evaluator { get; }
    public IServiceProvider Services { get; }
    public DateTimeOffset Now { get; }
    public CancellationToken CancellationToken { get; }
    public BurstResult Result { get; }
    public (string ActivityId, Stimulus Stimulus)? PendingTrigger { get; set; }

    private WorkflowState State => Instance.State;

    public void Journal(ActivityNode? node, JournalEvent @event, string? message = null, IReadOnlyList<string>? outcomes = null) =>
        Result.Journal.Add(new JournalEntry(Instance.Id, State.JournalSequence++, Now, node?.Id, node?.Type, node?.Name, @event, message, outcomes));

    /// <summary>A line whose words come from the catalogue: its key and arguments, no text.</summary>
    public void Journal(ActivityNode? node, JournalEvent @event, JournalMessage message) =>
        Result.Journal.Add(new JournalEntry(Instance.Id, State.JournalSequence++, Now, node?.Id, node?.Type, node?.Name, @event,
            MessageKey: message.Key, Arguments: message.Arguments));

    public void Schedule(WorkItem item) => State.Queue.Add(item);

    /// <summary>Schedules the root activity: the start of a run.</summary>
    public void ScheduleRoot() => Schedule(new WorkItem(Graph.Root.Node.Id, null));

    /// <summary>
    /// State upgraded from format 1 names no activity for its root context and no owner for its bookmarks: the root
    /// context is the root activity's, and each waiting activity gets a context under its container's.
    /// </summary>
    private void AdoptUpgradedState()
    {
        foreach (var context in State.Contexts)
            context.ActivityId ??= Graph.Root.Node.Id;
        foreach (var waiting in Instance.Bookmarks.Where(b => !State.BookmarkOwners.ContainsKey(b.Id)).GroupBy(b => b.ActivityId))
        {
            if (!Graph.Nodes.TryGetValue(waiting.Key, out var node)) continue;
            var owner = node.Parent is { } parent ? State.Contexts.Find(c => c.ActivityId == parent.Node.Id) : null;
            var context = NewContext(node, owner?.Id, null);
            foreach (var bookmark in waiting) State.BookmarkOwners[bookmark.Id] = context.Id;
        }
    }

    private ExecutionContextState NewContext(GraphNode node, string? ownerId, JsonNode? tag)
    {
        var context = new ExecutionContextState
        {
            Id = ownerId is null ? WorkflowState.RootContextId : (State.NextContextId++).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ActivityId = node.Node.Id,
            ParentId = ownerId,
            Tag = tag,
        };
        State.Contexts.Add(context);
        return context;
    }

    /// <summary>
    /// Resumes each of these bookmarks in turn, running the work each one releases before the next; a bookmark that
    /// this work removed (a wait-any join, a Finish) is skipped.
    /// </summary>
    public async Task ResumeAsync(IReadOnlyList<Bookmark> bookmarks, Stimulus stimulus)
    {
        Instance.Status = WorkflowStatus.Running;
        var steps = 0;
        foreach (var bookmark in bookmarks)
        {
            if (Instance.Status != WorkflowStatus.Running || !Instance.Bookmarks.Contains(bookmark)) continue;
            var context = State.BookmarkOwners.TryGetValue(bookmark.Id, out var ownerId) ? State.FindContext(ownerId) : null;
            RemoveBookmark(bookmark);
            if (context is null || !Graph.Nodes.TryGetValue(bookmark.ActivityId, out var node)) continue;
            Journal(node.Node, JournalEvent.Resumed);
            await StepAsync(node, context, c => node.Activity.ResumeAsync(c, new ResumeContext(bookmark, stimulus)));
            steps = await RunQueueAsync(steps);
        }
        Settle();
    }

    /// <summary>Runs the queue until it is empty or an activity faults, then settles the instance's status.</summary>
    public async Task RunAsync()
    {
        await RunQueueAsync(0);
        Settle();
    }

    /// <summary>Runs scheduled work; returns the steps taken so far in this burst, for the loop guard.</summary>
    private async Task<int> RunQueueAsync(int steps)
    {
        while (State.Queue.Count > 0 && Instance.Status == WorkflowStatus.Running)
        {
            if (++steps > MaxStepsPerBurst)
            {
                // The looping activity stays at the head of the queue, so a retry resumes the loop where it stopped.
                // The instance faults whatever the incident strategy: continuing would only spin again.
                RecordIncident(Graph.Nodes[State.Queue[0].ActivityId], new InvalidOperationException(
                    $"The workflow ran {MaxStepsPerBurst} activities without waiting; a loop without a wait is suspected."));
                Instance.Status = WorkflowStatus.Faulted;
                break;
            }
            var item = State.Queue[0];
            State.Queue.RemoveAt(0);
            if (item.Completed is { } outcomes)
            {
                // A completion whose delivery faulted before: delivered again.
                await NotifyOwnerAsync(item.OwnerId, new ChildCompletion(item.ActivityId, outcomes, item.Tag), ended: false);
                continue;
            }
            var node = Graph.Nodes[item.ActivityId];
            var context = NewContext(node, item.OwnerId, item.Tag);
            context.Variables = item.Variables;
            // A new execution starts with no outputs: what an earlier run of the activity left (a loop's previous
            // round) must not read as this run's (a task's results of the round before, its outcome with them).
            new ActivityContext(this, node, context).ForgetOutputs();
            await StepAsync(node, context, c => node.Activity.ExecuteAsync(c));
        }
        return steps;
    }

    private async Task StepAsync(GraphNode node, ExecutionContextState context, Func<ActivityContext, ValueTask<ActivityStep>> step)
    {
        ActivityStep result;
        try
        {
            result = await step(new ActivityContext(this, node, context));
            if (result is ActivityStep.Suspended { Bookmarks: var requests } && requests.FirstOrDefault(r => r.Key?.Length > Bookmark.MaxKeyLength) is { } tooLong)
                throw new InvalidOperationException(
                    $"The bookmark key (e.g. an event name) has {tooLong.Key!.Length} characters; at most {Bookmark.MaxKeyLength} are allowed.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !CancellationToken.IsCancellationRequested)
        {
            var incident = RecordIncident(node, ex);
            if (Graph.Definition.IncidentStrategy == IncidentStrategy.Continue)
            {
                Journal(node.Node, JournalEvent.Message, new JournalMessage(JournalKeys.ContinuedAfterIncident));
                await CompleteAsync(node, context, [], journal: false);
            }
            else
            {
                // The faulted activity goes back to the head of the queue, for its owner, so that a retry runs it again.
                CancelChildren(context);
                if (!OwnsBookmarks(context)) State.Contexts.Remove(context);
                State.Queue.Insert(0, new WorkItem(node.Node.Id, context.ParentId, context.Tag) { Variables = context.Variables });
                Instance.Status = WorkflowStatus.Faulted;
            }
            return;
        }
        finally
        {
            if (PendingTrigger?.ActivityId == node.Node.Id) PendingTrigger = null;
        }
        await ApplyAsync(node, context, result);
    }

    /// <summary>Carries out what an activity's step (or a container's callback) returned.</summary>
    private async Task ApplyAsync(GraphNode node, ExecutionContextState context, ActivityStep result)
    {
        switch (result)
        {
            case ActivityStep.Completed completed:
                await CompleteAsync(node, context, completed.Outcomes);
                break;
            case ActivityStep.Suspended suspended:
                foreach (var request in suspended.Bookmarks)
                    AddBookmark(node, context, request);
                if (suspended.Bookmarks.Count > 0)
                    Journal(node.Node, JournalEvent.Suspended, string.Join(", ", suspended.Bookmarks.Select(b => b.Key is null ? b.Name : $"{b.Name}:{b.Key}")));
                // Waiting on nothing at all, the activity's branch ends here.
                if (!OwnsBookmarks(context) && !HasPendingChildren(context.Id))
                    await EndAsync(context);
                break;
            case ActivityStep.FinishedWorkflow:
                Journal(node.Node, JournalEvent.Executed);
                State.Queue.Clear();
                State.Contexts.Clear();
                foreach (var bookmark in Instance.Bookmarks.ToList()) RemoveBookmark(bookmark);
                break;
            case ActivityStep.Signalled { Signal: var signal }:
                Journal(node.Node, JournalEvent.Executed);
                await SignalAsync(context, signal);
                break;
        }
    }

    /// <summary>
    /// A context completes with outcomes: what still runs under it is cancelled, its leftover bookmarks (a deadline,
    /// reminders) go, and its owner is called back. The root's completion is the workflow's end.
    /// </summary>
    private async Task CompleteAsync(GraphNode node, ExecutionContextState context, IReadOnlyList<string> outcomes, bool journal = true)
    {
        CancelChildren(context);
        RemoveBookmarksOf(context);
        // The root container's completion is the workflow's: WorkflowFinished says it.
        if (journal && context.ParentId is not null) Journal(node.Node, JournalEvent.Executed, outcomes: outcomes);
        State.Contexts.Remove(context);
        if (context.ParentId is not null)
            await NotifyOwnerAsync(context.ParentId, new ChildCompletion(node.Node.Id, outcomes, context.Tag), ended: false);
    }

    /// <summary>A context ends without completing (nothing to wait on, no outcome): its owner is told.</summary>
    private async Task EndAsync(ExecutionContextState context)
    {
        CancelChildren(context);
        RemoveBookmarksOf(context);
        State.Contexts.Remove(context);
        if (context.ParentId is not null)
            await NotifyOwnerAsync(context.ParentId, new ChildCompletion(context.ActivityId!, [], context.Tag), ended: true);
    }

    /// <summary>Calls the owning container back about a child; a fault there is the container's incident.</summary>
    private async Task NotifyOwnerAsync(string? ownerId, ChildCompletion child, bool ended)
    {
        if (ownerId is null || State.FindContext(ownerId) is not { } owner) return;
        var node = Graph.Nodes[owner.ActivityId!];
        if (node.Activity is not ContainerActivity container) return;
        ActivityStep step;
        try
        {
            var context = new ActivityContext(this, node, owner);
            step = ended ? await container.OnChildEndedAsync(context, child) : await container.OnChildCompletedAsync(context, child);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !CancellationToken.IsCancellationRequested)
        {
            var incident = RecordIncident(node, ex);
            if (Graph.Definition.IncidentStrategy == IncidentStrategy.Continue)
            {
                Journal(node.Node, JournalEvent.Message, new JournalMessage(JournalKeys.ContinuedAfterIncident));
                await CompleteAsync(node, owner, [], journal: false);
            }
            else
            {
                // A retry delivers the completion again.
                if (!ended) State.Queue.Insert(0, new WorkItem(child.ActivityId, ownerId, child.Tag, child.Outcomes));
                Instance.Status = WorkflowStatus.Faulted;
            }
            return;
        }
        await ApplyAsync(node, owner, step);
    }

    /// <summary>
    /// Sends a signal up from a context that completed with it: the nearest container that receives it is called
    /// (everything under it cancelled first). A Complete that no flowchart receives completes the workflow's root;
    /// a Break outside any loop just ends its branch.
    /// </summary>
    private async Task SignalAsync(ExecutionContextState sender, ActivitySignal signal)
    {
        for (var owner = sender.ParentId is null ? null : State.FindContext(sender.ParentId); owner is not null;
             owner = owner.ParentId is null ? null : State.FindContext(owner.ParentId))
        {
            var node = Graph.Nodes[owner.ActivityId!];
            if (node.Activity is not ContainerActivity container || !container.Receives(signal)) continue;
            CancelChildren(owner);
            await ApplyAsync(node, owner, await container.OnSignalAsync(new ActivityContext(this, node, owner), signal));
            return;
        }
        if (signal.Name == ActivitySignal.Complete && State.FindContext(WorkflowState.RootContextId) is { } root && root != sender)
        {
            await CompleteAsync(Graph.Nodes[root.ActivityId!], root, signal.Outcomes);
            return;
        }
        await EndAsync(sender);
    }

    private Incident RecordIncident(GraphNode node, Exception ex)
    {
        var incident = new Incident(Guid.NewGuid().ToString("N"), node.Node.Id, node.Node.Type, ex.Message, ex.GetType().FullName, Now);
        Instance.Incidents.Add(incident);
        Result.AddedIncidents.Add(incident);
        Journal(node.Node, JournalEvent.Faulted, ex.Message);
        return incident;
    }

    private void Settle()
    {
        Instance.UpdatedAt = Now;
        if (Instance.Status == WorkflowStatus.Faulted)
        {
            Journal(null, JournalEvent.WorkflowFaulted);
            return;
        }
        if (Instance.Status != WorkflowStatus.Running) return;
        if (Instance.Bookmarks.Count > 0)
        {
            Instance.Status = WorkflowStatus.Suspended;
            return;
        }
        Instance.Status = WorkflowStatus.Finished;
        Instance.FinishedAt = Now;
        Result.EndedChildOf = State.ParentInstanceId;
        State.Contexts.Clear();
        State.BookmarkOwners.Clear();
        Journal(null, JournalEvent.WorkflowFinished);
    }

    /// <summary>Replaces some of a waiting activity's bookmarks outside a step (a moved deadline); the new ones join its context.</summary>
    public void ReplaceTimers(GraphNode node, IEnumerable<Bookmark> old, IEnumerable<BookmarkRequest> replacements)
    {
        var context = Instance.Bookmarks.Where(b => b.ActivityId == node.Node.Id)
            .Select(b => State.BookmarkOwners.TryGetValue(b.Id, out var id) ? State.FindContext(id) : null)
            .FirstOrDefault(c => c is not null)
            ?? throw new WorkflowStateException($"Activity '{node.Node.Id}' is not waiting.");
        foreach (var bookmark in old) RemoveBookmark(bookmark);
        foreach (var request in replacements) AddBookmark(node, context, request);
    }

    private void AddBookmark(GraphNode node, ExecutionContextState context, BookmarkRequest request)
    {
        var bookmark = new Bookmark(Guid.NewGuid().ToString("N"), Instance.Id, node.Node.Id, request.Name, request.Key,
            Instance.CorrelationId, Now, request.ResumeAt, request.Payload);
        Instance.Bookmarks.Add(bookmark);
        State.BookmarkOwners[bookmark.Id] = context.Id;
        Result.AddedBookmarks.Add(bookmark);
    }

    private void RemoveBookmark(Bookmark bookmark)
    {
        Instance.Bookmarks.Remove(bookmark);
        State.BookmarkOwners.Remove(bookmark.Id);
        // A bookmark created and consumed within one burst never reaches the store.
        if (!Result.AddedBookmarks.Remove(bookmark))
            Result.RemovedBookmarks.Add(bookmark);
    }

    private bool OwnsBookmarks(ExecutionContextState context) => State.BookmarkOwners.ContainsValue(context.Id);

    private void RemoveBookmarksOf(ExecutionContextState context, JournalMessage? journalMessage = null)
    {
        if (!OwnsBookmarks(context)) return;
        foreach (var bookmark in Instance.Bookmarks.Where(b => State.BookmarkOwners.GetValueOrDefault(b.Id) == context.Id).ToList())
        {
            RemoveBookmark(bookmark);
            if (journalMessage is not null && Graph.Nodes.TryGetValue(bookmark.ActivityId, out var node))
                Journal(node.Node, JournalEvent.Message, journalMessage);
        }
    }

    /// <summary>Whether anything is scheduled for, or still alive under, the context.</summary>
    public bool HasPendingChildren(string contextId) =>
        State.Queue.Exists(i => i.OwnerId == contextId) || State.Contexts.Exists(c => c.ParentId == contextId);

    /// <summary>The live child contexts of a context.</summary>
    public IEnumerable<ExecutionContextState> ChildrenOf(string contextId) => State.Contexts.Where(c => c.ParentId == contextId);

    /// <summary>Cancels everything under a context: its scheduled work, its child contexts to any depth, their bookmarks.</summary>
    public void CancelChildren(ExecutionContextState context)
    {
        State.Queue.RemoveAll(i => i.OwnerId == context.Id);
        foreach (var child in ChildrenOf(context.Id).ToList())
            Cancel(child, null);
    }

    /// <summary>Cancels one context and everything under it; each bookmark removed is journalled with the reason, if given.</summary>
    public void Cancel(ExecutionContextState context, JournalMessage? reason)
    {
        State.Queue.RemoveAll(i => i.OwnerId == context.Id);
        foreach (var child in ChildrenOf(context.Id).ToList())
            Cancel(child, reason);
        RemoveBookmarksOf(context, reason);
        State.Contexts.Remove(context);
    }
}
