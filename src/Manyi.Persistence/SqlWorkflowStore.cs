using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Composition;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Engine.Stores;
using Manyi.Persistence.Records;

namespace Manyi.Persistence;

/// <summary>
/// The engine's store on Manyi's database. EF Core owns the schema and its migrations; this store is the engine's
/// hot path, so it speaks SQL on a plain connection: a burst is one transaction of two statements, where EF Core's
/// change tracking and connection set-up would cost many times the database work. The instance row's revision is
/// the concurrency check. Scoped: it opens one connection on first use and closes it with the scope.
/// </summary>
public sealed class SqlWorkflowStore(ManyiDatabase database, PublishedDefinitionCache definitions, TimeProvider time) : IWorkflowStore, IAsyncDisposable, IDisposable
{
    /// <summary>A journal line's arguments as stored: Chinese names as themselves, not escaped.</summary>
    private static readonly JsonSerializerOptions JournalArguments = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string InstanceColumns =
        "\"Id\", \"DefinitionId\", \"DefinitionVersionId\", \"Version\", \"Status\", \"CorrelationId\", \"CreatedAt\", \"UpdatedAt\", \"FinishedAt\", \"State\", \"Revision\"";
    private const string BookmarkColumns =
        "\"Id\", \"InstanceId\", \"ActivityId\", \"Name\", \"Key\", \"CorrelationId\", \"CreatedAt\", \"ResumeAt\", \"Payload\"";

    private readonly SqlDialect _dialect = database.Dialect;
    private DbConnection? _connection;

    public async Task<WorkflowDefinition?> FindDefinitionVersionAsync(string definitionVersionId, CancellationToken cancellationToken)
    {
        if (definitions.Find(definitionVersionId) is { } cached) return cached;
        await using var command = await CommandAsync(
            "SELECT \"Json\", \"Status\" FROM workflow_definitions WHERE \"Id\" = @id", cancellationToken, ("id", definitionVersionId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return definitions.Parse(definitionVersionId, reader.GetString(0), Enum.Parse<DefinitionStatus>(reader.GetString(1)));
    }

    public async Task<WorkflowDefinition?> FindPublishedDefinitionAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "SELECT \"Id\" FROM workflow_definitions WHERE \"DefinitionId\" = @definitionId AND \"Status\" = @status",
            cancellationToken, ("definitionId", definitionId), ("status", nameof(DefinitionStatus.Published)));
        return await command.ExecuteScalarAsync(cancellationToken) is string id ? await FindDefinitionVersionAsync(id, cancellationToken) : null;
    }

    public async Task<WorkflowDefinition?> FindPublishedWorkflowActivityAsync(string typeName, CancellationToken cancellationToken)
    {
        // The type name is made from the definition's name, so the few published definitions marked usable are read and compared.
        var ids = new List<string>();
        await using (var command = await CommandAsync(
                         "SELECT \"Id\" FROM workflow_definitions WHERE \"Status\" = @status AND \"Json\" LIKE '%usableAsActivity%' ORDER BY \"DefinitionId\"",
                         cancellationToken, ("status", nameof(DefinitionStatus.Published))))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        foreach (var id in ids)
            if (await FindDefinitionVersionAsync(id, cancellationToken) is { } definition && WorkflowActivityCatalog.IsUsableAsActivity(definition)
                && WorkflowDefinitionActivity.TypeNameOf(definition) == typeName)
                return definition;
        return null;
    }

