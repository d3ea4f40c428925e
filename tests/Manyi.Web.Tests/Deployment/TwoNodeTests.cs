using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Testing;
using Npgsql;

namespace Manyi.Web.Tests.Deployment;

/// <summary>
/// Two Manyi nodes as separate OS processes (the app's build output, <c>dotnet Manyi.Web.dll</c>, in the Production
/// environment) on one PostgreSQL database, with Hangfire's PostgreSQL storage, sending through one SMTP server.
/// 200 organizations each have a reminder due at the same instant; one node is killed (<see cref="Process.Kill()"/>) in
/// the middle of sending them. Every reminder must arrive, and none twice from two live nodes. A message the killed node
/// handed to the SMTP server but had not yet marked Sent when it died is sent again once its claim expires: nobody can
/// know whether the server accepted it. Such a copy carries the same Message-Id (mail clients show one message), and
/// there are at most as many as node A had workers sending at that moment (<see cref="NodeAWorkers"/>).
/// </summary>
/// <remarks>
/// Real time passes, so the issue's five minutes are compressed to <see cref="Window"/> (60 s) and the recovery
/// settings scaled with it: a dead node's fetched jobs return after 30 s (<c>Manyi:Hangfire:InvisibilityTimeout</c>,
/// 5 min in production), a lock of Hangfire's that node A held when it died is taken over after 15 s (1 min; a job whose
/// state it was changing waits for it), reconciliation runs every minute (every 5), a message claim and a timer claim last 20 s (5 min). The calendar
/// folder makes every day of this year and the next a working day from 00:00 to 23:59:59 UTC, so that the "at the
/// deadline" step goes out at its <c>sendAt</c> (a whole minute, the deadlines in the minute after it) whatever day the test runs.
/// </remarks>
public sealed class TwoNodeTests
{
    private const int Organizations = 200;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SetUpAllowance = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(150);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Node A's Hangfire workers: the most messages it can be in the middle of sending when it is killed.</summary>
    private const int NodeAWorkers = 4;

    private static string Reminding(DateTimeOffset sendAt) => Workflows.Flowchart("org-reminder",
        Workflows.Start() + ", " +
        $$"""
        {"id": "report", "type": "Elsa.Event",
         "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "headcount-reported"} },
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "培训人数报送 Headcount report"} },
         "deadline": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "getInput('deadline')"} },
         "deadlineBehaviour": {"typeName": "String", "expression": {"type": "Literal", "value": "Flag"} },
         "reminders": {"atDeadline": true, "sendAt": "{{sendAt.ToString("HH:mm", CultureInfo.InvariantCulture)}}"},
         "remindTo": {"typeName": "String[]", "expression": {"type": "JavaScript", "value": "[getInput('email')]"} } }
        """,
        Workflows.Connect("start", "report"));

