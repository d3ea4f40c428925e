using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Definitions;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Persistence.Tests.DataHarness;

namespace Manyi.Persistence.Tests;

/// <summary>
/// Measures Manyi on a folder of Elsa 3 workflow files (Elsa's own test fixtures, which the repository does not
/// ship): how many read, compile, import, publish, and export back equal key by key. Runs only when
/// <c>MANYI_ELSA_FIXTURES</c> names the folder; writes its table to the test output and to
/// <c>elsa-fixtures-report.txt</c> in that folder. Each file gets a clear refusal or passes: any other exception fails.
/// </summary>
public sealed class ElsaFixtureMeasure
{
    public const string FolderVariable = "MANYI_ELSA_FIXTURES";

    /// <summary>Keys the store states anew for the version it stores: its ids (a definition id when the file has none), creation time, number and flags.</summary>
    private static readonly HashSet<string> RestatedKeys = ["id", "definitionId", "createdAt", "isLatest", "isPublished", "version"];

    private sealed record Row(string File, string DefinitionId)
    {
        public bool Read { get; set; }
        public bool Compiled { get; set; }
        public bool Imported { get; set; }
        public bool Published { get; set; }
        public bool ExportedEqual { get; set; }
        public string? Problem { get; set; }
    }

    [Fact]
    public async Task Elsa_fixture_files_import_compile_publish_and_export_back()
    {
        var folder = Environment.GetEnvironmentVariable(FolderVariable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(folder), $"{FolderVariable} names no folder of Elsa workflow files.");
        var ct = TestContext.Current.CancellationToken;
        await using var data = await StartAsync("sqlite");
        var files = Directory.GetFiles(folder!, "*.json").Where(f => !f.EndsWith("report.txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var rows = files.Select(f => new Row(Path.GetFileName(f), "")).ToList();

        // Workflows used as activities need theirs published first: passes until no more file goes through.
        var pending = rows.ToList();
        for (var progress = true; progress && pending.Count > 0;)
        {
            progress = false;
            foreach (var row in pending.ToList())
            {
                if (!await TryAsync(data, folder!, row, ct)) continue;
                pending.Remove(row);
                progress = true;
            }
        }

        var report = new StringBuilder();
        report.AppendLine($"{rows.Count} files: {rows.Count(r => r.Read)} read, {rows.Count(r => r.Compiled)} compile, {rows.Count(r => r.Imported)} import, " +
                          $"{rows.Count(r => r.Published)} publish, {rows.Count(r => r.ExportedEqual)} export back equal");
        foreach (var row in rows.Where(r => r.Problem is not null))
            report.AppendLine($"- {row.File}: {row.Problem}");
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder!, "elsa-fixtures-report.txt"), report.ToString(), ct);
    }

    /// <summary>Takes one file as far as it goes; true when it is published (or can never go further).</summary>
    private static async Task<bool> TryAsync(DataHarness data, string folder, Row row, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(folder, row.File), ct);
        Engine.Model.WorkflowDefinition definition;
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
            var imported = await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, true, null, ct));
            row.Compiled = row.Imported = true;
            var published = await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync(imported.Definition.DefinitionId, ct));
            row.Published = true;
            var exported = await data.InScopeAsync(async s => ElsaJson.Write(await s.GetRequiredService<WorkflowDefinitionCatalog>().ToDefinitionAsync(published, ct)));
            var difference = FirstDifference(JsonNode.Parse(text), JsonNode.Parse(exported), "$");
            row.ExportedEqual = difference is null;
            row.Problem = difference is null ? null : $"export differs at {difference}";
            return true;
        }
        catch (WorkflowValidationException ex)
        {
            row.Problem = $"compile: {string.Join("; ", ex.Problems.Where(p => p.Severity == Severity.Error).Select(p => p.ToString()))}";
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
}
