using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using Manyi.Persistence;

namespace Manyi.LoadBench;

/// <summary>
/// The yardstick of the inbox: <c>GET /bench/inbox?organization=…</c> answers the same rows as a participant's
/// <c>GET /api/tasks</c> (the organization's open tasks, soonest due first, the first 50, with the total, the
/// organization's name and the instance's correlation id) with one SQL query on a pooled connection and JSON written by
/// hand: no authentication, no Identity, no EF Core. Mapped in front of the product's pipeline, in this bench's host only.
/// </summary>
public sealed class BareInbox : IStartupFilter
{
    public const string Path = "/bench/inbox";

    private const string Sql = """
        SELECT t."Id", t."InstanceId", i."CorrelationId", t."Title", t."Stage", t."Status", t."Outcomes", t."DueAt", t."IsOverdue",
               t."OrganizationId", o."Name", t."AssigneeUserId", t."AssigneeRole", t."ClaimedByUserId", t."CreatedAt", t."ClosedAt",
               t."ClosedByName", t."Outcome", COUNT(*) OVER ()
        FROM tasks t
        LEFT JOIN organizations o ON o."Id" = t."OrganizationId"
        LEFT JOIN workflow_instances i ON i."Id" = t."InstanceId"
        WHERE t."OrganizationId" = @organization AND t."Status" = 'Open'
        ORDER BY t."DueAt" IS NULL, t."DueAt", t."CreatedAt", t."Id"
        LIMIT 50
        """;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Map(Path, bare => bare.Run(AnswerAsync));
        next(app);
    };

    private static async Task AnswerAsync(HttpContext http)
    {
        var database = http.RequestServices.GetRequiredService<ManyiDatabase>();
        await using var connection = await database.OpenConnectionAsync(http.RequestAborted);
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "organization";
        parameter.Value = http.Request.Query["organization"].ToString();
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(http.RequestAborted);
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("items");
        long total = 0;
        while (await reader.ReadAsync(http.RequestAborted))
        {
            json.WriteStartObject();
            for (var c = 0; c < reader.FieldCount - 1; c++) Write(json, reader.GetName(c), reader, c);
            json.WriteEndObject();
            total = Convert.ToInt64(reader.GetValue(reader.FieldCount - 1), System.Globalization.CultureInfo.InvariantCulture);
        }
        json.WriteEndArray();
        json.WriteNumber("total", total);
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }

    private static void Write(Utf8JsonWriter json, string name, DbDataReader reader, int column)
    {
        switch (reader.IsDBNull(column) ? null : reader.GetValue(column))
        {
            case null: json.WriteNull(name); break;
            case bool flag: json.WriteBoolean(name, flag); break;
            case long number: json.WriteBoolean(name, number != 0); break; // SQLite's booleans
            case DateTime instant: json.WriteString(name, new DateTimeOffset(instant.ToUniversalTime())); break;
            case DateTimeOffset instant: json.WriteString(name, instant); break;
            case var value: json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }
}
