using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Hangfire;
using Manyi.Engine;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Scheduling;
using Manyi.Scheduling.Storage;
using Manyi.Scheduling.Timers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Manyi.TimerBench;

/// <summary>
/// The timer benchmark (issues 3 and 19), through the product's own services on PostgreSQL: schedules organizations ×
/// tasks × reminders timers (each task an instance whose reminders wait in parallel), looks for due timers and reconciles
/// over all of them, measures how late timers due within one minute fire, and how fast the dispatcher claims and
/// enqueues every timer when all fall due at once. Prints its figures against the targets; exits with 1 when one is missed.
/// </summary>
public static class Program
{
    public const string PostgresEnvironmentVariable = "MANYI_BENCH_POSTGRES";

    private const string Usage = """
        Usage: dotnet run -c Release --project bench/Manyi.TimerBench -- --postgres "<admin connection string>"
          --postgres <cs>        a PostgreSQL server (or MANYI_BENCH_POSTGRES); the bench makes a database of its own there and drops it
          --organizations N      default 2000
          --tasks N              per organization, default 8
          --reminders N          per task, default 3
          --parallelism N        instance starts in flight, default 8
          --due N                timers due in one minute for the lateness measure, default 1000
          --within <timespan>    every reminder due within this span of its start (from 10 minutes on), e.g. 01:00:00; default
                                 the campaign's shape, deadlines 30 days and more away
        """;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
        if (args.Contains("--help") || args.Length % 2 == 1)
        {
            Console.WriteLine(Usage);
            return args.Contains("--help") ? 0 : 2;
        }
        var admin = options.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable(PostgresEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            Console.Error.WriteLine($"No PostgreSQL server: give --postgres or {PostgresEnvironmentVariable}.");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        int Number(string name, int fallback) => options.TryGetValue(name, out var text) ? int.Parse(text, Invariant) : fallback;
        var shape = new Shape(Number("organizations", 2000), Number("tasks", 8), Number("reminders", 3), Number("parallelism", 8), Number("due", 1000),
            options.TryGetValue("within", out var within) ? TimeSpan.Parse(within, Invariant) : null);

        var database = $"manyi_timerbench_{Environment.ProcessId}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"");
        try
        {
            return await RunAsync(new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString, shape);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    private sealed record Shape(int Organizations, int Tasks, int Reminders, int Parallelism, int Due, TimeSpan? Within)
    {
        public int Instances => Organizations * Tasks;
        public int Timers => Instances * Reminders;
    }

    private static async Task<int> RunAsync(string connectionString, Shape shape)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Manyi"] = connectionString,
            ["Manyi:MigrateOnStartup"] = "true",
        };
        using var host = BuildHost(settings, null);
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.MigrateAsync();
        await host.StartAsync();
        var scheduling = host.Services.GetRequiredService<ManyiSchedulingOptions>();
        await PublishAsync(host.Services, BenchWorkflows.Reminders(shape.Reminders));
        await PublishAsync(host.Services, BenchWorkflows.DueAt());

        Console.WriteLine(string.Create(Invariant,
            $"Manyi timer bench: {shape.Organizations:N0} organizations × {shape.Tasks} tasks × {shape.Reminders} reminders = {shape.Timers:N0} timers " +
            $"({shape.Instances:N0} instances, {shape.Parallelism} starts in flight{(shape.Within is { } span ? $", every timer due within {span}" : "")})"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"database: PostgreSQL {await ScalarAsync(host.Services, "SHOW server_version")}; Hangfire: PostgreSQL storage, " +
                          $"{scheduling.WorkerCount} workers, schedule polling {scheduling.SchedulePollingInterval.TotalSeconds:0.###} s, " +
                          $"timer dispatcher every {scheduling.TimerPollInterval.TotalSeconds:0.###} s, {scheduling.TimerBatch} a claim");
        Console.WriteLine();

        // 1. Scheduling: every task's instance starts and suspends at its reminders; each commit schedules their jobs.
        Console.Error.WriteLine("scheduling ...");
        var scheduled = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, shape.Instances), new ParallelOptions { MaxDegreeOfParallelism = shape.Parallelism },
            async (i, ct) =>
            {
                var (organization, task) = (i / shape.Tasks, i % shape.Tasks);
                // Deadlines 30 days out and ten days apart per task, spread over ten hours across organizations;
                // reminders 7, 3 and 1 day before (then daily further back if there are more than three).
                var deadline = TimeSpan.FromDays(30 + 10 * task) + TimeSpan.FromMinutes(organization % 600);
                var input = new Dictionary<string, JsonNode?>();
                for (var r = 1; r <= shape.Reminders; r++)
                    input["reminder" + r] = (shape.Within is { } within
                        // Every timer due within the span, from 10 minutes on (after the bench's other steps), spread evenly.
                        ? TimeSpan.FromMinutes(10) + (within - TimeSpan.FromMinutes(10)) * ((i * shape.Reminders + r - 1) / (double)shape.Timers)
                        : deadline - TimeSpan.FromDays(r switch { 1 => 7, 2 => 3, 3 => 1, _ => 7 + r })).ToString("c", Invariant);
                await using var scope = host.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().StartAsync("task-reminders",
                    new StartOptions { CorrelationId = $"org-{organization}", Input = input }, ct);
            });
        scheduled.Stop();
        var timers = Convert.ToInt64(await ScalarAsync(host.Services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" IS NOT NULL"));
        var withJob = Convert.ToInt64(await ScalarAsync(host.Services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" IS NOT NULL AND \"JobId\" IS NOT NULL"));
        var withinHour = Convert.ToInt64(await ScalarAsync(host.Services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" < now() + interval '1 hour'"));
        var peakAfterScheduling = Process.GetCurrentProcess().PeakWorkingSet64;

