using System.Globalization;
using System.Runtime.InteropServices;

namespace Manyi.Bench;

/// <summary>
/// Measures, on this machine: the raw commit rate of each database (the ceiling for any persistent
/// engine), the in-memory lifecycle rate of the peer (WorkflowCore), and
/// Manyi's lifecycle rate against the target derived from the raw commit rate.
/// </summary>
public static class Program
{
    /// <summary>
    /// Write transactions one "step -> wait for event -> step" lifecycle costs a persistent engine:
    /// one to run the first step and park at the wait, one to take the event and complete.
    /// </summary>
    public const int TransactionsPerLifecycle = 2;

    /// <summary>Share of the database's raw commit rate (counted in lifecycles) Manyi must reach.</summary>
    public const double TargetShareOfRawCommitRate = 0.4;

    public const string PostgresEnvironmentVariable = "MANYI_BENCH_POSTGRES";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args, Environment.GetEnvironmentVariable(PostgresEnvironmentVariable));
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine();
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, eventArgs) =>
        {
            eventArgs.Cancel = true;
            cancellation.Cancel();
        };

        var ownsDataFolder = options.DataFolder is null;
        var dataFolder = options.DataFolder ?? Directory.CreateTempSubdirectory("manyi-bench-").FullName;
        Directory.CreateDirectory(dataFolder);
        try
        {
            return await RunAsync(options, dataFolder, ownsDataFolder, cancellation.Token);
        }
        finally
        {
            if (ownsDataFolder)
            {
                Directory.Delete(dataFolder, recursive: true);
            }
        }
    }

    private static async Task<int> RunAsync(BenchOptions options, string dataFolder, bool ownsDataFolder, CancellationToken cancellationToken)
    {
        var rawTransactions = options.Instances * TransactionsPerLifecycle;
        var exitCode = 0;

        Console.WriteLine(string.Create(Invariant,
            $"Manyi bench: {options.Instances:N0} instances; {rawTransactions:N0} raw transactions per database " +
            $"({TransactionsPerLifecycle} per lifecycle)"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"data folder: {dataFolder}{(ownsDataFolder ? " (temporary, deleted at exit)" : "")}");
        Console.WriteLine();

        // 1. Raw commit rate per database.
        var databases = new List<DatabaseUnderTest>
        {
            new("sqlite-file",
                new SqliteRawCommitRate(Path.Combine(dataFolder, "raw-commit.db")),
                new Dictionary<string, string?> { ["Manyi:DataDirectory"] = Path.Combine(dataFolder, "manyi") }),
        };
        if (options.PostgresConnectionString is { } postgres)
        {
            // Manyi gets a database of its own on that server, created and dropped by the run, never the one given.
            var manyiDatabase = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = $"manyi_bench_{Environment.ProcessId}" }.ConnectionString;
            databases.Add(new("postgresql", new PostgresRawCommitRate(postgres),
                new Dictionary<string, string?> { ["ConnectionStrings:Manyi"] = manyiDatabase }));
        }

        var rawResults = new Dictionary<string, RawCommitResult>();
        var failures = new Dictionary<string, string>();
        foreach (var database in databases)
        {
            Console.Error.WriteLine($"measuring raw commit rate: {database.Name} ...");
            try
            {
                PrepareForMeasurement();
                rawResults[database.Name] = await database.RawCommitRate.MeasureAsync(rawTransactions, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                failures[database.Name] = $"failed: {error.GetType().Name}: {error.Message}";
                exitCode = 1;
            }
        }

        // 2. The peer, in memory.
        Console.Error.WriteLine($"measuring {WorkflowCoreLifecycle.Engine} lifecycles ...");
        PrepareForMeasurement();
        var peer = await WorkflowCoreLifecycle.MeasureAsync(options.Instances, cancellationToken: cancellationToken);

        // 3. Manyi, on each database.
        var manyiResults = new Dictionary<string, LifecycleResult>();
        var nestedResults = new Dictionary<string, LifecycleResult>();
        foreach (var database in databases.Where(database => rawResults.ContainsKey(database.Name)))
        {
            Console.Error.WriteLine($"measuring Manyi lifecycles: {database.Name} ...");
            try
            {
                PrepareForMeasurement();
                manyiResults[database.Name] = await ManyiLifecycle.MeasureAsync(database.ManyiSettings, options.Instances, options.Parallelism, cancellationToken);
                Console.Error.WriteLine($"measuring Manyi nested lifecycles: {database.Name} ...");
                PrepareForMeasurement();
                nestedResults[database.Name] = await ManyiLifecycle.MeasureAsync(database.ManyiSettings, options.Instances, options.Parallelism,
                    cancellationToken, nested: true);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                failures[$"manyi:{database.Name}"] = $"failed: {error.GetType().Name}: {error.Message}";
                exitCode = 1;
            }
        }
        Console.Error.WriteLine();

        PrintRawCommitRates(rawResults, failures, options.PostgresConnectionString is not null);
        PrintLifecycles(peer, manyiResults, nestedResults);
        PrintTargets(rawResults, failures, manyiResults);
        return exitCode;
    }

    /// <summary>target lifecycles/s = 0.4 × (raw commits/s ÷ transactions per lifecycle).</summary>
    public static double TargetLifecyclesPerSecond(double rawCommitsPerSecond) =>
        TargetShareOfRawCommitRate * (rawCommitsPerSecond / TransactionsPerLifecycle);

    private static void PrepareForMeasurement()
    {
        // Start every measurement without garbage left over from the previous one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void PrintRawCommitRates(
        Dictionary<string, RawCommitResult> results, Dictionary<string, string> failures, bool postgresRequested)
    {
        Console.WriteLine("Raw commit rate (one connection; each transaction = UPDATE 1 row + INSERT 1 row + COMMIT)");
        var table = new TextTable(
            ("database", false), ("settings", false), ("transactions", true), ("elapsed", true), ("commits/s", true));
        foreach (var name in new[] { "sqlite-file", "postgresql" })
        {
            if (results.TryGetValue(name, out var result))
            {
                table.AddRow(name, result.Settings, Count(result.Transactions), Seconds(result.Elapsed), Rate(result.CommitsPerSecond));
            }
            else if (failures.TryGetValue(name, out var failure))
            {
                table.AddRow(name, failure);
            }
            else if (name == "postgresql" && !postgresRequested)
            {
                table.AddRow(name, $"skipped: no connection string (--postgres \"<connection string>\" or {PostgresEnvironmentVariable})");
            }
        }
        Console.WriteLine(table.Render());
    }

    private static void PrintLifecycles(LifecycleResult peer, Dictionary<string, LifecycleResult> manyi, Dictionary<string, LifecycleResult> nested)
    {
        Console.WriteLine("Lifecycles: step -> wait for event -> step");
        var table = new TextTable(
            ("engine", false), ("storage", false), ("instances", true), ("elapsed", true), ("start -> all waiting", true),
            ("event -> all complete", true), ("lifecycles/s", true));
        table.AddRow(peer.Engine, "memory", Count(peer.Instances), Seconds(peer.Elapsed), Seconds(peer.StartToAllWaiting),
            Seconds(peer.PublishToAllComplete), Rate(peer.LifecyclesPerSecond));
        foreach (var (database, result) in manyi.Concat(nested))
            table.AddRow($"{result.Engine} ({result.Configuration})", database, Count(result.Instances), Seconds(result.Elapsed),
                Seconds(result.StartToAllWaiting), Seconds(result.PublishToAllComplete), Rate(result.LifecyclesPerSecond));
        Console.Write(table.Render());
        if (manyi.TryGetValue("sqlite-file", out var sqlite))
            Console.WriteLine($"  Manyi on the SQLite file vs {peer.Engine}: {sqlite.LifecyclesPerSecond / peer.LifecyclesPerSecond:N2}x " +
                (sqlite.LifecyclesPerSecond > peer.LifecyclesPerSecond ? "(faster: target met)" : "(NOT faster: target missed)"));
        Console.WriteLine($"  configuration: {peer.Configuration}");
        Console.WriteLine($"  engine warnings/errors logged: {peer.WarningsLogged}" +
            (peer.FirstWarning is null ? "" : $" (first: {peer.FirstWarning})"));
        Console.WriteLine();
    }

    private static void PrintTargets(
        Dictionary<string, RawCommitResult> rawResults,
        Dictionary<string, string> failures,
        Dictionary<string, LifecycleResult> manyiResults)
    {
        Console.WriteLine(string.Create(Invariant,
            $"Targets: target lifecycles/s = {TargetShareOfRawCommitRate} x (raw commits/s / {TransactionsPerLifecycle} transactions per lifecycle)"));
        var table = new TextTable(
            ("database", false), ("raw commits/s", true), ("target lifecycles/s", true),
            ("Manyi lifecycles/s", true), ("meets target", false));
        foreach (var (name, raw) in rawResults)
        {
            var target = TargetLifecyclesPerSecond(raw.CommitsPerSecond);
            if (manyiResults.TryGetValue(name, out var manyi))
            {
                var rate = manyi.LifecyclesPerSecond;
                table.AddRow(name, Rate(raw.CommitsPerSecond), Rate(target), Rate(rate), rate >= target ? "yes" : "NO");
            }
            else
            {
                table.AddRow(name, Rate(raw.CommitsPerSecond), Rate(target), failures.GetValueOrDefault($"manyi:{name}", "not measured"));
            }
        }
        Console.Write(table.Render());
    }

    private static string Count(int value) => value.ToString("N0", Invariant);

    private static string Rate(double perSecond) => perSecond.ToString("N0", Invariant);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N2", Invariant) + " s";

    private sealed record DatabaseUnderTest(string Name, RawCommitRate RawCommitRate, IReadOnlyDictionary<string, string?> ManyiSettings);
}

