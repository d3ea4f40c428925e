using Microsoft.Data.Sqlite;

namespace Manyi.Bench;

/// <summary>
/// The pragmas every SQLite connection is opened with. They must stay identical to the ones
/// the Manyi persistence layer uses, otherwise the raw commit rate measured here is not the
/// ceiling the engine is compared against.
/// </summary>
public static class SqlitePragmas
{
    public const string JournalMode = "PRAGMA journal_mode=WAL;";
    public const string Synchronous = "PRAGMA synchronous=NORMAL;";
    public const string BusyTimeout = "PRAGMA busy_timeout=5000;";

    public static IReadOnlyList<string> All { get; } = [JournalMode, Synchronous, BusyTimeout];

    /// <summary>Runs every pragma on an open connection and checks that WAL mode took effect.</summary>
    public static void Apply(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        foreach (var pragma in All)
        {
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }

        command.CommandText = "PRAGMA journal_mode;";
        var journalMode = command.ExecuteScalar() as string;
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"SQLite refused WAL mode for {connection.DataSource} (journal_mode is '{journalMode}').");
        }
    }
}
