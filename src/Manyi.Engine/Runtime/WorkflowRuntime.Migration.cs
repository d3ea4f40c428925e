using System.Text.Json.Nodes;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// Whether an instance can move to a newer version of its definition (<see cref="Reasons"/> says why not), and where
/// each flowchart context's tokens and held loop exits stand in the new version's connections when it can.
/// </summary>
public sealed record MigrationCheck(IReadOnlyList<string> WaitingIn, IReadOnlyList<string> Reasons, IReadOnlyList<MovedContext> Contexts)
{
    public bool CanMove => Reasons.Count == 0;
}

/// <summary>A context's tokens and held loop exits, renumbered for the new version's connections.</summary>
public sealed record MovedContext(ExecutionContextState Context, Dictionary<string, Dictionary<int, bool>> Tokens, List<int> HeldLoopExits);

/// <summary>
/// Moving suspended instances of older versions onto a newer version of their definition. An instance can move when
/// every activity it waits in (its bookmarks' activities) is in the new version with the same type, it started at an
/// activity the new version has, and every branch it has already taken into a join is a connection of the new version.
/// A move re-pins the instance's version and keeps its bookmarks (so its tasks, timers and events), variables and
/// outputs. It is a burst like any other: under the instance's lock, checked against the instance as it is then,
/// retried on a revision conflict, journalled, its follow-ups after the commit.
/// </summary>
public sealed partial class WorkflowRuntime
{
    /// <summary>Whether an instance (<paramref name="from"/>'s) can move to version <paramref name="toVersion"/> (<paramref name="to"/>), and why not.</summary>
    public static MigrationCheck CheckMigration(WorkflowStatus status, int version, IEnumerable<string> waitingActivityIds, WorkflowState state,
        WorkflowGraph from, WorkflowGraph to, int toVersion)
    {
        var reasons = new List<string>();
        var waitingIn = waitingActivityIds.Distinct().Order(StringComparer.Ordinal).ToList();
        if (status != WorkflowStatus.Suspended)
            reasons.Add($"实例状态为 {status}，只有挂起的实例可以迁移。The instance is {status}; only suspended instances move.");
        if (version >= toVersion)
            reasons.Add($"实例已在版本 {version}。The instance is on version {version} already, not older than {toVersion}.");
        if (waitingIn.Count == 0)
            reasons.Add("实例没有在等待任何活动。The instance waits in no activity.");
        foreach (var activityId in waitingIn)
        {
            var old = from.Nodes.GetValueOrDefault(activityId);
            var label = old is null ? $"'{activityId}'" : $"'{activityId}' ({old.Node.DisplayName}, {old.Node.Type})";
            if (!to.Nodes.TryGetValue(activityId, out var now))
                reasons.Add($"所等待的活动 {label} 在版本 {toVersion} 中已删除。It waits in {label}, which version {toVersion} does not have.");
            else if (old is not null && old.Node.Type != now.Node.Type)
                reasons.Add($"所等待的活动 {label} 在版本 {toVersion} 中是 {now.Node.Type}。It waits in {label}, which is a {now.Node.Type} in version {toVersion}.");
        }
        if (state.StartActivityId is { } start && !to.Nodes.ContainsKey(start))
            reasons.Add($"起始活动 '{start}' 在版本 {toVersion} 中已删除。It started at '{start}', which version {toVersion} does not have.");

        // Each flowchart's tokens name its connections by index: they move to the same connections in the new version.
        int? Map(string flowchartId, int index)
        {
            var fromConnections = from.Flowcharts.GetValueOrDefault(flowchartId)?.Connections ?? [];
            if (index < 0 || index >= fromConnections.Count) return null;
            var c = fromConnections[index];
            var match = to.Flowcharts.GetValueOrDefault(flowchartId)?.Connections
                .FirstOrDefault(n => n.Source == c.Source && n.SourcePort == c.SourcePort && n.Target == c.Target);
            if (match is null)
                reasons.Add($"已走过的连线 {c.Source}.{c.SourcePort} → {c.Target} 在版本 {toVersion} 中已删除。" +
                    $"A branch it has taken, {c.Source}.{c.SourcePort} → {c.Target}, is not in version {toVersion}.");
            return match?.Index;
        }
        var moved = state.Contexts.Select(context =>
        {
            var flowchartId = context.ActivityId ?? from.Root.Node.Id;
            var tokens = context.Tokens.ToDictionary(t => t.Key, t => t.Value.Select(p => (Index: Map(flowchartId, p.Key), p.Value))
                .Where(p => p.Index is not null).ToDictionary(p => p.Index!.Value, p => p.Value));
            var held = context.HeldLoopExits.Select(i => Map(flowchartId, i)).Where(i => i is not null).Select(i => i!.Value).ToList();
            return new MovedContext(context, tokens, held);
        }).ToList();
        return new MigrationCheck(waitingIn, reasons, reasons.Count > 0 ? [] : moved);
    }

    /// <summary>
    /// Moves one instance onto version <paramref name="to"/> of its definition, checked again against the instance as it
    /// is now: the version re-pinned, the tokens mapped, the revision moved on (a burst that loaded it before retries on
    /// the new version) and a journal line saying who and why. Returns the version it moved from and the reasons it did
    /// not move (empty when it moved).
    /// </summary>
    public async Task<(int From, IReadOnlyList<string> Reasons)> MigrateAsync(string instanceId, WorkflowDefinition to, string by, string reason,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<string> reasons = [];
        var from = 0;
        try
        {
            await UpdateAsync(instanceId, (instance, burst) =>
            {
                if (instance.DefinitionId != to.DefinitionId)
                {
                    reasons = [$"实例 '{instanceId}' 不属于 '{to.DefinitionId}'。Instance '{instanceId}' is not an instance of '{to.DefinitionId}'."];
                    return Task.CompletedTask;
                }
                var check = CheckMigration(instance.Status, instance.Version, instance.Bookmarks.Select(b => b.ActivityId), instance.State,
                    burst.Graph, graphs.Get(to), to.Version);
                reasons = check.Reasons;
                from = instance.Version;
                if (!check.CanMove) return Task.CompletedTask;
                foreach (var context in check.Contexts)
                {
                    context.Context.Tokens = context.Tokens;
                    context.Context.HeldLoopExits = context.HeldLoopExits;
                }
                burst.Journal(null, JournalEvent.Message, new JournalMessage(JournalKeys.Migrated, new JsonObject
                {
                    ["from"] = instance.Version, ["to"] = to.Version, ["by"] = by, ["reason"] = reason,
                }));
                instance.DefinitionVersionId = to.Id;
                instance.Version = to.Version;
                instance.UpdatedAt = burst.Now;
                return Task.CompletedTask;
            }, cancellationToken, saveWhen: () => reasons.Count == 0);
        }
        catch (WorkflowNotFoundException)
        {
            reasons = [$"实例 '{instanceId}' 不属于 '{to.DefinitionId}'。Instance '{instanceId}' is not an instance of '{to.DefinitionId}'."];
        }
        return (from, reasons);
    }
}
