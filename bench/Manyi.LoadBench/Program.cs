using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Manyi.Bench;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Manyi.LoadBench;

/// <summary>Not top-level statements: the web host's <c>Program</c> is the one <see cref="LoadHost"/> starts.</summary>
public static class LoadBenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Issue 19, target 2: the web under load. See README "Benchmark" and Usage below.
        const string Usage = """
            Manyi.LoadBench [--organizations 2000] [--participants 200] [--concurrency 50] [--seconds 15] [--admin-concurrency 1]
                            [--postgres "Host=…;Username=…;Database=postgres"] [--hash-iterations N] [--explain]
            Without --postgres: the embedded default, a SQLite file in a temporary folder. With it: a database of its own
            (manyi_loadbench_<pid>), dropped afterwards. --hash-iterations lowers the password hashing (only sign-ins cost more).
            --explain adds where each endpoint's time goes on the server (SQL commands, connections, time in SQL).
            Exits with 1 when a target is missed.
            """;
        var invariant = CultureInfo.InvariantCulture;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = args.Where(a => a != "--explain").ToArray();
        for (var i = 0; i + 1 < named.Length; i += 2) options[named[i].TrimStart('-')] = named[i + 1];
        if (args.Contains("--help") || named.Length % 2 == 1)
        {
            Console.WriteLine(Usage);
            return args.Contains("--help") ? 0 : 2;
        }
        int Number(string name, int fallback) => options.TryGetValue(name, out var text) ? int.Parse(text, invariant) : fallback;
        var shape = new Shape(Number("organizations", 2000), Number("participants", 200), Number("concurrency", 50), TimeSpan.FromSeconds(Number("seconds", 15)),
            Number("admin-concurrency", 1), options.TryGetValue("hash-iterations", out var rounds) ? int.Parse(rounds, invariant) : null,
            args.Contains("--explain"));

        var root = Directory.CreateTempSubdirectory("manyi-loadbench-");
        var postgresAdmin = options.GetValueOrDefault("postgres");
        var database = $"manyi_loadbench_{Environment.ProcessId}";
        try
        {
            string? postgres = null;
            if (postgresAdmin is not null)
            {
                await ExecuteAsync(postgresAdmin, $"CREATE DATABASE \"{database}\"");
                postgres = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = database }.ConnectionString;
            }
            return await RunAsync(shape, root.FullName, postgres);
        }
        finally
        {
            if (postgresAdmin is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(postgresAdmin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            }
            root.Delete(recursive: true);
        }

        static async Task<int> RunAsync(Shape shape, string dataDirectory, string? postgres)
        {
            var ct = CancellationToken.None;
            var password = "participant-2025";
            await using var host = new LoadHost(dataDirectory, postgres, shape.HashIterations, shape.Explain);
            var clock = Stopwatch.StartNew();
            host.Start();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = host.Address,
                Timeout = TimeSpan.FromMinutes(10),
            };
            var adminToken = await LoginAsync(http, LoadHost.AdminEmail, LoadHost.AdminPassword);
            using var admin = new HttpClient(new SocketsHttpHandler()) { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(10) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            Console.Error.WriteLine($"host started in {clock.Elapsed.TotalSeconds:0.0} s at {host.Address}");

            // The year.
            var seed = new YearSeed(host, admin);
            clock.Restart();
            var participants = await seed.PeopleAsync(shape.Organizations, shape.Participants, password, ct);
            Console.Error.WriteLine($"{shape.Organizations:N0} organizations and {participants.Count} participants in {clock.Elapsed.TotalSeconds:0.0} s");
            clock.Restart();
            await seed.StartYearAsync(ct);
            Console.Error.WriteLine($"campaign started and notice published (instances dispatched) in {clock.Elapsed.TotalSeconds:0.0} s");
            clock.Restart();
            var reported = await seed.ReportHeadcountsAsync(participants.Select(p => p.Organization).ToHashSet(StringComparer.Ordinal), ct);
            Console.Error.WriteLine($"{reported:N0} headcounts reported in {clock.Elapsed.TotalSeconds:0.0} s");
            var (taskRows, instances) = await CountAsync(host);

            RequestCosts.Reset();
            var results = new List<Measured>();
            // Sign-in: every participant gets a bearer token.
            var tokens = new string[participants.Count];
            results.AddRange(await Load.EachAsync([.. Enumerable.Range(0, participants.Count)], shape.Concurrency, ["sign-in (POST /api/auth/login)"],
                async (p, timed) => await timed(0, async () =>
                {
                    tokens[p] = await LoginAsync(http, participants[p].Email, password);
                    return true;
                })));

            Task<bool> Get(string path, string? token) => SendAsync(http, HttpMethod.Get, path, token, null);
            // Warm-up (not measured): each participant's inbox and the bare endpoint once.
            for (var p = 0; p < participants.Count; p++)
            {
                await Get("/api/tasks", tokens[p]);
                await Get($"{BareInbox.Path}?organization={participants[p].Organization}", null);
            }
            // The inbox against the bare endpoint, back to back in the same conditions, twice in turn.
            var bare = new List<Measured>();
            var inbox = new List<Measured>();
            for (var round = 0; round < 2; round++)
            {
                bare.Add(await Load.ForAsync("bare inbox (one SQL query)", shape.Concurrency, shape.Duration / 2, (worker, n, _) =>
                    Get($"{BareInbox.Path}?organization={participants[(worker + n * shape.Concurrency) % participants.Count].Organization}", null)));
                inbox.Add(await Load.ForAsync("inbox (GET /api/tasks)", shape.Concurrency, shape.Duration / 2, (worker, n, _) =>
                    Get("/api/tasks", tokens[(worker + n * shape.Concurrency) % participants.Count])));
            }
            results.Add(Merge(bare));
            results.Add(Merge(inbox));
            if (shape.Explain)
                // A signed-in request with next to no work of its own: what authentication and the pipeline cost.
                results.Add(await Load.ForAsync("who am I (GET /api/auth/manage/info)", shape.Concurrency, shape.Duration / 2, (worker, n, _) =>
                    Get("/api/auth/manage/info", tokens[(worker + n * shape.Concurrency) % participants.Count])));

            // Each participant lists its tasks, opens the headcount and completes its form, 50 at a time.
            results.AddRange(await Load.EachAsync([.. Enumerable.Range(0, participants.Count)], shape.Concurrency,
                ["flow: list (GET /api/tasks)", "flow: open (GET /api/tasks/{id})", "flow: complete (POST …/complete)"],
                async (p, timed) =>
                {
                    string? id = null;
                    await timed(0, async () =>
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks");
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[p]);
                        using var response = await http.SendAsync(request);
                        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
                        id = body?["items"]?.AsArray().FirstOrDefault(t => (string?)t?["stage"] == "headcount")?["id"]?.ToString();
                        return response.IsSuccessStatusCode && id is not null;
                    });
                    if (id is null) return;
                    await timed(1, () => Get($"/api/tasks/{id}", tokens[p]));
                    await timed(2, () => SendAsync(http, HttpMethod.Post, $"/api/tasks/{id}/complete", tokens[p],
                        JsonContent.Create(new { outcome = "Submitted", data = YearSeed.Headcount(p % 3 + 1) })));
                }));

            // The administrator: the dashboard's pages of the grid and the all-tasks list's pages.
            var gridPages = Math.Max(1, shape.Organizations / 20);
            results.Add(await Load.ForAsync("dashboard (GET /api/dashboard/2025)", shape.AdminConcurrency, shape.Duration, (worker, n, _) =>
                Get($"/api/dashboard/{YearSeed.Year}?page={1 + (n * 7 + worker) % gridPages}", adminToken)));
            var taskPages = Math.Max(1, taskRows / 50);
            results.Add(await Load.ForAsync("all tasks (GET /api/tasks?all=true)", shape.AdminConcurrency, shape.Duration, (worker, n, _) =>
                Get($"/api/tasks?all=true&status=any&page={1 + (n * 7 + worker) % taskPages}", adminToken)));

            // The report.
            Console.WriteLine($"Manyi load bench: {shape.Organizations:N0} organizations ({instances:N0} instances, {taskRows:N0} task rows), " +
                              $"{participants.Count} participants, {shape.Concurrency} concurrent; administrator {shape.AdminConcurrency} concurrent");
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}; " +
                              $"database: {(postgres is null ? "SQLite file (embedded default)" : "PostgreSQL")}; Kestrel on loopback, client in the same process");
            var table = new TextTable(("request", false), ("conc.", true), ("ok", true), ("failed", true), ("req/s", true),
                ("p50 ms", true), ("p95 ms", true), ("p99 ms", true), ("load avg (1 min) before → after", false));
            foreach (var m in results) table.AddRow(m.Row());
            Console.WriteLine(table.Render());
        if (shape.Explain) Console.WriteLine(RequestCosts.Report());

            var bareRate = results.Single(r => r.Kind.StartsWith("bare", StringComparison.Ordinal)).PerSecond;
            var inboxRate = results.Single(r => r.Kind.StartsWith("inbox", StringComparison.Ordinal)).PerSecond;
            var complete = results.Single(r => r.Kind.StartsWith("flow: complete", StringComparison.Ordinal));
            var dashboard = results.Single(r => r.Kind.StartsWith("dashboard", StringComparison.Ordinal));
            var targets = new (string Name, bool Met, string Figure)[]
            {
                ("inbox ≥ 50 % of the bare endpoint's requests/s", inboxRate >= 0.5 * bareRate, $"{inboxRate / bareRate:P0} ({inboxRate:N0} of {bareRate:N0}/s)"),
                ($"task completion p95 < 250 ms at {shape.Concurrency} concurrent", complete.Percentile(95) < 250 && complete.Count == participants.Count,
                    $"{complete.Percentile(95):0} ms ({complete.Count} of {participants.Count} completed)"),
                ($"dashboard at {shape.Organizations:N0} organizations p95 < 500 ms", dashboard.Percentile(95) < 500, $"{dashboard.Percentile(95):0} ms"),
            };
            var failures = results.Sum(r => r.Failures);
            Console.WriteLine("targets:");
            foreach (var (name, met, figure) in targets) Console.WriteLine($"  {(met ? "met   " : "MISSED")}  {name}: {figure}");
            if (failures > 0) Console.WriteLine($"  {failures} request(s) failed.");
            return targets.All(t => t.Met) && failures == 0 ? 0 : 1;
        }

        static Measured Merge(IReadOnlyList<Measured> rounds)
        {
            var merged = new Measured(rounds[0].Kind, rounds[0].Concurrency) { Wall = TimeSpan.FromTicks(rounds.Sum(r => r.Wall.Ticks)) };
            foreach (var round in rounds)
                foreach (var ms in round.Latencies) merged.Add(ms, true);
            merged.AddFailures(rounds.Sum(r => r.Failures));
            merged.LoadAverage = string.Join("; ", rounds.Select(r => r.LoadAverage));
            return merged;
        }

        static async Task<bool> SendAsync(HttpClient http, HttpMethod method, string path, string? token, HttpContent? content)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return response.IsSuccessStatusCode;
        }

        static async Task<string> LoginAsync(HttpClient http, string email, string password)
        {
            using var response = await http.PostAsJsonAsync("/api/auth/login", new { email, password });
            await YearSeed.Expect(response, $"sign in as {email}", CancellationToken.None);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            return (string)body!["accessToken"]!;
        }

        static async Task<(int Tasks, int Instances)> CountAsync(LoadHost host)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            return (await db.Tasks.CountAsync(), await db.WorkflowInstances.CountAsync());
        }

        static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

internal sealed record Shape(int Organizations, int Participants, int Concurrency, TimeSpan Duration, int AdminConcurrency, int? HashIterations, bool Explain);
