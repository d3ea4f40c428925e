using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Bench;
using Manyi.Engine.Calendar;
using Manyi.Engine.Serialization;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Rehearsals;
using Microsoft.Extensions.Configuration;

namespace Manyi.RehearsalBench;

/// <summary>
/// How long a rehearsal of the 2025 year takes for the 58 organizations, through the product's own rehearsal run (its
/// sandbox: own SQLite file, engine, campaign activities, virtual clock): everyone on time, and 10 organizations 2 working
/// days late at the headcount. One warm-up run, then <c>--runs</c> timed runs of each; exit code 3 when the median of a
/// scenario misses the target, 1 when a run did not end as it should (findings of errors, not every organization ended).
/// </summary>
public static class Program
{
    public static readonly TimeSpan Target = TimeSpan.FromSeconds(10);
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var runs = args.Length == 2 && args[0] == "--runs" && int.TryParse(args[1], out var n) && n > 0 ? n : 5;
        var root = RepositoryRoot();
        var calendar = BusinessCalendar.FromFolder(Path.Combine(root, "calendars"));
        var configuration = new ConfigurationBuilder().Build();
        var definitions = Directory.GetFiles(Path.Combine(root, "workflows"), "*.json").Select(Definition).ToList();
        var organizations = Organizations(Path.Combine(root, "campaigns", "2025-organizations.csv"));
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "campaigns", "2025.json")))!["campaign"]!.AsObject();
        var names = organizations.ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
        (string Name, RehearsalPlan Plan)[] scenarios =
        [
            ("everyone on time", new RehearsalPlan(names, [], [], 0, null)),
            ("10 late 2 working days at the headcount", new RehearsalPlan(names, RehearsalPlan.Draw([.. names.Keys], 10, 7), ["headcount"], 2, null)),
        ];
        Console.WriteLine($"Manyi rehearsal bench: the 2025 year for {organizations.Count} organizations in the rehearsal sandbox, {runs} timed runs a scenario after one warm-up");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");

        var table = new TextTable(("scenario", false), ("min", true), ("median", true), ("max", true), ("messages", true), ("ended", true), ("target", false), ("", false));
        var exit = 0;
        var run = new RehearsalRun(configuration, calendar);
        foreach (var (name, plan) in scenarios)
        {
            var times = new List<TimeSpan>();
            RehearsalReportData? last = null;
            for (var i = 0; i <= runs; i++)
            {
                var findings = new List<RehearsalFinding>();
                var clock = Stopwatch.StartNew();
                last = await run.RunAsync(definitions, organizations, [], (JsonObject)settings.DeepClone(), plan, findings, CancellationToken.None);
                clock.Stop();
                if (i > 0) times.Add(clock.Elapsed);
                if (findings.Any(f => f.Severity == RehearsalFinding.ErrorSeverity) || last.Ends.Any(e => e.At is null))
                {
                    Console.Error.WriteLine($"FAILED ({name}): {string.Join(" | ", findings.Select(f => f.En))}; not ended: {last.Ends.Count(e => e.At is null)}");
                    exit = 1;
                }
            }
            times.Sort();
            var median = times[times.Count / 2];
            var met = median < Target;
            if (!met && exit == 0) exit = 3;
            table.AddRow(name, Seconds(times[0]), Seconds(median), Seconds(times[^1]), last!.Messages.Count.ToString("N0", Invariant),
                last.Ends.Count(e => e.At is not null).ToString(Invariant), $"median < {Target.TotalSeconds:0} s", met ? "met" : "MISSED");
        }
        Console.WriteLine(table.Render());
        return exit;
    }

    private static WorkflowDefinitionRecord Definition(string file)
    {
        var json = File.ReadAllText(file);
        var definition = ElsaJson.Read(json);
        return new WorkflowDefinitionRecord
        {
            Id = definition.Id, DefinitionId = definition.DefinitionId, Version = Math.Max(1, definition.Version), Name = definition.Name,
            Status = DefinitionStatus.Published, Json = json, ContentHash = "", SourcePath = Path.GetFileName(file),
        };
    }

    /// <summary>The organizations of the 2025 list (id, name, operator, city), each with one invented contact under example.org.</summary>
    private static List<OrganizationRecord> Organizations(string csv) =>
        [.. File.ReadLines(csv).Skip(1).Where(l => l.Length > 0).Select(line => line.Split(',')).Select(cells => new OrganizationRecord
        {
            Id = cells[0], Name = cells[1], Operator = cells[2], City = cells[3],
            Contacts = [new OrganizationContactRecord { OrganizationId = cells[0], Name = "联系人", Email = $"contact.{cells[0]}@example.org" }],
        })];

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N2", Invariant) + " s";

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "Manyi.slnx"))) return folder.FullName;
        throw new InvalidOperationException("The repository root (Manyi.slnx) was not found.");
    }
}