    [Fact(Timeout = 420_000)]
    public async Task Reminders_due_together_all_arrive_when_a_node_is_killed_and_only_its_messages_in_flight_come_twice()
    {
        var clock = Stopwatch.StartNew();
        var cancellation = TestContext.Current.CancellationToken;
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var smtp = await SmtpTestServer.StartAsync();
        var root = Directory.CreateTempSubdirectory("manyi-two-nodes-");
        try
        {
            var environment = Environment(root.FullName, database.ConnectionString, smtp.Port);

            // Migrations are an explicit step (Manyi's schema and Hangfire's), as in the compose file; the nodes do not migrate.
            var migrate = await ManyiNode.RunAsync("migrate", environment, TimeSpan.FromMinutes(2), "migrate");
            Assert.True(migrate.ExitCode == 0, $"migrate exited with {migrate.ExitCode}:\n{migrate.Output}");
            Assert.Contains("The Hangfire schema 'hangfire' is up to date.", migrate.Output);

            var (urlA, urlB) = ($"http://127.0.0.1:{FreePort()}", $"http://127.0.0.1:{FreePort()}");
            await using var nodeA = ManyiNode.Start("node A", With(environment, ("Manyi__Bootstrap__AdminEmail", ManyiApp.AdminEmail),
                ("Manyi__Bootstrap__AdminPassword", ManyiApp.AdminPassword), ("Manyi__DataDirectory", Path.Combine(root.FullName, "node-a")),
                ("Manyi__Hangfire__WorkerCount", NodeAWorkers.ToString(CultureInfo.InvariantCulture))), urlA);
            await nodeA.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            await using var nodeB = ManyiNode.Start("node B", With(environment, ("Manyi__DataDirectory", Path.Combine(root.FullName, "node-b"))), urlB);
            await nodeB.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            var started = clock.Elapsed;

            // One sign-in on node A; the token works on node B too (the shared data-protection keys).
            using var clientA = new HttpClient { BaseAddress = new Uri(urlA) };
            using var clientB = new HttpClient { BaseAddress = new Uri(urlB) };
            var token = await LoginAsync(clientA);
            clientA.DefaultRequestHeaders.Authorization = clientB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            // 200 organizations, each waiting for its headcount report due at the end of the day (UTC), with the "at the
            // deadline" reminder at the first whole minute past the set-up allowance; started through both nodes. The
            // deadlines stay hours away (but for a run just before midnight), so that no recovery delay makes a reminder
            // late for its deadline, when the ladder no longer sends it.
            var soon = DateTimeOffset.UtcNow + SetUpAllowance;
            var windowStart = new DateTimeOffset(soon.Ticks - soon.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
            await clientA.DeployAsync(Reminding(windowStart));
            var endOfDay = new DateTimeOffset(windowStart.UtcDateTime.Date, TimeSpan.Zero).AddDays(1).AddSeconds(-1);
            var deadlines = Enumerable.Range(0, Organizations).ToDictionary(Recipient, _ => endOfDay);
            await Parallel.ForEachAsync(Enumerable.Range(0, Organizations), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation },
                async (i, _) =>
                {
                    var body = new JsonObject
                    {
                        ["correlationId"] = $"org-{i:D3}",
                        ["input"] = new JsonObject { ["deadline"] = deadlines[Recipient(i)].ToString("O", CultureInfo.InvariantCulture), ["email"] = Recipient(i) },
                    };
                    var instance = await (i % 2 == 0 ? clientA : clientB).PostJsonAsync("/api/workflow-definitions/org-reminder/execute", body.ToJsonString()).ExpectOkAsync();
                    Assert.Equal("Suspended", instance.GetString("status"));
                });
            var setUpDone = DateTimeOffset.UtcNow;
            Assert.True(setUpDone < windowStart, $"Setting up the {Organizations} organizations took until {setUpDone - windowStart} after the window opened.");

            // Watch the mailbox.
            var arrived = new Dictionary<string, DateTimeOffset>();
            void Watch()
            {
                foreach (var message in smtp.Messages)
                    foreach (var to in message.Recipients)
                        arrived.TryAdd(to, DateTimeOffset.UtcNow);
            }
            // Node A dies as soon as the first reminders have arrived, while the others are still being sent.
            var killAt = windowStart + Window / 2;
            while (smtp.Messages.Count == 0 && DateTimeOffset.UtcNow < killAt)
            {
                Watch();
                await Task.Delay(250, Ct);
            }
            Watch();
            var beforeKill = smtp.Messages.Count;
            nodeA.Kill();
            var killed = DateTimeOffset.UtcNow;

            var giveUp = windowStart + Window + Recovery;
            while (arrived.Count < Organizations && DateTimeOffset.UtcNow < giveUp)
            {
                Watch();
                await Task.Delay(250, Ct);
            }
            // A little longer, for any second copy still on its way.
            await Task.Delay(TimeSpan.FromSeconds(10), Ct);
            Watch();

            var messages = smtp.Messages.ToList();
            var perRecipient = messages.SelectMany(m => m.Recipients).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
            var duplicates = perRecipient.Where(p => p.Value > 1).Select(p => $"{p.Key} ×{p.Value}").ToList();
            var duplicateIds = messages.GroupBy(m => m.Message.MessageId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            var lost = deadlines.Keys.Where(r => !perRecipient.ContainsKey(r)).Order().ToList();
            var lateness = arrived.Where(a => deadlines.ContainsKey(a.Key)).Select(a => a.Value - windowStart).ToList();
            var outbox = await OutboxAsync(database.ConnectionString);
            var figures = $"{Organizations} reminders due at once; node A killed {killed - windowStart:mm\\:ss} after, " +
                          $"{beforeKill} sent by then; received {messages.Count}, {duplicates.Count} duplicate(s), {lost.Count} lost; " +
                          $"latest {(lateness.Count == 0 ? "-" : lateness.Max().TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture))} s after it was due; " +
                          $"outbox {string.Join(", ", outbox.Select(o => $"{o.Key} {o.Value}"))}; nodes ready after {started.TotalSeconds:0} s, whole test {clock.Elapsed.TotalSeconds:0} s.";
            TestContext.Current.TestOutputHelper?.WriteLine(figures);
            // The figures and both nodes' logs stay behind for a look after the run.
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "manyi-two-nodes-figures.txt"), figures + "\n", Ct);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "manyi-two-nodes-a.log"), nodeA.Output, Ct);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "manyi-two-nodes-b.log"), nodeB.Output, Ct);

            var diagnostics = $"{figures}\n--- Hangfire: locks held, jobs not finished ---\n{await HangfireLeftoversAsync(database.ConnectionString)}" +
                              $"\n--- node B ---\n{Tail(nodeB.Output)}\n--- node A ---\n{Tail(nodeA.Output)}";
            Assert.True(lost.Count == 0, $"Lost: {string.Join(", ", lost.Take(20))}\n{diagnostics}");
            // A second copy only of what node A was sending when it died: two copies at most, one Message-Id, no more than its workers.
            var copies = messages.GroupBy(m => m.Message.MessageId).Where(g => g.Count() > 1).ToList();
            Assert.True(duplicates.Count <= NodeAWorkers && perRecipient.Values.All(n => n <= 2)
                        && copies.Count == duplicates.Count && copies.All(g => g.SelectMany(m => m.Recipients).Distinct().Count() == 1),
                $"Sent twice beyond a killed node's messages in flight: {string.Join(", ", duplicates.Concat(duplicateIds).Take(20))}\n{diagnostics}");
            Assert.Equal(Organizations + duplicates.Count, messages.Count);
            Assert.True(outbox.GetValueOrDefault("Sent") == Organizations && outbox.Count == 1, diagnostics);
            Assert.True(beforeKill is > 0 and < Organizations, $"The kill should fall mid-window, with some reminders sent and some not: {figures}");
            Assert.True(killed < windowStart + Window, figures);
            // The structured logs name the instance a line is about (a logging scope of each burst and timer job).
            Assert.Contains("\"WorkflowInstanceId\"", nodeB.Output);
            Assert.False(nodeB.HasExited, $"Node B stopped:\n{Tail(nodeB.Output)}");
        }
        finally
        {
            try
            {
                root.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Recipient(int i) => $"org-{i:D3}@example.org";

    /// <summary>A production configuration, as environment variables; the recovery timings scaled to the compressed window.</summary>
    private static Dictionary<string, string> Environment(string root, string connectionString, int smtpPort)
    {
        var calendars = TestCalendars.EveryDayWorking(Path.Combine(root, "calendars"));
        return new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Manyi"] = connectionString,
            ["Manyi__MigrateOnStartup"] = "false",
            ["Manyi__PublicUrl"] = "http://manyi.example.org",
            ["Manyi__WorkflowsDirectory"] = Directory.CreateDirectory(Path.Combine(root, "workflows")).FullName,
            ["Manyi__CalendarDirectory"] = calendars,
            ["Manyi__Calendar__TimeZone"] = "UTC",
            ["Manyi__Calendar__WorkdayStart"] = "00:00:00",
            ["Manyi__Calendar__WorkdayEnd"] = "23:59:59",
            ["Manyi__Files__Directory"] = Path.Combine(root, "shared", "files"),
            ["Manyi__DataProtection__KeysDirectory"] = Path.Combine(root, "shared", "keys"),
            ["Manyi__Smtp__Host"] = "127.0.0.1",
            ["Manyi__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Manyi__Smtp__Security"] = "None",
            ["Manyi__Smtp__Timeout"] = "00:00:10",
            ["Manyi__Email__ClaimTimeout"] = "00:00:20",
            // A claim that short needs quick robots too (a digest must end well inside it).
            ["Manyi__Channels__Timeout"] = "00:00:02",
            ["Manyi__Channels__MaxRateWait"] = "00:00:03",
            ["Manyi__Hangfire__WorkerCount"] = "8",
            ["Manyi__Hangfire__QueuePollInterval"] = "00:00:01",
            ["Manyi__Hangfire__InvisibilityTimeout"] = "00:00:30",
            ["Manyi__Hangfire__DistributedLockTimeout"] = "00:00:15",
            ["Manyi__Hangfire__ReconciliationCron"] = "* * * * *",
            ["Manyi__Hangfire__TimerClaimDuration"] = "00:00:20",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        };
    }

    private static Dictionary<string, string> With(Dictionary<string, string> environment, params (string Key, string Value)[] more)
    {
        var copy = new Dictionary<string, string>(environment);
        foreach (var (key, value) in more) copy[key] = value;
        return copy;
    }

    private static async Task<string> LoginAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email = ManyiApp.AdminEmail, password = ManyiApp.AdminPassword }, Ct);
        var body = await response.ExpectAsync(System.Net.HttpStatusCode.OK);
        return body.GetString("accessToken");
    }

    private static async Task<Dictionary<string, long>> OutboxAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("""SELECT "Status", count(*) FROM outbox_messages GROUP BY "Status" """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync(Ct)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>What a lost message or timer waits behind: Hangfire's distributed locks still held and its jobs not finished.</summary>
    private static async Task<string> HangfireLeftoversAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT 'lock ' || resource || ' acquired ' || coalesce(acquired::text, '?') FROM hangfire.lock
            UNION ALL
            SELECT 'job ' || j.id || ' ' || coalesce(j.statename, '(none)') || ' ' || j.arguments || coalesce(' fetched ' || q.fetchedat::text, '')
            FROM hangfire.job j LEFT JOIN hangfire.jobqueue q ON q.jobid = j.id
            WHERE j.statename IS DISTINCT FROM 'Succeeded' AND j.statename IS DISTINCT FROM 'Deleted'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var lines = new List<string>();
        while (await reader.ReadAsync(Ct)) lines.Add(reader.GetString(0));
        return lines.Count == 0 ? "(none)" : string.Join('\n', lines.Take(40));
    }

    private static string Tail(string output, int lines = 60) => string.Join('\n', output.Split('\n').TakeLast(lines));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
