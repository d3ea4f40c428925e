using Manyi.Persistence.Audit;
using System.Security.Cryptography;
using System.Text;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Manyi.Persistence.Definitions;

public enum ImportOutcome
{
    Created,
    Updated,
    Unchanged,
}

public sealed record ImportResult(WorkflowDefinitionRecord Definition, ImportOutcome Outcome, IReadOnlyList<ValidationProblem> Warnings)
{
    /// <summary>The errors of a draft kept although invalid (<c>keepInvalidDraft</c>); it cannot be published until they are fixed.</summary>
    public IReadOnlyList<ValidationProblem> Errors { get; init; } = [];

    /// <summary>What the import did that the file did not ask for: a version ahead of the store taken as the next one.</summary>
    public string? Notice { get; init; }
}

/// <summary>A change to a definition that its versions do not allow (an edit of a published version, an out-of-date base version).</summary>
public sealed class DefinitionConflictException(string message) : Exception(message);

/// <summary>
/// Versioned workflow definitions: import as draft, publish, retract. Published and retracted versions are never
/// edited; a change to them becomes a new version. Each operation commits in one transaction.
/// </summary>
public sealed class WorkflowDefinitionCatalog(ManyiDbContext db, WorkflowCompiler compiler, WorkflowRuntime runtime, TimeProvider time, AuditTrail audit)
{
    /// <summary>
    /// Saves an imported definition as a draft. Its <c>version</c> says which version the change was made on:
    /// absent or the latest, the change lands on the latest (the draft is updated, or a new draft follows a
    /// published version); a version ahead of the latest (a file made elsewhere, as Elsa stores it) becomes the next
    /// version, a draft of its own, leaving any draft in the store untouched; an older or missing version is a conflict,
    /// so that nobody's change is overwritten.
    /// </summary>
    /// <param name="asNewVersion">Always add a new version after the latest (the workflows folder's way: never an in-place edit).</param>
    /// <param name="keepInvalidDraft">
    /// Keep a definition with errors as a draft (the designer's work in progress: an administrator saves and comes back);
    /// its errors come back in <see cref="ImportResult.Errors"/>, and publishing it is refused until they are fixed.
    /// </param>
    public async Task<ImportResult> ImportAsync(WorkflowDefinition definition, bool versionGiven, string? sourcePath,
        CancellationToken cancellationToken, bool asNewVersion = false, bool keepInvalidDraft = false)
    {
        if (definition.DefinitionId.Length > WorkflowDefinitionRecord.MaxDefinitionIdLength)
            throw new WorkflowValidationException([new ValidationProblem(Severity.Error,
                $"the definitionId has {definition.DefinitionId.Length} characters; at most {WorkflowDefinitionRecord.MaxDefinitionIdLength} are allowed")]);
        await runtime.LoadWorkflowActivitiesAsync(definition, cancellationToken);
        var validation = compiler.Validate(definition);
        if (!validation.IsValid && !(keepInvalidDraft && !asNewVersion)) throw new WorkflowValidationException(validation.Problems);
        var warnings = validation.Problems.Where(p => p.Severity == Severity.Warning).ToList();
        var errors = validation.Problems.Where(p => p.Severity == Severity.Error).ToList();
        var hash = ContentHash(definition);

        if (string.IsNullOrWhiteSpace(definition.DefinitionId))
            definition.DefinitionId = Guid.NewGuid().ToString("N");
        await using var transaction = await BeginChangeAsync(definition.DefinitionId, cancellationToken);
        var versions = await db.WorkflowDefinitions
            .Where(d => d.DefinitionId == definition.DefinitionId)
            .OrderByDescending(d => d.Version)
            .ToListAsync(cancellationToken);
        var latest = versions.FirstOrDefault();

        ImportResult result;
        if (latest is null)
        {
            var record = NewVersion(definition, versionGiven ? Math.Max(definition.Version, 1) : 1, hash, sourcePath);
            db.WorkflowDefinitions.Add(record);
            result = new ImportResult(record, ImportOutcome.Created, warnings);
        }
        else if (asNewVersion)
        {
            if (latest.ContentHash == hash)
                return new ImportResult(latest, ImportOutcome.Unchanged, warnings);
            var record = NewVersion(definition, latest.Version + 1, hash, sourcePath);
            db.WorkflowDefinitions.Add(record);
            result = new ImportResult(record, ImportOutcome.Created, warnings);
        }
        else
        {
            var baseVersion = versionGiven ? definition.Version : latest.Version;
            var based = versions.FirstOrDefault(v => v.Version == baseVersion);
            if (based is not null && based.ContentHash == hash)
                return new ImportResult(based, ImportOutcome.Unchanged, warnings) { Errors = errors };
            if (baseVersion > latest.Version)
            {
                var record = NewVersion(definition, latest.Version + 1, hash, sourcePath);
                db.WorkflowDefinitions.Add(record);
                Audit(AuditActions.WorkflowImported, record, ImportOutcome.Created);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new ImportResult(record, ImportOutcome.Created, warnings)
                {
                    Errors = errors,
                    Notice = $"The file's version {baseVersion} is ahead of the latest stored version {latest.Version}; it was stored as version {record.Version}.",
                };
            }
            if (based is null)
                throw new DefinitionConflictException(
                    $"Version {baseVersion} of workflow definition '{definition.DefinitionId}' does not exist; the latest is version {latest.Version}.");
            if (baseVersion != latest.Version)
                throw new DefinitionConflictException(
                    $"Workflow definition '{definition.DefinitionId}' has moved on to version {latest.Version} since version {baseVersion}; " +
                    $"export version {latest.Version}, apply the change and import again.");

            if (latest.Status == DefinitionStatus.Draft)
            {
                definition.Id = latest.Id;
                definition.Version = latest.Version;
                latest.Json = Serialize(definition, DefinitionStatus.Draft, isLatest: true);
                latest.Name = definition.Name;
                latest.Description = definition.Description;
                latest.ContentHash = hash;
                latest.SourcePath = sourcePath ?? latest.SourcePath;
                result = new ImportResult(latest, ImportOutcome.Updated, warnings);
            }
            else
            {
                var record = NewVersion(definition, latest.Version + 1, hash, sourcePath);
                db.WorkflowDefinitions.Add(record);
                result = new ImportResult(record, ImportOutcome.Created, warnings);
            }
        }
        Audit(AuditActions.WorkflowImported, result.Definition, result.Outcome);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result with { Errors = errors };
    }

