using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Stores;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Persistence;

/// <summary>
/// The engine's store on EF Core: one transaction per burst, the instance row's revision as the concurrency check.
/// Scoped like its DbContext; it keeps the context's connection open for the scope, since a burst makes several
/// round trips and opening an EF Core SQLite connection costs far more than a query.
/// </summary>
public sealed class EfWorkflowStore(ManyiDbContext db, PublishedDefinitionCache definitions, TimeProvider time) : IWorkflowStore
{
    internal static readonly JsonSerializerOptions StateOptions = new(JsonSerializerDefaults.Web);
    private bool _connectionOpened;

    public async Task<WorkflowDefinition?> FindDefinitionVersionAsync(string definitionVersionId, CancellationToken cancellationToken)
    {
        if (definitions.Find(definitionVersionId) is { } cached) return cached;
        await OpenAsync(cancellationToken);
        var version = await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => d.Id == definitionVersionId)
            .Select(d => new { d.Json, d.Status })
            .FirstOrDefaultAsync(cancellationToken);
        return version is null ? null : definitions.Parse(definitionVersionId, version.Json, version.Status);
    }

    public async Task<WorkflowDefinition?> FindPublishedDefinitionAsync(string definitionId, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        var id = await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => d.DefinitionId == definitionId && d.Status == DefinitionStatus.Published)
            .Select(d => d.Id)
            .FirstOrDefaultAsync(cancellationToken);
        return id is null ? null : await FindDefinitionVersionAsync(id, cancellationToken);
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_connectionOpened) return;
        // Opened explicitly, the connection stays open until the context is disposed with the scope.
        await db.Database.OpenConnectionAsync(cancellationToken);
        _connectionOpened = true;
    }

    public async Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        return await db.Triggers.AsNoTracking()
            .Where(t => t.Name == name && t.Key == key)
            .Select(t => new StoredTrigger(t.DefinitionId, t.DefinitionVersionId, t.ActivityId, t.Name, t.Key))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        var query = db.Bookmarks.AsNoTracking().Where(b => b.Name == stimulus.Name);
        query = stimulus.BookmarkId is { } bookmarkId ? query.Where(b => b.Id == bookmarkId) : query.Where(b => b.Key == stimulus.Key);
        if (stimulus.WorkflowInstanceId is { } instanceId) query = query.Where(b => b.InstanceId == instanceId);
        if (stimulus.CorrelationId is { } correlationId) query = query.Where(b => b.CorrelationId == correlationId);
        var matches = await query.Select(b => new { b.InstanceId, b.CreatedAt }).ToListAsync(cancellationToken);
        return matches.OrderBy(m => m.CreatedAt).Select(m => m.InstanceId).Distinct().ToList();
    }

    public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        var record = await db.WorkflowInstances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken);
        if (record is null) return null;
        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == instanceId).ToListAsync(cancellationToken);
        var incidents = await db.Incidents.AsNoTracking().Where(i => i.InstanceId == instanceId).ToListAsync(cancellationToken);
        return new WorkflowInstance
        {
            Id = record.Id,
            DefinitionId = record.DefinitionId,
            DefinitionVersionId = record.DefinitionVersionId,
            Version = record.Version,
            CorrelationId = record.CorrelationId,
            Status = Enum.Parse<WorkflowStatus>(record.Status),
            CreatedAt = record.CreatedAt,
            UpdatedAt = record.UpdatedAt,
            FinishedAt = record.FinishedAt,
            State = StateFormat.Read(record.State),
            Bookmarks = bookmarks.OrderBy(b => b.CreatedAt).Select(ToBookmark).ToList(),
            Incidents = incidents.OrderBy(i => i.At).Select(i => new Incident(i.Id, i.ActivityId, i.ActivityType, i.Message, i.ExceptionType, i.At, i.ResolvedAt)).ToList(),
            Revision = record.Revision,
        };
    }

    public async Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken)
    {
        var state = StateFormat.Write(instance.State);
        var status = instance.Status.ToString();
        var revision = burst.ExpectedRevision + 1;
        await OpenAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (burst.IsNewInstance)
        {
            db.WorkflowInstances.Add(new WorkflowInstanceRecord
            {
                Id = instance.Id,
                DefinitionId = instance.DefinitionId,
                DefinitionVersionId = instance.DefinitionVersionId,
                Version = instance.Version,
                Status = status,
                CorrelationId = instance.CorrelationId,
                CreatedAt = instance.CreatedAt,
                UpdatedAt = instance.UpdatedAt,
                FinishedAt = instance.FinishedAt,
                State = state,
                Revision = revision,
            });
        }
        else
        {
            var updated = await db.WorkflowInstances
                .Where(i => i.Id == instance.Id && i.Revision == burst.ExpectedRevision)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(i => i.Status, status)
                    .SetProperty(i => i.CorrelationId, instance.CorrelationId)
                    .SetProperty(i => i.UpdatedAt, instance.UpdatedAt)
                    .SetProperty(i => i.FinishedAt, instance.FinishedAt)
                    .SetProperty(i => i.State, state)
                    .SetProperty(i => i.Revision, revision), cancellationToken);
            if (updated == 0) throw new ConcurrencyConflictException(instance.Id);
        }

        if (burst.RemovedBookmarks.Count > 0)
        {
            var removed = burst.RemovedBookmarks.Select(b => b.Id).ToList();
            await db.Bookmarks.Where(b => removed.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
        }
        db.Bookmarks.AddRange(burst.AddedBookmarks.Select(b => new BookmarkRecord
        {
            Id = b.Id, InstanceId = b.InstanceId, ActivityId = b.ActivityId, Name = b.Name, Key = b.Key,
            CorrelationId = b.CorrelationId, CreatedAt = b.CreatedAt, ResumeAt = b.ResumeAt, Payload = b.Payload?.ToJsonString(),
        }));
        db.Incidents.AddRange(burst.AddedIncidents.Select(i => new IncidentRecord
        {
            Id = i.Id, InstanceId = instance.Id, ActivityId = i.ActivityId, ActivityType = i.ActivityType,
            Message = i.Message, ExceptionType = i.ExceptionType, At = i.At, ResolvedAt = i.ResolvedAt,
        }));
        foreach (var resolved in burst.ResolvedIncidents)
            await db.Incidents.Where(i => i.Id == resolved.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.ResolvedAt, resolved.ResolvedAt), cancellationToken);
        db.JournalEntries.AddRange(burst.Journal.Select(j => new JournalEntryRecord
        {
            InstanceId = j.InstanceId, Sequence = j.Sequence, At = j.At, ActivityId = j.ActivityId, ActivityType = j.ActivityType,
            ActivityName = j.ActivityName, Event = j.Event.ToString(), Message = j.Message,
            Outcomes = j.Outcomes is null ? null : string.Join(",", j.Outcomes),
        }));

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException) when (burst.IsNewInstance)
        {
            // Two starts with one instance id: the second is a conflict, anything else is a real failure.
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            if (await db.WorkflowInstances.AsNoTracking().AnyAsync(i => i.Id == instance.Id, CancellationToken.None))
                throw new ConcurrencyConflictException(instance.Id);
            throw;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        instance.Revision = revision;
    }

    public async Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        db.QueuedStimuli.Add(new QueuedStimulusRecord
        {
            Name = stimulus.Name,
            Key = stimulus.Key,
            CorrelationId = stimulus.CorrelationId,
            InstanceId = stimulus.WorkflowInstanceId,
            Input = JsonSerializer.Serialize(stimulus.Input, StateOptions),
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    public async Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        var names = bookmarks.Select(b => b.Name).Distinct().ToList();
        var candidates = await db.QueuedStimuli.AsNoTracking()
            .Where(q => names.Contains(q.Name) && q.ExpiresAt > now)
            .OrderBy(q => q.Id)
            .ToListAsync(cancellationToken);
        var taken = new List<Stimulus>();
        foreach (var record in candidates)
        {
            var stimulus = new Stimulus(record.Name, record.Key)
            {
                CorrelationId = record.CorrelationId,
                WorkflowInstanceId = record.InstanceId,
                Input = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(record.Input, StateOptions) ?? [],
            };
            if (!bookmarks.Any(stimulus.Matches)) continue;
            // Deleting claims the stimulus: of two nodes racing for it, only the one that deletes the row delivers it.
            if (await db.QueuedStimuli.Where(q => q.Id == record.Id).ExecuteDeleteAsync(cancellationToken) == 1)
                taken.Add(stimulus);
        }
        return taken;
    }

    internal static Bookmark ToBookmark(BookmarkRecord b) =>
        new(b.Id, b.InstanceId, b.ActivityId, b.Name, b.Key, b.CorrelationId, b.CreatedAt, b.ResumeAt,
            b.Payload is null ? null : JsonNode.Parse(b.Payload) as JsonObject);
}

/// <summary>Reads and writes the state blob, checking its format version.</summary>
public static class StateFormat
{
    public static string Write(WorkflowState state) => JsonSerializer.Serialize(state, EfWorkflowStore.StateOptions);

    public static WorkflowState Read(string json)
    {
        var state = JsonSerializer.Deserialize<WorkflowState>(json, EfWorkflowStore.StateOptions)
            ?? throw new InvalidDataException("The instance state is empty.");
        if (state.FormatVersion > WorkflowState.CurrentFormatVersion)
            throw new InvalidDataException(
                $"The instance state has format version {state.FormatVersion}, newer than this Manyi understands ({WorkflowState.CurrentFormatVersion}).");
        return state;
    }
}
