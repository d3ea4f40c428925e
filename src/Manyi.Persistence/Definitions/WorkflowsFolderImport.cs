using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Records;
using Microsoft.Extensions.Logging;

namespace Manyi.Persistence.Definitions;

/// <summary>What happened to one file of the workflows folder.</summary>
public sealed record FolderImportEntry(string Path, string? DefinitionId, int? Version, string Outcome, IReadOnlyList<string> Problems);

/// <summary>
/// Imports the workflows folder: a file whose content changed becomes a new published version (never an edit in
/// place); a broken file is reported with its path and problems and does not stop the others.
/// </summary>
public sealed class WorkflowsFolderImport(WorkflowDefinitionCatalog catalog, ILogger<WorkflowsFolderImport> logger)
{
    public async Task<IReadOnlyList<FolderImportEntry>> ImportAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("The workflows folder {Folder} does not exist; no workflow was imported.", folder);
            return [];
        }

        var report = new List<FolderImportEntry>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, path);
            try
            {
                // At most four bytes a character: a file past that is refused without reading it.
                if (new FileInfo(path).Length > 4L * ElsaJson.MaxCharacters) throw new WorkflowFormatException(ElsaJson.TooLarge);
                var definition = ElsaJson.Read(await File.ReadAllTextAsync(path, cancellationToken));
                if (string.IsNullOrWhiteSpace(definition.DefinitionId))
                    definition.DefinitionId = Path.GetFileNameWithoutExtension(path);
                var imported = await catalog.ImportAsync(definition, versionGiven: false, relative, cancellationToken, asNewVersion: true);
                // An unchanged file whose version is still a draft (the start-up that imported it stopped before publishing,
                // or the same content was imported through the API) is published too; a retracted one is left retracted.
                var publish = imported.Outcome != ImportOutcome.Unchanged || imported.Definition.Status == DefinitionStatus.Draft;
                if (publish)
                    await catalog.PublishAsync(imported.Definition.DefinitionId, cancellationToken);
                var outcome = publish ? "published" : "unchanged";
                report.Add(new FolderImportEntry(relative, imported.Definition.DefinitionId, imported.Definition.Version, outcome,
                    imported.Warnings.Select(w => w.ToString()).ToList()));
                logger.LogInformation("Workflow file {Path}: {DefinitionId} version {Version} {Outcome}.",
                    relative, imported.Definition.DefinitionId, imported.Definition.Version, outcome);
            }
            catch (Exception ex) when (ex is WorkflowFormatException or WorkflowValidationException or DefinitionConflictException)
            {
                var problems = ex is WorkflowValidationException invalid
                    ? invalid.Problems.Where(p => p.Severity == Severity.Error).Select(p => p.ToString()).ToList()
                    : [ex.Message];
                report.Add(new FolderImportEntry(relative, null, null, "rejected", problems));
                logger.LogError("Workflow file {Path} was not imported: {Problems}", path, string.Join("; ", problems));
            }
        }
        return report;
    }
}
