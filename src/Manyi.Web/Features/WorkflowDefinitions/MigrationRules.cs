using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// Moving suspended instances of older versions onto a newer version of their definition, as the administrator asks
/// for it: the rule and the move itself are the engine's (<see cref="WorkflowRuntime.CheckMigration"/>,
/// <see cref="WorkflowRuntime.MigrateAsync"/>, a burst under the instance's lock like any other); here the dry run
/// reads the stored instances, and each move gets its audit line.
/// </summary>
public static class MigrationRules
{
    public const string AuditAction = "instances.migrated";

    /// <summary>One version, compiled: its nodes' types and its connections by (source, port, target).</summary>
    public sealed record VersionShape(WorkflowDefinitionRecord Record, WorkflowGraph Graph)
    {
        public int Version => Record.Version;
    }

    /// <summary>An instance of an older version and whether it can move.</summary>
    public sealed record Plan(WorkflowInstanceRecord Instance, MigrationCheck Check)
    {
        public IReadOnlyList<string> WaitingIn => Check.WaitingIn;

        public IReadOnlyList<string> Reasons => Check.Reasons;

        public bool CanMove => Check.CanMove;
    }

    public static VersionShape Shape(WorkflowDefinitionRecord record, WorkflowGraphCache graphs) =>
        new(record, graphs.Get(ElsaJson.Read(record.Json)));

    /// <summary>Whether the stored instance (pinned to <paramref name="from"/>) can move to <paramref name="to"/>, and why not.</summary>
    public static Plan Check(WorkflowInstanceRecord instance, IReadOnlyList<BookmarkRecord> bookmarks, VersionShape from, VersionShape to) =>
        new(instance, WorkflowRuntime.CheckMigration(Enum.Parse<WorkflowStatus>(instance.Status), instance.Version, bookmarks.Select(b => b.ActivityId),
            StateFormat.Read(instance.State), from.Graph, to.Graph, to.Version));

    /// <summary>
    /// Moves one instance through the engine (checked again against the instance as it is then), and audits the move.
    /// Returns null when it moved, else the reasons it did not.
    /// </summary>
    public static async Task<IReadOnlyList<string>?> MoveAsync(WorkflowRuntime runtime, ManyiDbContext db, AuditTrail audit, string instanceId,
        WorkflowDefinition to, string by, string reason, CancellationToken cancellationToken)
    {
        var (from, reasons) = await runtime.MigrateAsync(instanceId, to, by, reason, cancellationToken);
        if (reasons.Count > 0) return reasons;
        audit.Record(AuditAction, AuditSubjects.WorkflowInstance, instanceId, new { definitionId = to.DefinitionId, from, to = to.Version, reason });
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }
}
