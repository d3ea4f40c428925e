using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence.Records;

namespace Manyi.Persistence;

/// <summary>
/// The engine's store on Manyi's database. EF Core owns the schema and its migrations; this store is the engine's
/// hot path, so it speaks SQL on a plain connection: a burst is one transaction of two statements, where EF Core's
/// change tracking and connection set-up would cost many times the database work. The instance row's revision is
/// the concurrency check. Scoped: it opens one connection on first use and closes it with the scope.
/// </summary>
public sealed class SqlWorkflowStore(ManyiDatabase database, PublishedDefinitionCache definitions, TimeProvider time) : IWorkflowStore, IAsyncDisposable
{
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

    public async Task<IReadOnlyList<StoredTrigger>> FindTriggersAsync(string name, string? key, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            "SELECT \"DefinitionId\", \"DefinitionVersionId\", \"ActivityId\", \"Name\", \"Key\" FROM triggers " +
            "WHERE \"Name\" = @name AND " + NullableEquals("Key", "key"), cancellationToken, ("name", name), ("key", key));
        var triggers = new List<StoredTrigger>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            triggers.Add(new StoredTrigger(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), NullableString(reader, 4)));
        return triggers;
    }

    public async Task<IReadOnlyList<string>> FindInstancesWithBookmarksAsync(Stimulus stimulus, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT \"InstanceId\", MIN(\"CreatedAt\") FROM bookmarks WHERE \"Name\" = @name AND ");
        sql.Append(stimulus.BookmarkId is null ? NullableEquals("Key", "key") : "\"Id\" = @bookmarkId");
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
            $"SELECT {BookmarkColumns} FROM bookmarks WHERE \"InstanceId\" = @id ORDER BY \"CreatedAt\", \"Id\"; " +
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
        while (await reader.ReadAsync(cancellationToken))
            instance.Bookmarks.Add(new Bookmark(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                NullableString(reader, 4), NullableString(reader, 5), _dialect.ReadInstant(reader, 6), _dialect.ReadNullableInstant(reader, 7),
                NullableString(reader, 8) is { } payload ? JsonNode.Parse(payload) as JsonObject : null));
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
            await using (var row = InstanceRow(instance, burst, revision, transaction))
                if (await row.ExecuteNonQueryAsync(cancellationToken) == 0)
                    throw new ConcurrencyConflictException(instance.Id);
            await using (var changes = BurstChanges(instance, burst, transaction))
                if (changes is not null)
                    await changes.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException) when (burst.IsNewInstance)
        {
            // Two starts with one instance id: the second is a conflict, anything else is a real failure.
            if (await ExistsAsync(instance.Id)) throw new ConcurrencyConflictException(instance.Id);
            throw;
        }
        instance.Revision = revision;
    }

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

    private DbCommand InstanceRow(WorkflowInstance instance, BurstResult burst, long revision, DbTransaction transaction) => Command(
        burst.IsNewInstance
            ? $"INSERT INTO workflow_instances ({InstanceColumns}) VALUES " +
              "(@id, @definitionId, @definitionVersionId, @version, @status, @correlationId, @createdAt, @updatedAt, @finishedAt, @state, @revision)"
            : "UPDATE workflow_instances SET \"Status\" = @status, \"CorrelationId\" = @correlationId, \"UpdatedAt\" = @updatedAt, " +
              "\"FinishedAt\" = @finishedAt, \"State\" = @state, \"Revision\" = @revision WHERE \"Id\" = @id AND \"Revision\" = @expectedRevision",
        transaction,
        ("id", instance.Id), ("definitionId", instance.DefinitionId), ("definitionVersionId", instance.DefinitionVersionId),
        ("version", instance.Version), ("status", instance.Status.ToString()), ("correlationId", instance.CorrelationId),
        ("createdAt", _dialect.Instant(instance.CreatedAt)), ("updatedAt", _dialect.Instant(instance.UpdatedAt)),
        ("finishedAt", _dialect.Instant(instance.FinishedAt)), ("state", StateFormat.Write(instance.State)),
        ("revision", revision), ("expectedRevision", burst.ExpectedRevision));

    /// <summary>Every other row the burst changed, as one command; null when there is none.</summary>
    private DbCommand? BurstChanges(WorkflowInstance instance, BurstResult burst, DbTransaction transaction)
    {
        var sql = new StringBuilder();
        var parameters = new List<(string, object?)>();
        string P(object? value)
        {
            var name = "p" + parameters.Count;
            parameters.Add((name, value));
            return "@" + name;
        }

        if (burst.RemovedBookmarks.Count > 0)
            sql.Append($"DELETE FROM bookmarks WHERE \"Id\" IN ({string.Join(", ", burst.RemovedBookmarks.Select(b => P(b.Id)))});");
        foreach (var b in burst.AddedBookmarks)
            sql.Append($"INSERT INTO bookmarks ({BookmarkColumns}) VALUES ({P(b.Id)}, {P(b.InstanceId)}, {P(b.ActivityId)}, {P(b.Name)}, " +
                $"{P(b.Key)}, {P(b.CorrelationId)}, {P(_dialect.Instant(b.CreatedAt))}, {P(_dialect.Instant(b.ResumeAt))}, {P(b.Payload?.ToJsonString())});");
        foreach (var i in burst.AddedIncidents)
            sql.Append("INSERT INTO incidents (\"Id\", \"InstanceId\", \"ActivityId\", \"ActivityType\", \"Message\", \"ExceptionType\", \"At\", \"ResolvedAt\") " +
                $"VALUES ({P(i.Id)}, {P(instance.Id)}, {P(i.ActivityId)}, {P(i.ActivityType)}, {P(i.Message)}, {P(i.ExceptionType)}, " +
                $"{P(_dialect.Instant(i.At))}, {P(_dialect.Instant(i.ResolvedAt))});");
        foreach (var i in burst.ResolvedIncidents)
            sql.Append($"UPDATE incidents SET \"ResolvedAt\" = {P(_dialect.Instant(i.ResolvedAt))} WHERE \"Id\" = {P(i.Id)};");
        if (burst.Journal.Count > 0)
        {
            sql.Append("INSERT INTO journal_entries (\"InstanceId\", \"Sequence\", \"At\", \"ActivityId\", \"ActivityType\", \"ActivityName\", \"Event\", \"Message\", \"Outcomes\") VALUES ");
            sql.AppendJoin(", ", burst.Journal.Select(j =>
                $"({P(j.InstanceId)}, {P(j.Sequence)}, {P(_dialect.Instant(j.At))}, {P(j.ActivityId)}, {P(j.ActivityType)}, {P(j.ActivityName)}, " +
                $"{P(j.Event.ToString())}, {P(j.Message)}, {P(j.Outcomes is null ? null : string.Join(",", j.Outcomes))})"));
            sql.Append(';');
        }
        return sql.Length == 0 ? null : Command(sql.ToString(), transaction, [.. parameters]);
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

    private DbCommand Command(string sql, DbTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            if (!sql.Contains("@" + name, StringComparison.Ordinal)) continue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            // A typed null, so that PostgreSQL can compare it ("@key IS NULL").
            if (value is null or string) parameter.DbType = DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>Equality that also matches two nulls, as the engine's keys do.</summary>
    private static string NullableEquals(string column, string parameter) =>
        $"(\"{column}\" = @{parameter} OR (\"{column}\" IS NULL AND @{parameter} IS NULL))";

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
