using Manyi.Persistence.Audit;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>Workflow definitions, shaped like Elsa 3's REST API.</summary>
public static class WorkflowDefinitionsApi
{
    private static readonly JsonDocumentOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static RouteGroupBuilder MapWorkflowDefinitionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/workflow-definitions").WithTags("Workflow definitions");
        group.MapGet("/", List);
        group.MapGet("/{definitionId}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{definitionId}/versions", Versions).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/import", Import).Accepts<JsonObject>("application/json");
        group.MapPost("/{definitionId}/publish", Publish);
        group.MapPost("/{definitionId}/retract", Retract);
        group.MapGet("/{definitionId}/export", Export).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/execute", Execute);
        group.MapDefinitionServicesApi();
        return group;
    }

    public static async Task<Ok<Page<DefinitionSummary>>> List(ManyiDbContext db, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Page.Clamp(page, pageSize);
        var latest = db.WorkflowDefinitions.AsNoTracking()
            .Where(d => !db.WorkflowDefinitions.Any(n => n.DefinitionId == d.DefinitionId && n.Version > d.Version));
        var total = await latest.CountAsync(cancellationToken);
        var items = await latest.OrderBy(d => d.Name).ThenBy(d => d.DefinitionId)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var published = await PublishedVersionsAsync(db, items.Select(d => d.DefinitionId), cancellationToken);
        return TypedResults.Ok(new Page<DefinitionSummary>(
            items.Select(d => DefinitionSummary.From(d, isLatest: true, published.TryGetValue(d.DefinitionId, out var v) ? v : null)).ToList(), total, page, pageSize));
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Get(
        string definitionId, int? version, WorkflowDefinitionCatalog catalog, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return NotFound(definitionId, version);
        var json = ElsaJson.ToJsonObject(await catalog.ToDefinitionAsync(record, cancellationToken));
        json["status"] = record.Status.ToString();
        return TypedResults.Ok(json);
    }

    public static async Task<Results<Ok<List<DefinitionSummary>>, ProblemHttpResult>> Versions(
        string definitionId, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var versions = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).ToListAsync(cancellationToken);
        if (versions.Count == 0) return NotFound(definitionId, null);
        return TypedResults.Ok(versions.Select((d, i) => DefinitionSummary.From(d, isLatest: i == 0,
            versions.FirstOrDefault(v => v.Status == DefinitionStatus.Published)?.Version)).ToList());
    }

    /// <summary>Saves one Elsa 3 JSON definition as a draft: 201 for a new version, 200 for an updated or unchanged one.</summary>
    public static async Task<Results<Created<ImportResponse>, Ok<ImportResponse>>> Import(
        HttpRequest request, WorkflowDefinitionCatalog catalog, ManyiDbContext db, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        // Read no further than the largest file allowed: a bigger one is refused at once, not after it is all in memory.
        var buffer = new char[ElsaJson.MaxCharacters + 1];
        var length = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (length > ElsaJson.MaxCharacters) throw new WorkflowFormatException(ElsaJson.TooLarge);
        var text = new string(buffer, 0, length);
        if (string.IsNullOrWhiteSpace(text))
            throw new WorkflowFormatException("The request body is empty; send one Elsa 3 workflow definition as JSON.");
        var definition = ElsaJson.Read(text);
        // Read the way ElsaJson reads (comments, trailing commas), or a file it accepted fails here with a 500.
        var versionGiven = JsonNode.Parse(text.TrimStart('\uFEFF'), documentOptions: LenientJson)?["version"] is not null;
        var result = await catalog.ImportAsync(definition, versionGiven, sourcePath: null, cancellationToken);
        var response = new ImportResponse(await SummaryAsync(db, result.Definition, cancellationToken), result.Outcome.ToString(),
            result.Warnings.Select(w => w.ToString()).ToList(), result.Notice);
        return result.Outcome == ImportOutcome.Created
            ? TypedResults.Created($"/api/workflow-definitions/{result.Definition.DefinitionId}?version={result.Definition.Version}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Ok<DefinitionSummary>> Publish(string definitionId, WorkflowDefinitionCatalog catalog, CancellationToken cancellationToken)
    {
        var record = await catalog.PublishAsync(definitionId, cancellationToken);
        return TypedResults.Ok(DefinitionSummary.From(record, isLatest: true, record.Version));
    }

    public static async Task<Ok<DefinitionSummary>> Retract(string definitionId, WorkflowDefinitionCatalog catalog, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var record = await catalog.RetractAsync(definitionId, cancellationToken);
        return TypedResults.Ok(await SummaryAsync(db, record, cancellationToken));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(
        string definitionId, int? version, WorkflowDefinitionCatalog catalog, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return NotFound(definitionId, version);
        var json = ElsaJson.Write(await catalog.ToDefinitionAsync(record, cancellationToken));
        return TypedResults.File(Encoding.UTF8.GetBytes(json), "application/json", $"{record.DefinitionId}-v{record.Version}.json");
    }

    /// <summary>Starts the published version and runs it until it suspends or ends.</summary>
    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem>> Execute(
        string definitionId, ExecuteRequest? body, WorkflowRuntime runtime, AuditTrail audit, ManyiDbContext db, CancellationToken cancellationToken)
    {
        if (CorrelationIds.Check(body?.CorrelationId) is { } invalid) return invalid;
        var instance = await runtime.StartAsync(definitionId, new StartOptions
        {
            CorrelationId = body?.CorrelationId,
            Input = body?.Input?.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) ?? [],
        }, cancellationToken);
        // After the start's own commit (the runtime's burst): the line names the instance it started.
        audit.Record(AuditActions.WorkflowStarted, AuditSubjects.WorkflowInstance, instance.Id,
            new { definitionId, version = instance.Version, correlationId = instance.CorrelationId });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(InstanceResponse.From(instance));
    }

    private static ProblemHttpResult NotFound(string definitionId, int? version) =>
        Problems.NotFound(version is null
            ? $"Workflow definition '{definitionId}' does not exist."
            : $"Workflow definition '{definitionId}' has no version {version}.");

    /// <summary>A version's summary as it stands now: an import may answer with an older version, a retract with a version a draft follows.</summary>
    private static async Task<DefinitionSummary> SummaryAsync(ManyiDbContext db, WorkflowDefinitionRecord record, CancellationToken cancellationToken)
    {
        var versions = db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == record.DefinitionId);
        var isLatest = !await versions.AnyAsync(d => d.Version > record.Version, cancellationToken);
        var published = await versions.Where(d => d.Status == DefinitionStatus.Published).Select(d => (int?)d.Version).FirstOrDefaultAsync(cancellationToken);
        return DefinitionSummary.From(record, isLatest, published);
    }

    private static async Task<Dictionary<string, int>> PublishedVersionsAsync(ManyiDbContext db, IEnumerable<string> definitionIds, CancellationToken cancellationToken)
    {
        var ids = definitionIds.ToList();
        return await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => ids.Contains(d.DefinitionId) && d.Status == DefinitionStatus.Published)
            .ToDictionaryAsync(d => d.DefinitionId, d => d.Version, cancellationToken);
    }
}

public sealed record ExecuteRequest(string? CorrelationId, JsonObject? Input);

/// <summary><see cref="Notice"/>: what the import did that the file did not ask for (a version ahead of the store taken as the next).</summary>
public sealed record ImportResponse(DefinitionSummary Definition, string Outcome, IReadOnlyList<string> Warnings, string? Notice = null);

public sealed record DefinitionSummary(
    string Id, string DefinitionId, string? Name, string? Description, int Version, string Status,
    bool IsLatest, bool IsPublished, int? PublishedVersion, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt, string? SourcePath)
{
    public static DefinitionSummary From(WorkflowDefinitionRecord d, bool isLatest, int? publishedVersion) =>
        new(d.Id, d.DefinitionId, d.Name, d.Description, d.Version, d.Status.ToString(), isLatest,
            d.Status == DefinitionStatus.Published, publishedVersion, d.CreatedAt, d.PublishedAt, d.SourcePath);
}
