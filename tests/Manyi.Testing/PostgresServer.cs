using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Manyi.Testing;

/// <summary>
/// Finds a PostgreSQL server for the tests: <c>MANYI_TEST_POSTGRES</c> (an admin connection string), else a
/// server on 127.0.0.1:5432 as user postgres, else a throw-away cluster started from the installed binaries.
/// Each test gets a database of its own. Where none can be had, tests skip, except in CI (<c>CI=true</c>), where
/// they fail: nothing may skip there.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string?>> Admin = new(FindOrStartAsync);
    private static string? _whyNot;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A connection string to a new, empty database; skips (or fails in CI) when there is no server.</summary>
    public static Task<TestDatabase> CreateDatabaseAsync() => CreateDatabaseAsync(template: null);

    /// <summary>A new database that is a copy of <paramref name="template"/> (see <see cref="TestDatabase.MakeTemplateAsync"/>), or empty.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync(TestDatabase? template)
    {
        var admin = await Admin.Value;
        if (admin is null)
        {
            var reason = $"PostgreSQL is not available: {_whyNot}. Set MANYI_TEST_POSTGRES or install postgresql.";
            if (IsCi) throw new InvalidOperationException(reason);
            Xunit.Assert.Skip(reason);
            throw new InvalidOperationException(reason); // not reached: Skip throws
        }
        var name = "manyi_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            var copy = template is null ? "" : $" TEMPLATE \"{template.Name}\"";
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{copy}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(builder.ConnectionString, admin, name);
    }

    private static async Task<string?> FindOrStartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("MANYI_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
            return await CanConnectAsync(configured) ? configured : Fail($"MANYI_TEST_POSTGRES is set but the server does not answer ({configured})");

        const string local = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres;Timeout=3";
        if (await CanConnectAsync(local)) return local;
        return await StartThrowAwayClusterAsync();
    }

    private static async Task<bool> CanConnectAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            _whyNot = ex.Message;
            return false;
        }
    }

    /// <summary>initdb + pg_ctl into a temporary folder, on a free port; stopped when the test process exits.</summary>
    private static async Task<string?> StartThrowAwayClusterAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null) return Fail("no server answers on 127.0.0.1:5432 and no PostgreSQL binaries were found in /usr/lib/postgresql");

        var root = Path.Combine(Path.GetTempPath(), "manyi-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var port = FreePort();
        // PostgreSQL refuses to run as root; as root, run it as the postgres user.
        var asRoot = Environment.UserName == "root";
        if (asRoot && !await RunAsync("chown", $"postgres {root}")) return Fail("could not hand the temporary folder to the postgres user");
        string Command(string tool, string arguments) => asRoot ? $"-u postgres -- {Path.Combine(bin, tool)} {arguments}" : arguments;
        string Tool(string tool) => asRoot ? "runuser" : Path.Combine(bin, tool);

        var data = Path.Combine(root, "data");
        if (!await RunAsync(Tool("initdb"), Command("initdb", $"-D {data} -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8")))
            return Fail("initdb failed");
        var options = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200";
        if (!await RunAsync(Tool("pg_ctl"), Command("pg_ctl", $"-D {data} -o \"{options}\" -l {Path.Combine(root, "log")} -w start")))
            return Fail("pg_ctl start failed; see " + Path.Combine(root, "log"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunAsync(Tool("pg_ctl"), Command("pg_ctl", $"-D {data} -m immediate stop")).GetAwaiter().GetResult();
            // Each run's cluster is some 50 MB; left behind, they pile up in the temp folder.
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"The throw-away PostgreSQL cluster in {root} could not be removed: {ex.Message}");
            }
        };

        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        return await CanConnectAsync(connectionString) ? connectionString : Fail("the throw-away cluster started but does not answer");
    }

    private static async Task<bool> RunAsync(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) _whyNot = $"{file} {arguments}: {await error}{await output}";
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            _whyNot = $"{file}: {ex.Message}";
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Fail(string reason)
    {
        _whyNot = reason;
        return null;
    }
}

/// <summary>A database made for one test; dropped on dispose.</summary>
public sealed class TestDatabase(string connectionString, string adminConnectionString, string name) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public string Name { get; } = name;

    /// <summary>
    /// Turns this database, filled once (migrated, say), into a template that <see cref="PostgresServer.CreateDatabaseAsync(TestDatabase?)"/>
    /// copies, which is much faster than filling each copy again. It takes no connection any more (a copy needs its
    /// template unused), and is dropped when the test process exits.
    /// </summary>
    public async Task MakeTemplateAsync()
    {
        await ExecuteAsync($"ALTER DATABASE \"{Name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                ExecuteAsync($"ALTER DATABASE \"{Name}\" WITH IS_TEMPLATE false").GetAwaiter().GetResult();
                DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (NpgsqlException ex)
            {
                Console.Error.WriteLine($"The template database {Name} could not be dropped: {ex.Message}");
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
