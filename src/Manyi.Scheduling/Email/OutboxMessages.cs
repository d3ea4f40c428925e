using System.Data;
using Manyi.Persistence;
using Manyi.Persistence.Records;

namespace Manyi.Scheduling.Email;

/// <summary>The scheduler's one write to the outbox: a message whose retries are exhausted is Failed.</summary>
public sealed class OutboxMessages(ManyiDatabase database)
{
    public async Task MarkFailedAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE outbox_messages SET \"Status\" = @failed WHERE \"Key\" = @key AND \"Status\" = @queued";
        foreach (var (name, value) in new[] { ("failed", nameof(OutboxStatus.Failed)), ("key", key), ("queued", nameof(OutboxStatus.Queued)) })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            parameter.DbType = DbType.String;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
