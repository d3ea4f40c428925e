using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// Workflow definitions and their versions: list, read, import a draft, publish, retract, export, and start the
/// published version. The rules of <see cref="WorkflowDefinitionsApi"/> and of the designer's pages.
/// </summary>
public sealed class WorkflowDefinitionService(ManyiDbContext db, WorkflowDefinitionCatalog catalog, WorkflowRuntime runtime, AuditTrail audit)
{
    private static readonly JsonDocumentOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The latest version of every definition, by name.</summary>
    public async Task<Page<DefinitionSummary>> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        (page, pageSize) = Page.Clamp(page, pageSize);
        var latest = db.WorkflowDefinitions.AsNoTracking()
            .Where(d => !db.WorkflowDefinitions.Any(n => n.DefinitionId == d.DefinitionId && n.Version > d.Version));
        var total = await latest.CountAsync(cancellationToken);
        var items = await latest.OrderBy(d => d.Name).ThenBy(d => d.DefinitionId)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var published = await PublishedVersionsAsync(items.Select(d => d.DefinitionId), cancellationToken);
        return new Page<DefinitionSummary>(
            items.Select(d => DefinitionSummary.From(d, isLatest: true, published.TryGetValue(d.DefinitionId, out var v) ? v : null)).ToList(), total, page, pageSize);
    }

    /// <summary>A version (the latest without <paramref name="version"/>) as Elsa 3 JSON, with its status.</summary>
    public async Task<Outcome<JsonObject>> GetAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return NotFound(definitionId, version);
        var json = ElsaJson.ToJsonObject(await catalog.ToDefinitionAsync(record, cancellationToken));
        json["status"] = record.Status.ToString();
        return json;
    }

    /// <summary>Every version of the definition, newest first.</summary>
    public async Task<Outcome<List<DefinitionSummary>>> VersionsAsync(string definitionId, CancellationToken cancellationToken)
    {
        var versions = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).ToListAsync(cancellationToken);
        if (versions.Count == 0) return NotFound(definitionId, null);
        return versions.Select((d, i) => DefinitionSummary.From(d, isLatest: i == 0,
            versions.FirstOrDefault(v => v.Status == DefinitionStatus.Published)?.Version)).ToList();
    }

    /// <summary>
    /// Saves one Elsa 3 JSON definition as a draft (a new version, or an updated or unchanged one). The format's
    /// problems are thrown as the engine's exceptions, which every caller answers as problem details.
    /// </summary>
    public async Task<ImportResponse> ImportAsync(string text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new WorkflowFormatException("The request body is empty; send one Elsa 3 workflow definition as JSON.");
        var definition = ElsaJson.Read(text);
        // Read the way ElsaJson reads (comments, trailing commas), or a file it accepted fails here with a 500.
        var versionGiven = JsonNode.Parse(text.TrimStart('\uFEFF'), documentOptions: LenientJson)?["version"] is not null;
        var result = await catalog.ImportAsync(definition, versionGiven, sourcePath: null, cancellationToken);
        return new ImportResponse(await SummaryAsync(result.Definition, cancellationToken), result.Outcome.ToString(),
            result.Warnings.Select(w => w.ToString()).ToList(), result.Notice);
    }

    /// <summary>Publishes the latest version; a version with errors is refused (<see cref="WorkflowValidationException"/>).</summary>
    public async Task<DefinitionSummary> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        var record = await catalog.PublishAsync(definitionId, cancellationToken);
        return DefinitionSummary.From(record, isLatest: true, record.Version);
    }

    public async Task<DefinitionSummary> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        var record = await catalog.RetractAsync(definitionId, cancellationToken);
        return await SummaryAsync(record, cancellationToken);
    }

    /// <summary>A version as the Elsa 3 JSON file it can be imported from.</summary>
    public async Task<Outcome<ExportedFile>> ExportAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return NotFound(definitionId, version);
        var json = ElsaJson.Write(await catalog.ToDefinitionAsync(record, cancellationToken));
        return new ExportedFile(Encoding.UTF8.GetBytes(json), "application/json", $"{record.DefinitionId}-v{record.Version}.json");
    }

    /// <summary>Starts the published version and runs it until it suspends or ends.</summary>
    public async Task<Outcome<InstanceResponse>> ExecuteAsync(string definitionId, ExecuteRequest? body, CancellationToken cancellationToken)
    {
        if (CorrelationIds.Problem(body?.CorrelationId) is { } invalid) return invalid;
        var instance = await runtime.StartAsync(definitionId, new StartOptions
        {
            CorrelationId = body?.CorrelationId,
            Input = body?.Input?.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) ?? [],
        }, cancellationToken);
        // After the start's own commit (the runtime's burst): the line names the instance it started.
        audit.Record(AuditActions.WorkflowStarted, AuditSubjects.WorkflowInstance, instance.Id,
            new { definitionId, version = instance.Version, correlationId = instance.CorrelationId });
        await db.SaveChangesAsync(cancellationToken);
        return InstanceResponse.From(instance);
    }

    private static Failure.NotFound NotFound(string definitionId, int? version) =>
        new(version is null
            ? $"Workflow definition '{definitionId}' does not exist."
            : $"Workflow definition '{definitionId}' has no version {version}.");

    /// <summary>A version's summary as it stands now: an import may answer with an older version, a retract with a version a draft follows.</summary>
    private async Task<DefinitionSummary> SummaryAsync(WorkflowDefinitionRecord record, CancellationToken cancellationToken)
    {
        var versions = db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == record.DefinitionId);
        var isLatest = !await versions.AnyAsync(d => d.Version > record.Version, cancellationToken);
        var published = await versions.Where(d => d.Status == DefinitionStatus.Published).Select(d => (int?)d.Version).FirstOrDefaultAsync(cancellationToken);
        return DefinitionSummary.From(record, isLatest, published);
    }

    private async Task<Dictionary<string, int>> PublishedVersionsAsync(IEnumerable<string> definitionIds, CancellationToken cancellationToken)
    {
        var ids = definitionIds.ToList();
        return await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => ids.Contains(d.DefinitionId) && d.Status == DefinitionStatus.Published)
            .ToDictionaryAsync(d => d.DefinitionId, d => d.Version, cancellationToken);
    }
}