        // 2. A look for due timers over all of them (none due) and a reconciliation pass, as each node makes them.
        Console.Error.WriteLine("looking for due timers, reconciling ...");
        var look = await LookAsync(host.Services);
        var steady = await ReconcileAsync(host.Services);

        // 3. Lateness: timers due within one minute, while all the others wait in their rows.
        Console.Error.WriteLine("lateness ...");
        var lateness = await MeasureLatenessAsync(host.Services, shape);
        await host.StopAsync();

        // 4. The worst case: every timer due at once (a node down for a day, or a whole campaign's reminders at one
        //    instant): the dispatcher claims them all and enqueues a job each; on a node without a Hangfire server, so
        //    that the figure is the claiming and enqueueing, not the firing.
        Console.Error.WriteLine("every timer due at once ...");
        using var idle = BuildHost(new Dictionary<string, string?>(settings) { ["Manyi:Hangfire:Server"] = "false" }, null);
        await ScalarAsync(idle.Services, "UPDATE bookmarks SET \"ResumeAt\" = now() - interval '1 second' WHERE \"ResumeAt\" IS NOT NULL");
        var dispatcher = idle.Services.GetRequiredService<TimerDispatcher>();
        var burst = Stopwatch.StartNew();
        var claimed = 0;
        for (int n; (n = await dispatcher.DispatchAsync(CancellationToken.None)) > 0;) claimed += n;
        burst.Stop();
        var enqueued = Convert.ToInt64(await ScalarAsync(idle.Services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" IS NOT NULL AND \"JobId\" IS NOT NULL"));
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        var table = new List<(string What, string Figure, string Target, bool? Met)>
        {
            ($"scheduling: {shape.Instances:N0} instances started, {timers:N0} timers ({withinHour:N0} due within the hour), {withJob:N0} with a job",
                $"{Seconds(scheduled.Elapsed)} ({shape.Timers / scheduled.Elapsed.TotalSeconds:N0} timers/s)", "< 60 s",
                scheduled.Elapsed < TimeSpan.FromSeconds(60) && timers == shape.Timers),
            ($"a look for due timers over {look.Examined:N0} waiting timers: {look.Claimed} due",
                Seconds(look.Elapsed), "< 1 s", look.Elapsed < TimeSpan.FromSeconds(1)),
            ($"reconciliation pass over {steady.Examined:N0} timers: {steady.Report.TimerClaimsReleased} claims given back",
                Seconds(steady.Elapsed), "< 5 s", steady.Elapsed < TimeSpan.FromSeconds(5)),
            ($"lateness of {lateness.Count:N0} timers due within one minute: p50 / p99 / max",
                $"{Seconds(lateness.P50)} / {Seconds(lateness.P99)} / {Seconds(lateness.Max)}", "p99 < 5 s", lateness.P99 < TimeSpan.FromSeconds(5) && lateness.Count == shape.Due),
            ($"every timer due at once: {claimed:N0} claimed, {enqueued:N0} jobs enqueued (PostgreSQL storage)",
                $"{Seconds(burst.Elapsed)} ({claimed / burst.Elapsed.TotalSeconds:N0} timers/s)", "", null),
            ("peak memory (Process.PeakWorkingSet64): after scheduling / at the end",
                $"{peakAfterScheduling / 1048576.0:N0} MiB / {peak / 1048576.0:N0} MiB", "", null),
        };
        var width = table.Max(r => r.What.Length);
        var figureWidth = table.Max(r => r.Figure.Length);
        foreach (var (what, figure, target, met) in table)
            Console.WriteLine($"{what.PadRight(width)}  {figure.PadLeft(figureWidth)}  {target,-10} {(met is null ? "" : met.Value ? "met" : "MISSED")}");
        return table.All(r => r.Met is not false) ? 0 : 1;
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, Action<IServiceCollection>? configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging(logging => logging.AddSimpleConsole(c => c.TimestampFormat = "HH:mm:ss ").SetMinimumLevel(LogLevel.Warning)
            // EF Core reports the missing migrations table of a new database as an error before it creates it.
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None));
        builder.Services.AddManyiData(builder.Configuration);
        builder.Services.AddManyiEngine();
        builder.Services.AddManyiScheduling(builder.Configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    private static async Task PublishAsync(IServiceProvider services, Manyi.Engine.Model.WorkflowDefinition definition)
    {
        await using var scope = services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionCatalog>();
        await catalog.ImportAsync(definition, false, null, CancellationToken.None);
        await catalog.PublishAsync(definition.DefinitionId, CancellationToken.None);
    }

    private sealed record Look(int Claimed, long Examined, TimeSpan Elapsed);

    private static async Task<Look> LookAsync(IServiceProvider services)
    {
        var examined = Convert.ToInt64(await ScalarAsync(services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" IS NOT NULL"));
        var stopwatch = Stopwatch.StartNew();
        var claimed = await services.GetRequiredService<TimerDispatcher>().DispatchAsync(CancellationToken.None);
        return new Look(claimed, examined, stopwatch.Elapsed);
    }

    private sealed record Reconciled(ReconciliationReport Report, long Examined, TimeSpan Elapsed);

    private static async Task<Reconciled> ReconcileAsync(IServiceProvider services)
    {
        var examined = Convert.ToInt64(await ScalarAsync(services, "SELECT COUNT(*) FROM bookmarks WHERE \"ResumeAt\" IS NOT NULL"));
        await using var scope = services.CreateAsyncScope();
        var stopwatch = Stopwatch.StartNew();
        var report = await scope.ServiceProvider.GetRequiredService<TimerReconciliation>().RunAsync(CancellationToken.None);
        return new Reconciled(report, examined, stopwatch.Elapsed);
    }

    private sealed record Lateness(int Count, TimeSpan P50, TimeSpan P99, TimeSpan Max);

    /// <summary>
    /// Starts instances whose StartAt falls at random within one minute (starting at the first whole minute at least
    /// 20 s away), waits for them, and reads lateness = the journal's Resumed time − the instant asked for.
    /// </summary>
    private static async Task<Lateness> MeasureLatenessAsync(IServiceProvider services, Shape shape)
    {
        var now = DateTimeOffset.UtcNow;
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(now.Second < 40 ? 1 : 2);
        var random = new Random(42);
        var due = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>();
        await Parallel.ForEachAsync(Enumerable.Range(0, shape.Due), new ParallelOptions { MaxDegreeOfParallelism = shape.Parallelism },
            async (i, ct) =>
            {
                DateTimeOffset at;
                lock (random) at = minute.AddMilliseconds(random.Next(60_000));
                await using var scope = services.CreateAsyncScope();
                var instance = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().StartAsync("due-at",
                    new StartOptions { Input = { ["at"] = at.ToString("O", Invariant) } }, ct);
                due[instance.Id] = at;
            });
        if (DateTimeOffset.UtcNow > minute)
            Console.Error.WriteLine("warning: starting the instances took longer than planned; some timers were already due.");

        var give = minute.AddMinutes(2);
        while (Convert.ToInt64(await ScalarAsync(services, "SELECT COUNT(*) FROM workflow_instances WHERE \"DefinitionId\" = 'due-at' AND \"Status\" = 'Finished'")) < shape.Due
               && DateTimeOffset.UtcNow < give)
            await Task.Delay(500);

        await using var scope = services.CreateAsyncScope();
        var resumed = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().JournalEntries
            .Where(j => j.Event == nameof(JournalEvent.Resumed) && j.ActivityId == "wait")
            .Select(j => new { j.InstanceId, j.At }).ToListAsync();
        var late = resumed.Where(r => due.ContainsKey(r.InstanceId)).Select(r => r.At - due[r.InstanceId]).Order().ToList();
        if (late.Count < shape.Due)
        {
            // Say which timers did not fire, and what their jobs are doing.
            var fired = resumed.Select(r => r.InstanceId).ToHashSet();
            var storage = services.GetRequiredService<JobStorage>();
            using var connection = storage.GetConnection();
            foreach (var id in due.Keys.Where(id => !fired.Contains(id)).Take(10))
            {
                var timer = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Bookmarks.FirstOrDefaultAsync(b => b.InstanceId == id);
                var job = TimerJobId.TryParse(timer?.JobId, out var jobId) ? connection.GetJobData(jobId.HangfireJobId) : null;
                Console.Error.WriteLine($"not fired: instance {id}, due {due[id]:O}, bookmark {timer?.Id ?? "none"}, job {timer?.JobId ?? "none"} ({job?.State ?? "no such job"})");
            }
        }
        if (late.Count == 0) return new Lateness(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        TimeSpan Percentile(double p) => late[Math.Min(late.Count - 1, (int)Math.Ceiling(p * late.Count) - 1)];
        return new Lateness(late.Count, Percentile(0.50), Percentile(0.99), late[^1]);
    }

    private static async Task<object?> ScalarAsync(IServiceProvider services, string sql)
    {
        await using var connection = await services.GetRequiredService<ManyiDatabase>().OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 300;
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.000 s", Invariant);
}
