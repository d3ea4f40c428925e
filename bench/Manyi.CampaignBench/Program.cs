using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Bench;
using Manyi.Campaign;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Manyi.CampaignBench;

/// <summary>
/// Issue 5's campaign benchmark: the full-year campaign simulation for N organizations (default 2,000) on PostgreSQL
/// (or a SQLite file), through the product's own services on a fake clock. Prints wall time, peak memory and
/// instances/s against the targets (issue 19: the year under 60 s, under 1 GiB), and checks that the year ended as the
/// script implies, so that it never measures a broken run.
/// </summary>
public static partial class Program
{
    public const string PostgresEnvironmentVariable = "MANYI_BENCH_POSTGRES";
    public static readonly TimeSpan TargetWallTime = TimeSpan.FromSeconds(60);
    public const long TargetPeakBytes = 1L << 30;

    private const string Usage = """
        Usage: dotnet run -c Release --project bench/Manyi.CampaignBench -- --postgres "<admin connection string>" [--organizations 2000]
          --postgres <cs>        a PostgreSQL server (or MANYI_BENCH_POSTGRES); the bench makes a database of its own there and drops it
          --sqlite               a SQLite file in a temporary folder instead (deleted afterwards)
          --organizations N      default 2000 (ids org-0001 …, one contact each)
          --workers N            tasks completed (and timers due at one instant fired) in parallel, default 4
        Exit codes: 0 as scripted and within the targets; 1 the year went differently from the script (or failed); 3 a target missed.
        """;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        string? postgres = null;
        var sqlite = false;
        int organizations = 2000, workers = 4;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Number()
                {
                    var name = args[i];
                    var text = Value();
                    return int.TryParse(text, NumberStyles.None, Invariant, out var n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive whole number, got '{text}'.");
                }
                switch (args[i])
                {
                    case "--postgres": postgres = Value(); break;
                    case "--sqlite": sqlite = true; break;
                    case "--organizations": organizations = Number(); break;
                    case "--workers": workers = Number(); break;
                    case "--help" or "-h":
                        Console.WriteLine(Usage);
                        return 0;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }
            postgres ??= Environment.GetEnvironmentVariable(PostgresEnvironmentVariable) is { Length: > 0 } fromEnvironment && !sqlite ? fromEnvironment : null;
            if (postgres is null && !sqlite) throw new ArgumentException($"No database: give --postgres \"<connection string>\" (or {PostgresEnvironmentVariable}), or --sqlite.");
            if (postgres is not null && sqlite) throw new ArgumentException("Give --postgres or --sqlite, not both.");
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // The data folder: the SQLite file (with --sqlite), and whatever the product writes to files (the certificates,
        // the .eml pickup folder, unused here); deleted afterwards.
        var folder = Directory.CreateTempSubdirectory("manyi-campaignbench-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Manyi:DataDirectory"] = folder,
            ["Manyi:Email:PickupDirectory"] = Path.Combine(folder, "mail"),
        };
        try
        {
            if (postgres is not null)
            {
                var database = $"manyi_campaignbench_{Environment.ProcessId}";
                await ExecuteAsync(postgres, $"CREATE DATABASE \"{database}\"");
                try
                {
                    settings["ConnectionStrings:Manyi"] = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
                    var version = await ScalarAsync(postgres, "SHOW server_version");
                    return await RunAsync(settings, $"PostgreSQL {version} (database {database}, dropped afterwards)", organizations, workers);
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    await ExecuteAsync(postgres, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                }
            }
            return await RunAsync(settings, $"SQLite {SqliteVersion()} file {Path.Combine(folder, "manyi.db")} (deleted afterwards)", organizations, workers);
        }
        catch (BenchFailure failure)
        {
            Console.Error.WriteLine($"FAILED: {failure.Message}");
            return 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> settings, string databaseDescription, int organizationCount, int workers)
    {
        var cancellationToken = CancellationToken.None;
        var root = RepositoryRoot();
        // UTC, as TimeProvider.System gives it: PostgreSQL takes instants only with offset 0.
        var clock = new FakeTimeProvider(CampaignYear.At("2025-04-21T08:00:00").ToUniversalTime());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddSimpleConsole(c => c.TimestampFormat = "HH:mm:ss ").SetMinimumLevel(LogLevel.Warning)
            // EF Core reports the missing migrations table of a new database as an error before it creates it.
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.None));
        services.AddSingleton<TimeProvider>(clock);
        services.AddManyiData(configuration);
        services.AddManyiEngine();
        services.AddManyiEmail(configuration);
        services.AddManyiCampaign();
        services.Replace(ServiceDescriptor.Singleton(BusinessCalendar.FromFolder(Path.Combine(root, "calendars"))));
        // Timers fire when the bench's clock reaches them, not through Hangfire; e-mails stay in the outbox table.
        services.Replace(ServiceDescriptor.Singleton<ITimerScheduler, NoTimerScheduler>());
        services.Replace(ServiceDescriptor.Singleton<IEmailDispatcher, NoEmailDispatcher>());
        services.Replace(ServiceDescriptor.Scoped<ITaskDirectory, ContactsTaskDirectory>());
        // The product's store, timed: where the time goes.
        var timings = new StoreTimings();
        services.AddScoped<SqlWorkflowStore>();
        services.Replace(ServiceDescriptor.Scoped<IWorkflowStore>(s => new TimedWorkflowStore(s.GetRequiredService<SqlWorkflowStore>(), timings)));
        await using var provider = services.BuildServiceProvider();

