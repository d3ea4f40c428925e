using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Manyi.Persistence;

/// <summary>
/// The little that differs between the two databases for hand-written SQL: how an instant is stored. PostgreSQL
/// keeps <c>timestamptz</c>; SQLite keeps the binary form of <see cref="SqliteManyiDbContext"/>'s converter, so that
/// rows written here and by EF Core are the same. Public for the other modules that write SQL of their own (the scheduler).
/// </summary>
public sealed class SqlDialect
{
    private static readonly DateTimeOffsetToBinaryConverter Binary = new();

    private SqlDialect(bool isPostgres) => IsPostgres = isPostgres;

    public static readonly SqlDialect Postgres = new(true);
    public static readonly SqlDialect Sqlite = new(false);

    public bool IsPostgres { get; }

    public object Instant(DateTimeOffset value) => IsPostgres ? value.ToUniversalTime() : Binary.ConvertToProvider(value)!;

    public object Instant(DateTimeOffset? value) => value is { } v ? Instant(v) : DBNull.Value;

    public DateTimeOffset ReadInstant(DbDataReader reader, int ordinal) =>
        IsPostgres ? reader.GetFieldValue<DateTimeOffset>(ordinal) : (DateTimeOffset)Binary.ConvertFromProvider(reader.GetInt64(ordinal))!;

    public DateTimeOffset? ReadNullableInstant(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadInstant(reader, ordinal);
}