/// <summary>Command line: <c>--instances N</c>, <c>--postgres "&lt;cs&gt;"</c>, <c>--data &lt;folder&gt;</c>, <c>--parallelism P</c>.</summary>
public sealed record BenchOptions(
    int Instances,
    string? PostgresConnectionString,
    string? DataFolder,
    int Parallelism,
    bool ShowHelp)
{
    public const int DefaultInstances = 10_000;
    public const int DefaultParallelism = 8;

    public static string Usage => $"""
        usage: Manyi.Bench [--instances N] [--postgres "<connection string>"] [--data <folder>] [--parallelism P]

          --instances N     workflow instances per lifecycle run (default {DefaultInstances}); the raw
                            commit runs use N x {Program.TransactionsPerLifecycle} transactions
          --postgres CS     PostgreSQL connection string (default: ${Program.PostgresEnvironmentVariable};
                            PostgreSQL is skipped when neither is set)
          --data FOLDER     folder for the SQLite files (default: a fresh temporary folder)
          --parallelism P   Manyi starts and events in flight at once (default {DefaultParallelism})
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args, string? postgresFromEnvironment)
    {
        var instances = DefaultInstances;
        string? postgres = null;
        string? data = null;
        var parallelism = DefaultParallelism;
        var help = false;

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--instances":
                    var text = ValueOf(args, ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out instances) || instances <= 0)
                    {
                        throw new ArgumentException($"--instances needs a positive whole number, got '{text}'.");
                    }
                    break;
                case "--postgres":
                    postgres = ValueOf(args, ref i);
                    break;
                case "--data":
                    data = Path.GetFullPath(ValueOf(args, ref i));
                    break;
                case "--parallelism":
                    var p = ValueOf(args, ref i);
                    if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out parallelism) || parallelism <= 0)
                    {
                        throw new ArgumentException($"--parallelism needs a positive whole number, got '{p}'.");
                    }
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            postgres = string.IsNullOrWhiteSpace(postgresFromEnvironment) ? null : postgresFromEnvironment;
        }

        return new BenchOptions(instances, postgres, data, parallelism, help);
    }

    private static string ValueOf(IReadOnlyList<string> args, ref int index)
    {
        if (index + 1 >= args.Count)
        {
            throw new ArgumentException($"{args[index]} needs a value.");
        }
        index++;
        return args[index];
    }
}
