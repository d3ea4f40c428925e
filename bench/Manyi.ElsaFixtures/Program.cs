using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Usage: dotnet run --project bench/Manyi.ElsaFixtures -- <folder of Elsa 3 workflow .json files>
// Writes the table to the console and to elsa-fixtures-report.txt in that folder. Each file gets a clear refusal or
// passes; any other exception ends the run with it.
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("Usage: Manyi.ElsaFixtures <folder of Elsa 3 workflow .json files>");
    return 2;
}
var folder = Path.GetFullPath(args[0]);
var ct = CancellationToken.None;
var (services, data) = await Sandbox.StartAsync(ct);
var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
var rows = files.Select(f => new FixtureMeasure.Row(Path.GetFileName(f), "")).ToList();
await FixtureMeasure.ImportAllAsync(services, folder, rows, ct);

var report = new StringBuilder();
report.AppendLine($"{rows.Count} files: {rows.Count(r => r.Read)} read, {rows.Count(r => r.Compiled)} compile, {rows.Count(r => r.Imported)} import, " +
                  $"{rows.Count(r => r.Published)} publish, {rows.Count(r => r.ExportedEqual)} export back equal");
foreach (var row in rows.Where(r => r.Problem is not null))
    report.AppendLine($"- {row.File}: {row.Problem}");
await services.DisposeAsync();
Directory.Delete(data, recursive: true);
var (passed, total, runs) = await ElsaRuns.RunAsync(folder, ct);
report.AppendLine($"{passed} of {total} runs that Elsa's own tests assert run as asserted");
report.Append(runs);
Console.Write(report);
await File.WriteAllTextAsync(Path.Combine(folder, "elsa-fixtures-report.txt"), report.ToString(), ct);
return 0;

/// <summary>A throw-away SQLite store with the engine, as the product runs on the embedded default.</summary>
internal static class Sandbox
{
    public static async Task<(ServiceProvider Services, string DataDirectory)> StartAsync(CancellationToken ct)
    {
        var data = Path.Combine(Path.GetTempPath(), "manyi-elsa-fixtures-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        var collection = new ServiceCollection().AddLogging()
            .AddManyiData(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Manyi:DataDirectory"] = data }).Build());
        collection.AddManyiEngine();
        var services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.MigrateAsync(ct);
        return (services, data);
    }
}

internal static class FixtureMeasure
{
    /// <summary>Keys the store states anew for the version it stores: its ids (a definition id when the file has none), creation time, number and flags.</summary>
    private static readonly HashSet<string> RestatedKeys = ["id", "definitionId", "createdAt", "isLatest", "isPublished", "version"];

    internal sealed record Row(string File, string DefinitionId)
    {
        public bool Read { get; set; }
        public bool Compiled { get; set; }
        public bool Imported { get; set; }
        public bool Published { get; set; }
        public bool ExportedEqual { get; set; }
        public string? Problem { get; set; }
    }

    /// <summary>Imports and publishes the files, in passes: workflows used as activities need theirs published first.</summary>
    internal static async Task ImportAllAsync(IServiceProvider services, string folder, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var pending = rows.ToList();
        for (var progress = true; progress && pending.Count > 0;)
        {
            progress = false;
            foreach (var row in pending.ToList())
            {
                if (!await TryAsync(services, folder, row, ct)) continue;
                pending.Remove(row);
                progress = true;
            }
        }
    }

    /// <summary>Takes one file as far as it goes; true when it is published (or can never go further).</summary>
    internal static async Task<bool> TryAsync(IServiceProvider services, string folder, Row row, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(folder, row.File), ct);
        Manyi.Engine.Model.WorkflowDefinition definition;
        try
        {
            definition = ElsaJson.Read(text);
            row.Read = true;
        }
        catch (WorkflowFormatException ex)
        {
            row.Problem = $"read: {ex.Message}";
            return true;
        }
        try
        {
            var imported = await Scoped(services, s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, true, null, ct));
            row.Compiled = row.Imported = true;
            var published = await Scoped(services, s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(imported.Definition.DefinitionId, ct));
            row.Published = true;
            var exported = await Scoped(services, async s => ElsaJson.Write(await s.GetRequiredService<WorkflowDefinitionCatalog>().ToDefinitionAsync(published, ct)));
            var difference = FirstDifference(JsonNode.Parse(text), JsonNode.Parse(exported), "$");
            row.ExportedEqual = difference is null;
            row.Problem = difference is null ? null : $"export differs at {difference}";
            return true;
        }
        catch (WorkflowValidationException ex)
        {
            // Import compiles the file; publishing compiles it again with its workflows-as-activities resolved.
            row.Problem = $"{(row.Imported ? "publish" : "compile")}: {string.Join("; ", ex.Problems.Where(p => p.Severity == Severity.Error).Select(p => p.ToString()))}";
            return false;
        }
        catch (DefinitionConflictException ex)
        {
            row.Compiled = true;
            row.Problem = $"import: {ex.Message}";
            return true;
        }
    }

    /// <summary>The path of the first key or value where the export differs from the file; null when equal.</summary>
    private static string? FirstDifference(JsonNode? file, JsonNode? export, string path)
    {
        switch (file, export)
        {
            case (JsonObject a, JsonObject b):
                foreach (var (key, value) in a)
                {
                    if (path == "$" && RestatedKeys.Contains(key)) continue;
                    if (!b.ContainsKey(key)) return $"{path}.{key} (missing)";
                    if (FirstDifference(value, b[key], $"{path}.{key}") is { } inner) return inner;
                }
                return b.Select(p => p.Key).FirstOrDefault(k => !a.ContainsKey(k) && !(path == "$" && RestatedKeys.Contains(k))) is { } added
                    ? $"{path}.{added} (added)" : null;
            case (JsonArray a, JsonArray b):
                if (a.Count != b.Count) return $"{path} ({a.Count} items, exported {b.Count})";
                for (var i = 0; i < a.Count; i++)
                    if (FirstDifference(a[i], b[i], $"{path}[{i}]") is { } inner) return inner;
                return null;
            default:
                return JsonNode.DeepEquals(file, export) ? null : $"{path} ({file?.ToJsonString()} → {export?.ToJsonString()})";
        }
    }

    private static async Task<T> Scoped<T>(IServiceProvider services, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
