using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// Whether an exception means the storage cannot take writes or answer at all (a read-only or full disk, a read-only
/// or unreachable database): the request is then answered 503 "storage unavailable", to be tried again, rather than a
/// 500 that reads as a bug.
/// </summary>
public static class StorageFailure
{
    // SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN.
    private static readonly int[] SqliteCodes = [8, 10, 13, 14];

    // read_only_sql_transaction, disk_full, insufficient_resources, too_many_connections, and the server shutting
    // down or restarting (admin_shutdown, crash_shutdown, cannot_connect_now).
    private static readonly string[] PostgresStates = ["25006", "53100", "53000", "53300", "57P01", "57P02", "57P03"];

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when SqliteCodes.Contains(sqlite.SqliteErrorCode):
                case PostgresException postgres when PostgresStates.Contains(postgres.SqlState) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal):
                case NpgsqlException { InnerException: SocketException or TimeoutException }:
                // A folder made read-only; ENOSPC (28) and EROFS (30) when the disk is full or mounted read-only.
                case UnauthorizedAccessException:
                case IOException { HResult: 28 or 30 }:
                    return true;
            }
        }
        return false;
    }

    public const string Title = "Storage unavailable.";

    public const string Detail = "存储暂不可用（只读或已满），未做任何更改，请稍后再试。Storage is unavailable (read-only or full); nothing was changed, try again later.";
}
