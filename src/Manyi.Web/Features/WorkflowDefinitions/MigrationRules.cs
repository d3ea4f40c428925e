using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// Moving suspended instances of older versions onto a newer version of their definition. An instance can move when
/// every activity it waits in (its bookmarks' activities) is in the new version with the same type, it started at an
/// activity the new version has, and every branch it has already taken into a join is a connection of the new version.
/// A move re-pins the instance's version and keeps its bookmarks (so its tasks, timers and events), variables and
/// outputs; each instance moves in its own transaction, guarded by its revision, journalled and audited.
/// </summary>
public static class MigrationRules
{
    public const string AuditAction = "instances.migrated";

    /// <summary>One version, compiled: its nodes' types and its connections by (source, port, target).</summary>
    public sealed record VersionShape(WorkflowDefinitionRecord Record, WorkflowGraph Graph)
    {
        public int Version => Record.Version;
    }

    /// <summary>An instance of an older version and whether it can move; <see cref="State"/> is its new state when it can.</summary>
    public sealed record Plan(WorkflowInstanceRecord Instance, IReadOnlyList<string> WaitingIn, IReadOnlyList<string> Reasons, WorkflowState? State)
    {
        public bool CanMove => Reasons.Count == 0;
    }

    public static VersionShape Shape(WorkflowDefinitionRecord record, WorkflowGraphCache graphs) =>
        new(record, graphs.Get(ElsaJson.Read(record.Json)));

    /// <summary>Whether the instance (pinned to <paramref name="from"/>) can move to <paramref name="to"/>, and why not.</summary>
    public static Plan Check(WorkflowInstanceRecord instance, IReadOnlyList<BookmarkRecord> bookmarks, VersionShape from, VersionShape to)
    {
        var reasons = new List<string>();
        var waitingIn = bookmarks.Select(b => b.ActivityId).Distinct().Order(StringComparer.Ordinal).ToList();
        if (instance.Status != nameof(WorkflowStatus.Suspended))
            reasons.Add($"实例状态为 {instance.Status}，只有挂起的实例可以迁移。The instance is {instance.Status}; only suspended instances move.");
        if (instance.Version >= to.Version)
            reasons.Add($"实例已在版本 {instance.Version}。The instance is on version {instance.Version} already, not older than {to.Version}.");
        if (waitingIn.Count == 0)
            reasons.Add("实例没有在等待任何活动。The instance waits in no activity.");
        foreach (var activityId in waitingIn)
        {
            var old = from.Graph.Nodes.GetValueOrDefault(activityId);
            var label = old is null ? $"'{activityId}'" : $"'{activityId}' ({old.Node.DisplayName}, {old.Node.Type})";
            if (!to.Graph.Nodes.TryGetValue(activityId, out var now))
                reasons.Add($"所等待的活动 {label} 在版本 {to.Version} 中已删除。It waits in {label}, which version {to.Version} does not have.");
            else if (old is not null && old.Node.Type != now.Node.Type)
                reasons.Add($"所等待的活动 {label} 在版本 {to.Version} 中是 {now.Node.Type}。It waits in {label}, which is a {now.Node.Type} in version {to.Version}.");
        }

        var state = StateFormat.Read(instance.State);
        if (state.StartActivityId is { } start && !to.Graph.Nodes.ContainsKey(start))
            reasons.Add($"起始活动 '{start}' 在版本 {to.Version} 中已删除。It started at '{start}', which version {to.Version} does not have.");
        // Each flowchart's tokens name its connections by index: they move to the same connections in the new version.
        int? Map(string flowchartId, int index)
        {
            var fromConnections = from.Graph.Flowcharts.GetValueOrDefault(flowchartId)?.Connections ?? [];
            if (index < 0 || index >= fromConnections.Count) return null;
            var c = fromConnections[index];
            var match = to.Graph.Flowcharts.GetValueOrDefault(flowchartId)?.Connections
                .FirstOrDefault(n => n.Source == c.Source && n.SourcePort == c.SourcePort && n.Target == c.Target);
            if (match is null)
                reasons.Add($"已走过的连线 {c.Source}.{c.SourcePort} → {c.Target} 在版本 {to.Version} 中已删除。" +
                    $"A branch it has taken, {c.Source}.{c.SourcePort} → {c.Target}, is not in version {to.Version}.");
            return match?.Index;
        }
        var moved = state.Contexts.Select(context =>
        {
            var flowchartId = context.ActivityId ?? from.Graph.Root.Node.Id;
            var tokens = context.Tokens.ToDictionary(t => t.Key, t => t.Value.Select(p => (Index: Map(flowchartId, p.Key), p.Value))
                .Where(p => p.Index is not null).ToDictionary(p => p.Index!.Value, p => p.Value));
            var held = context.HeldLoopExits.Select(i => Map(flowchartId, i)).Where(i => i is not null).Select(i => i!.Value).ToList();
            return (Context: context, Tokens: tokens, Held: held);
        }).ToList();
        if (reasons.Count > 0) return new Plan(instance, waitingIn, reasons, null);
        foreach (var (context, tokens, held) in moved)
        {
            context.Tokens = tokens;
            context.HeldLoopExits = held;
        }
        return new Plan(instance, waitingIn, reasons, state);
    }

    /// <summary>
    /// Moves one instance, checked again inside its transaction against its bookmarks as they are now: the version
    /// re-pinned, the revision moved on (a burst that loaded it before retries on the new version), a journal line and
    /// an audit line. Returns null when it moved, else the reasons it did not.
    /// </summary>
    public static async Task<IReadOnlyList<string>?> MoveAsync(ManyiDbContext db, AuditTrail audit, WorkflowGraphCache graphs, string instanceId,
        VersionShape to, string by, string reason, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var instance = await db.WorkflowInstances.FirstOrDefaultAsync(i => i.Id == instanceId && i.DefinitionId == to.Record.DefinitionId, cancellationToken);
        if (instance is null)
            return [$"实例 '{instanceId}' 不属于 '{to.Record.DefinitionId}'。Instance '{instanceId}' is not an instance of '{to.Record.DefinitionId}'."];
        var fromRecord = await db.WorkflowDefinitions.AsNoTracking().FirstAsync(d => d.Id == instance.DefinitionVersionId, cancellationToken);
        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == instanceId).ToListAsync(cancellationToken);
        var plan = Check(instance, bookmarks, Shape(fromRecord, graphs), to);
        if (!plan.CanMove) return plan.Reasons;

        var now = time.GetUtcNow();
        var state = plan.State!;
        var message = $"Migrated from version {instance.Version} to version {to.Version} by {by}: {reason}";
        db.JournalEntries.Add(new JournalEntryRecord
        {
            InstanceId = instance.Id, Sequence = state.JournalSequence++, At = now, Event = nameof(JournalEvent.Message), Message = message,
        });
        audit.Record(AuditAction, "workflow-instance", instance.Id, new { definitionId = to.Record.DefinitionId, from = instance.Version, to = to.Version, reason });
        instance.DefinitionVersionId = to.Record.Id;
        instance.Version = to.Version;
        instance.State = StateFormat.Write(state);
        instance.UpdatedAt = now;
        instance.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return ["实例在迁移时发生了变化，请重试。The instance changed while it was being moved; run the dry run again and retry."];
        }
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return null;
    }
}