    /// <summary>Publishes the latest version: the previously published one is retracted and its triggers replaced.</summary>
    public async Task<WorkflowDefinitionRecord> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginChangeAsync(definitionId, cancellationToken);
        var versions = await db.WorkflowDefinitions.Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).ToListAsync(cancellationToken);
        var latest = versions.FirstOrDefault()
            ?? throw new WorkflowNotFoundException($"Workflow definition '{definitionId}' does not exist.");
        if (latest.Status == DefinitionStatus.Published) return latest;

        var definition = ElsaJson.Read(latest.Json);
        await runtime.LoadWorkflowActivitiesAsync(definition, cancellationToken);
        var validation = compiler.Validate(definition);
        if (!validation.IsValid) throw new WorkflowValidationException(validation.Problems);

        foreach (var published in versions.Where(v => v.Status == DefinitionStatus.Published))
        {
            published.Status = DefinitionStatus.Retracted;
            published.Json = Serialize(ElsaJson.Read(published.Json), DefinitionStatus.Retracted, isLatest: false);
        }
        latest.Status = DefinitionStatus.Published;
        latest.PublishedAt = time.GetUtcNow();
        latest.Json = Serialize(definition, DefinitionStatus.Published, isLatest: true);

        await db.Triggers.Where(t => t.DefinitionId == definitionId).ExecuteDeleteAsync(cancellationToken);
        definition.IsPublished = true;
        foreach (var trigger in await runtime.GetTriggersAsync(definition, cancellationToken))
            db.Triggers.Add(new TriggerRecord
            {
                DefinitionId = trigger.DefinitionId, DefinitionVersionId = trigger.DefinitionVersionId,
                ActivityId = trigger.ActivityId, Name = trigger.Name, Key = trigger.Key, ResumeAt = trigger.ResumeAt,
            });
        Audit(AuditActions.WorkflowPublished, latest);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return latest;
    }

    /// <summary>Retracts the published version: no new instance starts on it; running instances continue.</summary>
    public async Task<WorkflowDefinitionRecord> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginChangeAsync(definitionId, cancellationToken);
        var exists = await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId, cancellationToken);
        if (!exists) throw new WorkflowNotFoundException($"Workflow definition '{definitionId}' does not exist.");
        var published = await db.WorkflowDefinitions
            .FirstOrDefaultAsync(d => d.DefinitionId == definitionId && d.Status == DefinitionStatus.Published, cancellationToken)
            ?? throw new DefinitionConflictException($"Workflow definition '{definitionId}' has no published version to retract.");
        var isLatest = !await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == definitionId && d.Version > published.Version, cancellationToken);
        published.Status = DefinitionStatus.Retracted;
        published.Json = Serialize(ElsaJson.Read(published.Json), DefinitionStatus.Retracted, isLatest);
        await db.Triggers.Where(t => t.DefinitionId == definitionId).ExecuteDeleteAsync(cancellationToken);
        Audit(AuditActions.WorkflowRetracted, published);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return published;
    }

    /// <summary>
    /// Deletes the latest version if it is a draft, which never ran: the versions before it stay (a definition whose
    /// only version was the draft is gone). A published or retracted version is refused: instances may run on it.
    /// </summary>
    public async Task<WorkflowDefinitionRecord> DeleteDraftAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginChangeAsync(definitionId, cancellationToken);
        var latest = await db.WorkflowDefinitions.Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken)
            ?? throw new WorkflowNotFoundException($"Workflow definition '{definitionId}' does not exist.");
        if (latest.Status != DefinitionStatus.Draft)
            throw new DefinitionConflictException(
                $"Version {latest.Version} of workflow definition '{definitionId}' is {latest.Status.ToString().ToLowerInvariant()}, not a draft; only a draft can be deleted.");
        db.WorkflowDefinitions.Remove(latest);
        Audit(AuditActions.WorkflowDraftDeleted, latest);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return latest;
    }

    /// <summary>The change's audit line, committed in its transaction (by an administrator, or the system for the workflows folder).</summary>
    private void Audit(string action, WorkflowDefinitionRecord record, ImportOutcome? outcome = null) =>
        audit.Record(action, AuditSubjects.WorkflowDefinition, record.DefinitionId,
            new { version = record.Version, name = record.Name, outcome = outcome?.ToString() });

    /// <summary>A version by number, or the latest.</summary>
    public Task<WorkflowDefinitionRecord?> FindAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        var versions = db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId);
        return version is { } v
            ? versions.FirstOrDefaultAsync(d => d.Version == v, cancellationToken)
            : versions.OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The definition as an Elsa 3 document, with <c>isLatest</c> and <c>isPublished</c> as they are now.</summary>
    public async Task<WorkflowDefinition> ToDefinitionAsync(WorkflowDefinitionRecord record, CancellationToken cancellationToken)
    {
        var definition = ElsaJson.Read(record.Json);
        definition.IsPublished = record.Status == DefinitionStatus.Published;
        definition.IsLatest = !await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == record.DefinitionId && d.Version > record.Version, cancellationToken);
        return definition;
    }

    /// <summary>
    /// Begins the transaction of a change to one definition's versions, which must not interleave with another: two
    /// imports would both add version n+1, two publishes would both register the triggers. SQLite's write transactions
    /// are serial already (Microsoft.Data.Sqlite begins them IMMEDIATE); on PostgreSQL, where several nodes may share the
    /// database, an advisory lock on the definition id is held until the transaction ends.
    /// </summary>
    private async Task<IDbContextTransaction> BeginChangeAsync(string definitionId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({definitionId}))", cancellationToken);
        return transaction;
    }

    /// <summary>The hash of what makes a version different: not its ids, number, dates or flags.</summary>
    public static string ContentHash(WorkflowDefinition definition)
    {
        var json = ElsaJson.ToJsonObject(definition);
        foreach (var key in new[] { "id", "definitionId", "version", "isLatest", "isPublished", "createdAt" })
            json.Remove(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToJsonString())));
    }

    private WorkflowDefinitionRecord NewVersion(WorkflowDefinition definition, int version, string hash, string? sourcePath)
    {
        definition.Id = Guid.NewGuid().ToString("N");
        definition.Version = version;
        definition.CreatedAt = time.GetUtcNow();
        return new WorkflowDefinitionRecord
        {
            Id = definition.Id,
            DefinitionId = definition.DefinitionId,
            Version = version,
            Name = definition.Name,
            Description = definition.Description,
            Status = DefinitionStatus.Draft,
            Json = Serialize(definition, DefinitionStatus.Draft, isLatest: true),
            ContentHash = hash,
            SourcePath = sourcePath,
            CreatedAt = definition.CreatedAt,
        };
    }

    private static string Serialize(WorkflowDefinition definition, DefinitionStatus status, bool isLatest)
    {
        definition.IsPublished = status == DefinitionStatus.Published;
        definition.IsLatest = isLatest;
        return ElsaJson.Write(definition);
    }
}