    public async Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "SELECT \"DefinitionId\", \"DefinitionVersionId\", \"ActivityId\", \"Name\", \"Key\" FROM triggers " +
            "WHERE \"Name\" = @name AND " + KeyEquals(key), cancellationToken, ("name", name), ("key", key));
        var triggers = new List<StoredTrigger>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            triggers.Add(new StoredTrigger(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), NullableString(reader, 4)));
        return triggers;
    }

    public async Task<IReadOnlyList<StoredTrigger>> FindDueTriggersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "SELECT \"DefinitionId\", \"DefinitionVersionId\", \"ActivityId\", \"Name\", \"Key\", \"ResumeAt\" FROM triggers " +
            $"WHERE \"ResumeAt\" IS NOT NULL AND \"ResumeAt\" <= @now ORDER BY \"ResumeAt\" LIMIT {max}",
            cancellationToken, ("now", _dialect.Instant(now)));
        var triggers = new List<StoredTrigger>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            triggers.Add(new StoredTrigger(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                NullableString(reader, 4), _dialect.ReadNullableInstant(reader, 5)));
        return triggers;
    }

    public async Task<bool> AdvanceTriggerAsync(StoredTrigger trigger, DateTimeOffset? next, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "UPDATE triggers SET \"ResumeAt\" = @next WHERE \"DefinitionVersionId\" = @version AND \"ActivityId\" = @activity AND \"ResumeAt\" = @at",
            cancellationToken, ("next", _dialect.Instant(next)), ("version", trigger.DefinitionVersionId), ("activity", trigger.ActivityId),
            ("at", _dialect.Instant(trigger.ResumeAt)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT \"InstanceId\", MIN(\"CreatedAt\") FROM bookmarks WHERE \"Name\" = @name AND ");
        sql.Append(stimulus.BookmarkId is null ? KeyEquals(stimulus.Key) : "\"Id\" = @bookmarkId");
        if (stimulus.WorkflowInstanceId is not null) sql.Append(" AND \"InstanceId\" = @instanceId");
        if (stimulus.CorrelationId is not null) sql.Append(" AND \"CorrelationId\" = @correlationId");
        sql.Append(" GROUP BY \"InstanceId\" ORDER BY MIN(\"CreatedAt\"), \"InstanceId\"");
        await using var command = await CommandAsync(sql.ToString(), cancellationToken,
            ("name", stimulus.Name), ("key", stimulus.Key), ("bookmarkId", stimulus.BookmarkId),
            ("instanceId", stimulus.WorkflowInstanceId), ("correlationId", stimulus.CorrelationId));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        // One round trip, three result sets: the instance, its bookmarks, its incidents.
        await using var command = await CommandAsync(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE \"Id\" = @id; " +
            $"SELECT {BookmarkColumns}, \"JobId\" FROM bookmarks WHERE \"InstanceId\" = @id ORDER BY \"CreatedAt\", \"Id\"; " +
            "SELECT \"Id\", \"ActivityId\", \"ActivityType\", \"Message\", \"ExceptionType\", \"At\", \"ResolvedAt\" FROM incidents " +
            "WHERE \"InstanceId\" = @id ORDER BY \"At\", \"Id\"",
            cancellationToken, ("id", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var instance = new WorkflowInstance
        {
            Id = reader.GetString(0),
            DefinitionId = reader.GetString(1),
            DefinitionVersionId = reader.GetString(2),
            Version = reader.GetInt32(3),
            Status = Enum.Parse<WorkflowStatus>(reader.GetString(4)),
            CorrelationId = NullableString(reader, 5),
            CreatedAt = _dialect.ReadInstant(reader, 6),
            UpdatedAt = _dialect.ReadInstant(reader, 7),
            FinishedAt = _dialect.ReadNullableInstant(reader, 8),
            State = StateFormat.Read(reader.GetString(9)),
            Revision = reader.GetInt64(10),
        };
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) instance.Bookmarks.Add(ReadBookmark(reader));
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            instance.Incidents.Add(new Incident(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                NullableString(reader, 4), _dialect.ReadInstant(reader, 5), _dialect.ReadNullableInstant(reader, 6)));
        return instance;
    }

    public async Task SaveAsync(WorkflowInstance instance, BurstResult burst, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        var revision = burst.ExpectedRevision + 1;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var statements = BurstStatements(instance, burst, revision);
            if (!await ExecuteAsync(connection, transaction, statements, cancellationToken))
                throw new ConcurrencyConflictException(instance.Id);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException) when (burst.IsNewInstance)
        {
            // Two starts with one instance id: the second is a conflict, anything else is a real failure.
            await transaction.RollbackAsync(CancellationToken.None);
            if (await ExistsAsync(instance.Id)) throw new ConcurrencyConflictException(instance.Id);
            throw;
        }
        instance.Revision = revision;
    }

    public async Task<IReadOnlyList<Bookmark>> FindBookmarksOnEndedOrMissingInstancesAsync(string name, int max, CancellationToken cancellationToken)
    {
        // One query, whatever the number of children waited for: only the ones that need repair come back.
        var columns = string.Join(", ", BookmarkColumns.Split(", ").Select(c => "b." + c));
        await using var command = await CommandAsync(
            $"SELECT {columns}, b.\"JobId\" FROM bookmarks b LEFT JOIN workflow_instances i ON i.\"Id\" = b.\"Key\" " +
            "WHERE b.\"Name\" = @name AND (i.\"Id\" IS NULL OR i.\"Status\" IN (@finished, @cancelled) AND NOT EXISTS " +
            "(SELECT 1 FROM child_ends e WHERE e.\"ParentInstanceId\" = b.\"InstanceId\" AND e.\"ChildInstanceId\" = b.\"Key\")) " +
            "ORDER BY b.\"CreatedAt\", b.\"Id\" LIMIT @max",
            cancellationToken, ("name", name), ("max", max),
            ("finished", nameof(WorkflowStatus.Finished)), ("cancelled", nameof(WorkflowStatus.Cancelled)));
        var bookmarks = new List<Bookmark>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) bookmarks.Add(ReadBookmark(reader));
        return bookmarks;
    }

    public async Task RecordChildEndAsync(ChildEnd end, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "INSERT INTO child_ends (\"ParentInstanceId\", \"ChildInstanceId\", \"EndedAt\", \"Report\") " +
            "VALUES (@parent, @child, @endedAt, @report) ON CONFLICT (\"ParentInstanceId\", \"ChildInstanceId\") DO NOTHING", cancellationToken,
            ("parent", end.ParentInstanceId), ("child", end.ChildInstanceId), ("endedAt", _dialect.Instant(end.EndedAt)),
            ("report", JsonSerializer.Serialize(end.Report, StateFormat.Options)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> WaitForChildrenOverAsync(string parentInstanceId, string childInstanceId, string name, CancellationToken cancellationToken)
    {
        // The first child without a recorded end stops the search: while many are still out, it is found at once.
        await using var command = await CommandAsync(
            "SELECT COUNT(*) FROM bookmarks b WHERE b.\"InstanceId\" = @parent AND b.\"Name\" = @name AND b.\"Key\" = @child AND NOT EXISTS " +
            "(SELECT 1 FROM bookmarks w WHERE w.\"InstanceId\" = b.\"InstanceId\" AND w.\"ActivityId\" = b.\"ActivityId\" AND w.\"Name\" = b.\"Name\" " +
            "AND NOT EXISTS (SELECT 1 FROM child_ends e WHERE e.\"ParentInstanceId\" = w.\"InstanceId\" AND e.\"ChildInstanceId\" = w.\"Key\"))",
            cancellationToken, ("parent", parentInstanceId), ("child", childInstanceId), ("name", name));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) > 0;
    }

    public async Task<IReadOnlyList<ChildEnd>> FindChildEndsAsync(string parentInstanceId, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "SELECT \"ChildInstanceId\", \"EndedAt\", \"Report\" FROM child_ends WHERE \"ParentInstanceId\" = @parent ORDER BY \"Id\"",
            cancellationToken, ("parent", parentInstanceId));
        var ends = new List<ChildEnd>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ends.Add(new ChildEnd(parentInstanceId, reader.GetString(0), _dialect.ReadInstant(reader, 1),
                JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(reader.GetString(2), StateFormat.Options) ?? []));
        return ends;
    }

    public async Task<IReadOnlyList<Bookmark>> FindOverWaitsForChildrenAsync(string name, int max, CancellationToken cancellationToken)
    {
        // One pass over the waiting bookmarks: a wait is over when every one of its bookmarks has its child's end recorded.
        await using var command = await CommandAsync(
            $"SELECT {BookmarkColumns}, \"JobId\" FROM bookmarks WHERE \"Id\" IN (SELECT MIN(b.\"Id\") FROM bookmarks b " +
            "LEFT JOIN child_ends e ON e.\"ParentInstanceId\" = b.\"InstanceId\" AND e.\"ChildInstanceId\" = b.\"Key\" " +
            "WHERE b.\"Name\" = @name GROUP BY b.\"InstanceId\", b.\"ActivityId\" HAVING COUNT(e.\"Id\") = COUNT(*)) " +
            "ORDER BY \"CreatedAt\", \"Id\" LIMIT @max",
            cancellationToken, ("name", name), ("max", max));
        var bookmarks = new List<Bookmark>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) bookmarks.Add(ReadBookmark(reader));
        return bookmarks;
    }

    /// <summary>A bookmark row as selected with <see cref="BookmarkColumns"/> and then the job id.</summary>
    private Bookmark ReadBookmark(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            NullableString(reader, 4), NullableString(reader, 5), _dialect.ReadInstant(reader, 6), _dialect.ReadNullableInstant(reader, 7),
            NullableString(reader, 8) is { } payload ? JsonNode.Parse(payload) as JsonObject : null) { JobId = NullableString(reader, 9) };

    public async Task QueueStimulusAsync(Stimulus stimulus, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "INSERT INTO queued_stimuli (\"Name\", \"Key\", \"CorrelationId\", \"InstanceId\", \"Input\", \"CreatedAt\", \"ExpiresAt\") " +
            "VALUES (@name, @key, @correlationId, @instanceId, @input, @createdAt, @expiresAt)", cancellationToken,
            ("name", stimulus.Name), ("key", stimulus.Key), ("correlationId", stimulus.CorrelationId), ("instanceId", stimulus.WorkflowInstanceId),
            ("input", JsonSerializer.Serialize(stimulus.Input, StateFormat.Options)),
            ("createdAt", _dialect.Instant(time.GetUtcNow())), ("expiresAt", _dialect.Instant(expiresAt)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Stimulus>> TakeQueuedStimuliAsync(IReadOnlyList<Bookmark> bookmarks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var names = bookmarks.Select(b => b.Name).Distinct().ToList();
        var candidates = new List<(long Id, Stimulus Stimulus)>();
        await using (var command = await CommandAsync(
            "SELECT \"Id\", \"Name\", \"Key\", \"CorrelationId\", \"InstanceId\", \"Input\" FROM queued_stimuli " +
            $"WHERE \"Name\" IN ({string.Join(", ", names.Select((_, i) => $"@name{i}"))}) AND \"ExpiresAt\" > @now ORDER BY \"Id\"",
            cancellationToken, [.. names.Select((name, i) => ($"name{i}", (object?)name)), ("now", _dialect.Instant(now))]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                candidates.Add((reader.GetInt64(0), new Stimulus(reader.GetString(1), NullableString(reader, 2))
                {
                    CorrelationId = NullableString(reader, 3),
                    WorkflowInstanceId = NullableString(reader, 4),
                    Input = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(reader.GetString(5), StateFormat.Options) ?? [],
                }));

        var taken = new List<Stimulus>();
        foreach (var (id, stimulus) in candidates.Where(c => bookmarks.Any(c.Stimulus.Matches)))
        {
            // Deleting claims the stimulus: of two nodes racing for it, only the one that deletes the row delivers it.
            await using var claim = await CommandAsync("DELETE FROM queued_stimuli WHERE \"Id\" = @id", cancellationToken, ("id", id));
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1) taken.Add(stimulus);
        }
        return taken;
    }

    /// <summary>
    /// Runs a burst's statements; false when the first (the instance row, which returns its revision only if it
    /// matched) changed nothing. PostgreSQL gets them as one batch, one round trip; SQLite, in process, as separate
    /// commands, since it would bind every parameter of a multi-statement command to every statement.
    /// </summary>
    private static async Task<bool> ExecuteAsync(DbConnection connection, DbTransaction transaction, List<Statement> statements, CancellationToken cancellationToken)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var statement in statements)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = statement.Sql;
                foreach (var (name, value) in statement.Parameters) command.Parameters.Add(Parameter(command.CreateParameter(), name, value));
                batch.BatchCommands.Add(command);
            }
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var saved = await reader.ReadAsync(cancellationToken);
            while (await reader.NextResultAsync(cancellationToken)) { }
            return saved;
        }

        for (var i = 0; i < statements.Count; i++)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statements[i].Sql;
            foreach (var (name, value) in statements[i].Parameters) command.Parameters.Add(Parameter(command.CreateParameter(), name, value));
            if (i == 0)
            {
                if (await command.ExecuteScalarAsync(cancellationToken) is null or DBNull) return false;
            }
            else
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        return true;
    }

    private sealed record Statement(string Sql, List<(string Name, object? Value)> Parameters);

    /// <summary>Rows per multi-row statement: at most 11 parameters a row keeps each statement far under either database's limit.</summary>
    internal const int RowsPerStatement = 500;

    /// <summary>The burst's SQL: the instance row first (returning its revision when saved), then every other row it changed.</summary>
    private List<Statement> BurstStatements(WorkflowInstance instance, BurstResult burst, long revision)
    {
        var statements = new List<Statement>();
        List<(string, object?)> parameters = [];
        string P(object? value)
        {
            var name = "p" + parameters.Count;
            parameters.Add((name, value));
            return "@" + name;
        }
        void Add(string sql)
        {
            statements.Add(new Statement(sql, parameters));
            parameters = [];
        }
        // One statement per batch of rows: a burst may write thousands of journal lines, past SQLite's 32,766 and
        // PostgreSQL's 65,535 parameters per statement.
        void AddRows<T>(string head, IReadOnlyList<T> rows, Func<T, string> row, string tail = "")
        {
            foreach (var batch in rows.Chunk(RowsPerStatement))
                Add(head + string.Join(", ", batch.Select(row)) + tail);
        }

        Add(burst.IsNewInstance
            ? $"INSERT INTO workflow_instances ({InstanceColumns}) VALUES ({P(instance.Id)}, {P(instance.DefinitionId)}, " +
              $"{P(instance.DefinitionVersionId)}, {P(instance.Version)}, {P(instance.Status.ToString())}, {P(instance.CorrelationId)}, " +
              $"{P(_dialect.Instant(instance.CreatedAt))}, {P(_dialect.Instant(instance.UpdatedAt))}, {P(_dialect.Instant(instance.FinishedAt))}, " +
              $"{P(StateFormat.Write(instance.State))}, {P(revision)}) RETURNING \"Revision\""
            : $"UPDATE workflow_instances SET \"DefinitionVersionId\" = {P(instance.DefinitionVersionId)}, \"Version\" = {P(instance.Version)}, " +
              $"\"Status\" = {P(instance.Status.ToString())}, \"CorrelationId\" = {P(instance.CorrelationId)}, " +
              $"\"UpdatedAt\" = {P(_dialect.Instant(instance.UpdatedAt))}, \"FinishedAt\" = {P(_dialect.Instant(instance.FinishedAt))}, " +
              $"\"State\" = {P(StateFormat.Write(instance.State))}, \"Revision\" = {P(revision)} " +
              $"WHERE \"Id\" = {P(instance.Id)} AND \"Revision\" = {P(burst.ExpectedRevision)} RETURNING \"Revision\"");
        if (burst.RemovedBookmarks.Count > 0)
            AddRows("DELETE FROM bookmarks WHERE \"Id\" IN (", burst.RemovedBookmarks, b => P(b.Id), ")");
        if (burst.AddedBookmarks.Count > 0)
            AddRows($"INSERT INTO bookmarks ({BookmarkColumns}) VALUES ", burst.AddedBookmarks, b =>
                $"({P(b.Id)}, {P(b.InstanceId)}, {P(b.ActivityId)}, {P(b.Name)}, {P(b.Key)}, {P(b.CorrelationId)}, " +
                $"{P(_dialect.Instant(b.CreatedAt))}, {P(_dialect.Instant(b.ResumeAt))}, {P(b.Payload?.ToJsonString())})");
        foreach (var change in burst.TaskChanges)
        {
            switch (change)
            {
                case TaskChange.Opened { Task: var t }:
                    Add("INSERT INTO tasks (\"Id\", \"InstanceId\", \"ActivityId\", \"DefinitionId\", \"Stage\", \"Title\", \"Description\", \"AssigneeUserId\", " +
                        "\"AssigneeRole\", \"OrganizationId\", \"Status\", \"Outcomes\", \"Form\", \"DueAt\", \"IsOverdue\", \"CreatedAt\", \"Revision\") VALUES " +
                        $"({P(t.Id)}, {P(instance.Id)}, {P(t.ActivityId)}, {P(instance.DefinitionId)}, {P(t.Stage)}, {P(t.Title)}, {P(t.Description)}, " +
                        $"{P(t.Assignment.UserId)}, {P(t.Assignment.Role)}, {P(t.Assignment.OrganizationId)}, {P(nameof(HumanTaskStatus.Open))}, " +
                        $"{P(JsonSerializer.Serialize(t.Outcomes))}, {P(t.Form?.ToJsonString())}, {P(_dialect.Instant(t.DueAt))}, {P(false)}, " +
                        $"{P(_dialect.Instant(t.CreatedAt))}, {P(0L)})");
                    break;
                case TaskChange.Closed c:
                    Add($"UPDATE tasks SET \"Status\" = {P(c.Status.ToString())}, \"ClosedAt\" = {P(_dialect.Instant(c.At))}, \"Outcome\" = {P(c.Outcome)}, " +
                        $"\"ClosedByUserId\" = {P(c.By?.UserId)}, \"ClosedByName\" = {P(c.By?.Name)}, \"Data\" = {P(c.Data?.ToJsonString())}, " +
                        $"\"Revision\" = \"Revision\" + 1 WHERE \"Id\" = {P(c.TaskId)}");
                    break;
                case TaskChange.FlaggedOverdue f:
                    Add($"UPDATE tasks SET \"IsOverdue\" = {P(true)}, \"Revision\" = \"Revision\" + 1 WHERE \"Id\" = {P(f.TaskId)}");
                    break;
                case TaskChange.Rescheduled r:
                    Add($"UPDATE tasks SET \"DueAt\" = {P(_dialect.Instant(r.DueAt))}, \"IsOverdue\" = {P(false)}, \"Revision\" = \"Revision\" + 1 WHERE \"Id\" = {P(r.TaskId)}");
                    break;
            }
        }
        // A task whose bookmark went without being closed (the instance was cancelled, a join took another branch) is cancelled.
        if (burst.RemovedBookmarks.Where(b => b.Name == HumanTask.BookmarkName).ToList() is { Count: > 0 } removedTasks)
            Add($"UPDATE tasks SET \"Status\" = {P(nameof(HumanTaskStatus.Cancelled))}, \"ClosedAt\" = {P(_dialect.Instant(instance.UpdatedAt))}, " +
                $"\"Revision\" = \"Revision\" + 1 WHERE \"Status\" = {P(nameof(HumanTaskStatus.Open))} " +
                $"AND \"Id\" IN ({string.Join(", ", removedTasks.Select(b => P(b.Key)))})");
        // A task that ends (completed, expired, cancelled, its bookmark gone with its instance) takes its draft with it, in
        // the same transaction: nobody can submit it any more, and nobody else may ever read it.
        var ended = burst.TaskChanges.OfType<TaskChange.Closed>().Select(c => c.TaskId)
            .Concat(burst.RemovedBookmarks.Where(b => b.Name == HumanTask.BookmarkName).Select(b => b.Key!)).Distinct().ToList();
        if (ended.Count > 0)
            AddRows("DELETE FROM task_drafts WHERE \"TaskId\" IN (", ended, id => P(id), ")");
        if (burst.AddedIncidents.Count > 0)
            AddRows("INSERT INTO incidents (\"Id\", \"InstanceId\", \"ActivityId\", \"ActivityType\", \"Message\", \"ExceptionType\", \"At\", \"ResolvedAt\") VALUES ",
                burst.AddedIncidents, i =>
                    $"({P(i.Id)}, {P(instance.Id)}, {P(i.ActivityId)}, {P(i.ActivityType)}, {P(i.Message)}, {P(i.ExceptionType)}, " +
                    $"{P(_dialect.Instant(i.At))}, {P(_dialect.Instant(i.ResolvedAt))})");
        foreach (var i in burst.ResolvedIncidents)
            Add($"UPDATE incidents SET \"ResolvedAt\" = {P(_dialect.Instant(i.ResolvedAt))} WHERE \"Id\" = {P(i.Id)}");
        if (burst.Journal.Count > 0)
            AddRows("INSERT INTO journal_entries (\"InstanceId\", \"Sequence\", \"At\", \"ActivityId\", \"ActivityType\", \"ActivityName\", \"Event\", \"Message\", \"Outcomes\", \"MessageKey\", \"Arguments\") VALUES ",
                burst.Journal, j =>
                    $"({P(j.InstanceId)}, {P(j.Sequence)}, {P(_dialect.Instant(j.At))}, {P(j.ActivityId)}, {P(j.ActivityType)}, {P(j.ActivityName)}, " +
                    $"{P(j.Event.ToString())}, {P(j.Message)}, {P(j.Outcomes is null ? null : string.Join(",", j.Outcomes))}, " +
                    $"{P(j.MessageKey)}, {P(j.Arguments?.ToJsonString(JournalArguments))})");
        // One instant for the burst's messages: an e-mail and the robot lines it fans out to were queued together.
        var queuedAt = time.GetUtcNow();
        if (burst.Emails.Count > 0)
            AddRows("INSERT INTO outbox_messages (\"Key\", \"Kind\", \"InstanceId\", \"To\", \"Subject\", \"TextBody\", \"HtmlBody\", \"Attachments\", \"Status\", \"Attempts\", \"CreatedAt\", \"ChannelId\", \"Payload\") VALUES ",
                [.. burst.Emails.Select(e => OutboxRows.From(e, instance.Id, queuedAt))], m =>
                    $"({P(m.Key)}, {P(m.Kind)}, {P(m.InstanceId)}, {P(m.To)}, {P(m.Subject)}, {P(m.TextBody)}, {P(m.HtmlBody)}, " +
                    $"{P(m.Attachments)}, {P(m.Status.ToString())}, {P(m.Attempts)}, {P(_dialect.Instant(m.CreatedAt))}, {(m.ChannelId is { } channel ? P(channel) : "NULL")}, {P(m.Payload)})",
                // The same key twice (a reminder step already sent, a retried burst) is dropped, not an error.
                " ON CONFLICT (\"Key\") DO NOTHING");
        return statements;
    }

    private async Task<bool> ExistsAsync(string instanceId)
    {
        await using var command = await CommandAsync("SELECT COUNT(*) FROM workflow_instances WHERE \"Id\" = @id", CancellationToken.None, ("id", instanceId));
        return Convert.ToInt64(await command.ExecuteScalarAsync()) > 0;
    }

    private async Task<DbConnection> ConnectionAsync(CancellationToken cancellationToken) =>
        _connection ??= await database.OpenConnectionAsync(cancellationToken);

    private async Task<DbCommand> CommandAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await ConnectionAsync(cancellationToken);
        return Command(sql, transaction: null, parameters);
    }

    public ValueTask DisposeAsync() => _connection?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _connection?.Dispose();

    private DbCommand Command(string sql, DbTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
            if (sql.Contains("@" + name, StringComparison.Ordinal))
                command.Parameters.Add(Parameter(command.CreateParameter(), name, value));
        return command;
    }

    private static DbParameter Parameter(DbParameter parameter, string name, object? value)
    {
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        // A typed null, so that PostgreSQL can compare and insert it.
        if (value is null or string) parameter.DbType = DbType.String;
        return parameter;
    }

    /// <summary>Key equality that matches a null key too, written so that the (name, key) indexes serve it.</summary>
    private static string KeyEquals(string? key) => key is null ? "\"Key\" IS NULL" : "\"Key\" = @key";

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