        var script = new CampaignScript(organizationCount);
        Console.WriteLine(string.Create(Invariant,
            $"Manyi campaign bench: the 2025 campaign year (workflows/campaign.json + participant.json, campaigns/2025.json) for {organizationCount:N0} organizations, {workers} workers"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"database: {databaseDescription}");

        // Set-up, not measured as the year: schema, workflows, organizations.
        var setup = Stopwatch.StartNew();
        await using (var scope = provider.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.MigrateAsync(cancellationToken);
        var migrated = setup.Elapsed;
        await using (var scope = provider.CreateAsyncScope())
        {
            var report = await scope.ServiceProvider.GetRequiredService<WorkflowsFolderImport>().ImportAsync(Path.Combine(root, "workflows"), cancellationToken);
            foreach (var id in new[] { CampaignYear.CampaignDefinitionId, CampaignYear.ParticipantDefinitionId })
                if (!report.Any(r => r.DefinitionId == id && r.Outcome == "published"))
                    throw new BenchFailure($"workflows/{id}.json was not published: " +
                        string.Join("; ", report.Select(r => $"{r.Path} {r.Outcome} {string.Join(" ", r.Problems)}")));
        }
        var imported = setup.Elapsed;
        await InsertOrganizationsAsync(provider, script, clock.GetUtcNow(), cancellationToken);
        var inserted = setup.Elapsed;
        Console.WriteLine(string.Create(Invariant,
            $"set-up: migrations {Seconds(migrated)}, workflows imported + published {Seconds(imported - migrated)}, {organizationCount:N0} organizations inserted {Seconds(inserted - imported)}"));
        Console.WriteLine();

        var settingsFile = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "campaigns", "2025.json"), cancellationToken))!;
        var campaign = settingsFile["campaign"]!.AsObject();
        // Seats for every organization's two trainees: the bench's script has no wait-list (the simulation test plays one).
        foreach (var session in campaign["training"]!["sessions"]!.AsArray()) session!["capacity"] = 2 * organizationCount;
        var year = new CampaignYear(provider, clock, script, workers, timings);
        Console.Error.WriteLine("playing the year ...");
        var wall = Stopwatch.StartNew();
        await year.RunAsync(campaign, cancellationToken);
        wall.Stop();
        var peak = PeakWorkingSet();

        Console.Error.WriteLine("checking the outcome ...");
        var outcome = await CheckOutcomeAsync(provider, script, year.CampaignInstanceId, cancellationToken);

        var steps = new TextTable(("step (timers on the way counted apart)", false), ("count", true), ("elapsed", true), ("per s", true),
            ("campaign bursts", true), ("their time", true));
        foreach (var step in year.Steps.Append(year.Timers))
            steps.AddRow(step.Name, Count(step.Count), Seconds(step.Elapsed), Rate(step.Count / step.Elapsed.TotalSeconds),
                Count(step.CampaignBursts), Seconds(step.CampaignBurstTime));
        Console.WriteLine("The year, step by step (campaign bursts: the campaign instance's updates, from its load to its save, under its lock)");
        Console.WriteLine(steps.Render());
        var store = new TextTable(("instances of", false), ("loads", true), ("load time", true), ("saves", true), ("save time", true));
        foreach (var definition in new[] { CampaignYear.CampaignDefinitionId, CampaignYear.ParticipantDefinitionId })
        {
            var sums = timings[definition];
            store.AddRow(definition, Count(sums.Loads), Seconds(sums.LoadTime), Count(sums.Saves), Seconds(sums.SaveTime));
        }
        Console.WriteLine("The store (summed over all workers, so more than the wall time when they overlap)");
        Console.WriteLine(store.Render());

        var instances = organizationCount + 1;
        var summary = new TextTable(("figure", false), ("value", true), ("target", false), ("", false));
        summary.AddRow("organizations", Count(organizationCount), "", "");
        summary.AddRow("instances (campaign + participants)", Count(instances), "", "");
        summary.AddRow("tasks completed", Count(year.TasksCompleted), "", "");
        summary.AddRow("timers fired", Count(year.TimersFired), "", "");
        summary.AddRow("e-mails in the outbox", Count(outcome.Emails), "", "");
        summary.AddRow("wall time of the year", Seconds(wall.Elapsed), $"< {TargetWallTime.TotalSeconds:0} s", wall.Elapsed < TargetWallTime ? "met" : "MISSED");
        summary.AddRow($"  of which the dispatch (notice → {organizationCount:N0} instances)", Seconds(year.Dispatch), "", "");
        summary.AddRow("instances/s (instances ÷ wall time of the year)", (instances / wall.Elapsed.TotalSeconds).ToString("N1", Invariant), "", "");
        summary.AddRow("peak working set (Process.PeakWorkingSet64)", $"{peak / 1048576.0:N0} MiB", "< 1,024 MiB", peak < TargetPeakBytes ? "met" : "MISSED");
        summary.AddRow("campaign instance's state at the end", $"{outcome.CampaignStateBytes / 1024.0:N0} KiB", "", "");
        Console.WriteLine("Summary");
        Console.WriteLine(summary.Render());

        if (outcome.Problems.Count > 0)
        {
            Console.WriteLine("OUTCOME WRONG — the year did not end as the script implies:");
            foreach (var problem in outcome.Problems) Console.WriteLine("  " + problem);
            return 1;
        }
        Console.WriteLine(string.Create(Invariant,
            $"outcome as scripted: campaign Finished; {organizationCount:N0} of {organizationCount:N0} participant instances Finished; " +
            $"{outcome.Reviewed:N0} Reviewed; results, ratings and the e-mails to each organization as expected."));
        return wall.Elapsed < TargetWallTime && peak < TargetPeakBytes ? 0 : 3;
    }

    private static async Task InsertOrganizationsAsync(IServiceProvider provider, CampaignScript script, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var i = 0;
        foreach (var id in script.Organizations)
        {
            var @operator = ListOrder.Operators[i % ListOrder.Operators.Count];
            var city = ListOrder.HenanCities[i / ListOrder.Operators.Count % ListOrder.HenanCities.Count];
            db.Organizations.Add(new OrganizationRecord
            {
                Id = id, Name = $"{city}{@operator} {id}", Operator = @operator, City = city, CreatedAt = now, UpdatedAt = now,
                Contacts = [new OrganizationContactRecord { OrganizationId = id, Name = $"联系人 {id}", Email = $"contact.{id}@example.org" }],
            });
            i++;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private sealed record Outcome(List<string> Problems, int Reviewed, int Emails, long CampaignStateBytes);

    /// <summary>What the script implies: the campaign and every participant Finished, each organization's result, ratings and e-mails.</summary>
    private static async Task<Outcome> CheckOutcomeAsync(IServiceProvider provider, CampaignScript script, string campaignId, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();

        var campaign = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == campaignId)
            .Select(i => new { i.Status, i.State.Length }).FirstAsync(cancellationToken);
        if (campaign.Status != nameof(WorkflowStatus.Finished)) problems.Add($"the campaign instance is {campaign.Status}, not Finished");

        // Each participant's status, result and rating, read from its state a page at a time.
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var ids = await db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == CampaignYear.ParticipantDefinitionId)
            .OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        foreach (var page in ids.Chunk(200))
            foreach (var row in await db.WorkflowInstances.AsNoTracking().Where(i => page.Contains(i.Id))
                         .Select(i => new { i.CorrelationId, i.Status, i.State }).ToListAsync(cancellationToken))
            {
                var variables = StateFormat.Read(row.State).Variables;
                var organization = row.CorrelationId ?? "?";
                if (results.ContainsKey(organization)) problems.Add($"{organization} has more than one participant instance");
                results[organization] = $"{row.Status} {(string?)variables.GetValueOrDefault("result")} {(string?)variables.GetValueOrDefault("rating")}".TrimEnd();
                reasons[organization] = variables.GetValueOrDefault("reasons")?.ToJsonString() ?? "";
            }
        var finished = results.Values.Count(r => r.StartsWith("Finished", StringComparison.Ordinal));
        if (results.Count != script.Organizations.Count || finished != results.Count)
            problems.Add($"{results.Count:N0} participant instances for {script.Organizations.Count:N0} organizations, {finished:N0} of them Finished");
        var wrong = script.Organizations.Where(o => results.GetValueOrDefault(o) != script.ExpectedResult(o)).ToList();
        foreach (var o in wrong.Take(10)) problems.Add($"{o}: '{results.GetValueOrDefault(o) ?? "no instance"}', expected '{script.ExpectedResult(o)}'");
        if (wrong.Count > 10) problems.Add($"… and {wrong.Count - 10:N0} more organizations with another result");
        var reviewed = results.Values.Count(r => r.StartsWith("Finished Reviewed", StringComparison.Ordinal));
        var expectedReviewed = script.Organizations.Count(o => script.ExpectedResult(o).StartsWith("Finished Reviewed", StringComparison.Ordinal));
        if (reviewed != expectedReviewed) problems.Add($"{reviewed:N0} results Reviewed, expected {expectedReviewed:N0}");
        // The boundary of the index: 81.0 goes on, 80.9 stops with the reason recorded.
        foreach (var o in script.BelowIndex.Where(o => !reasons.GetValueOrDefault(o, "").Contains("80.9", StringComparison.Ordinal)).Take(5))
            problems.Add($"{o} (index 80.9) has no reason naming 80.9: {reasons.GetValueOrDefault(o)}");

        var ratings = await db.Organizations.AsNoTracking().Where(o => o.LastRating != null).OrderBy(o => o.Id)
            .Select(o => o.Id + " " + o.LastRating).ToListAsync(cancellationToken);
        var expectedRatings = script.Organizations.Where(o => script.ExpectedResult(o).StartsWith("Finished Reviewed", StringComparison.Ordinal) && script.Rating(o) != "NotRated")
            .Select(o => $"{o} {script.Rating(o)}").ToList();
        if (!ratings.SequenceEqual(expectedRatings))
            problems.Add($"{ratings.Count:N0} organizations with a published rating, expected {expectedRatings.Count:N0}; first difference: " +
                $"{ratings.Except(expectedRatings).Concat(expectedRatings.Except(ratings)).FirstOrDefault()}");

        // Every e-mail, by kind and organization (what reached the organization's contact).
        var emails = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var messages = await db.OutboxMessages.AsNoTracking().Select(m => new { m.Kind, m.To }).ToListAsync(cancellationToken);
        foreach (var message in messages)
            foreach (Match contact in ContactAddress().Matches(message.To))
                emails[$"{message.Kind} {contact.Groups[1].Value}"] = emails.GetValueOrDefault($"{message.Kind} {contact.Groups[1].Value}") + 1;
        var expectedEmails = script.ExpectedEmails();
        var differences = expectedEmails.Keys.Union(emails.Keys).Where(k => emails.GetValueOrDefault(k) != expectedEmails.GetValueOrDefault(k)).ToList();
        foreach (var key in differences.Take(10))
            problems.Add($"e-mails '{key}': {emails.GetValueOrDefault(key)}, expected {expectedEmails.GetValueOrDefault(key)}");
        if (differences.Count > 10) problems.Add($"… and {differences.Count - 10:N0} more e-mail counts that differ");

        return new Outcome(problems, reviewed, messages.Count, campaign.Length);
    }

    [GeneratedRegex(@"contact\.(org-\d+)@example\.org")]
    private static partial Regex ContactAddress();

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "Manyi.slnx"))) return folder.FullName;
        throw new BenchFailure("The repository root (Manyi.slnx) was not found above the bench or the current folder.");
    }

    /// <summary>The process's peak resident set so far (VmHWM on Linux).</summary>
    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static string Count(int value) => value.ToString("N0", Invariant);

    private static string Rate(double perSecond) => perSecond.ToString("N1", Invariant);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N2", Invariant) + " s";
}
