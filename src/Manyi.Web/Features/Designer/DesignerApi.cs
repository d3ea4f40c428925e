using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// What the workflow designer needs beyond the definitions API: the definitions with every version (searchable,
/// paged), and saving a draft that refuses to overwrite someone else's save made since the designer opened it.
/// Saving goes through <see cref="WorkflowDefinitionCatalog.ImportAsync"/>, the code of <c>POST /api/workflow-definitions/import</c>.
/// </summary>
public static class DesignerApi
{
    public const string DraftSavedAction = "workflow.draft-saved";
    public const string PublishedAction = "workflow.published";
    public const string RetractedAction = "workflow.retracted";
    public const string Subject = "workflow-definition";

    public static RouteGroupBuilder MapDesignerApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/designer").WithTags("Workflow designer");
        group.MapGet("/definitions", List);
        group.MapPost("/definitions/{definitionId}/draft", SaveDraft).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>
    /// The published workflows usable as activities (<c>options.usableAsActivity</c>), each as a palette entry under its
    /// definition's name; the definition being edited is left out (a workflow cannot use itself).
    /// </summary>
    public static async Task<IReadOnlyList<PaletteItem>> WorkflowActivitiesAsync(string editedDefinitionId, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var published = await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => d.Status == DefinitionStatus.Published && d.DefinitionId != editedDefinitionId && d.Json.Contains("usableAsActivity"))
            .ToListAsync(cancellationToken);
        var items = new List<PaletteItem>();
        foreach (var record in published)
        {
            var definition = ElsaJson.Read(record.Json);
            definition.IsPublished = true;
            if (!Manyi.Engine.Activities.Composition.WorkflowActivityCatalog.IsUsableAsActivity(definition)) continue;
            items.Add(PaletteItem.Of(Manyi.Engine.Activities.Composition.WorkflowActivityType.Of(definition), record.Name ?? definition.Name ?? record.DefinitionId));
        }
        return items;
    }

    /// <summary>Definitions (latest version first by name), each with all its versions; <paramref name="search"/> matches the id or the name.</summary>
    public static async Task<Ok<Page<DefinitionWithVersions>>> List(ManyiDbContext db, string? search = null, int page = 1, int pageSize = 20,
        CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Page.Clamp(page, pageSize);
        var latest = db.WorkflowDefinitions.AsNoTracking()
            .Where(d => !db.WorkflowDefinitions.Any(n => n.DefinitionId == d.DefinitionId && n.Version > d.Version));
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            latest = latest.Where(d => d.DefinitionId.ToLower().Contains(term) || (d.Name != null && d.Name.ToLower().Contains(term)));
        }
        var total = await latest.CountAsync(cancellationToken);
        var items = await latest.OrderBy(d => d.Name).ThenBy(d => d.DefinitionId)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(d => new { d.DefinitionId, d.Name, d.Description })
            .ToListAsync(cancellationToken);
        var ids = items.Select(i => i.DefinitionId).ToList();
        var versions = (await db.WorkflowDefinitions.AsNoTracking().Where(d => ids.Contains(d.DefinitionId))
                .Select(d => new VersionSummary(d.DefinitionId, d.Version, d.Status.ToString(), d.CreatedAt, d.PublishedAt))
                .ToListAsync(cancellationToken))
            .ToLookup(v => v.DefinitionId);
        return TypedResults.Ok(new Page<DefinitionWithVersions>(items.Select(i => new DefinitionWithVersions(i.DefinitionId, i.Name, i.Description,
            versions[i.DefinitionId].OrderByDescending(v => v.Version).ToList())).ToList(), total, page, pageSize));
    }

    /// <summary>
    /// Saves the designer's definition as a draft of <paramref name="definitionId"/>. The request names the version and
    /// the content hash the designer started from; if the latest version is another one, or the draft's content changed
    /// since (someone else saved it), the save is refused with 409 naming who saved and when, as far as the audit
    /// trail knows.
    /// </summary>
    public static async Task<Results<Ok<SaveDraftResponse>, ProblemHttpResult>> SaveDraft(
        string definitionId, SaveDraftRequest body, WorkflowDefinitionCatalog catalog, ManyiDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var definition = ElsaJson.Read(body.Definition.ToJsonString());
        definition.DefinitionId = definitionId;
        var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null && body.BaseVersion is { } baseVersion
            && (latest.Version != baseVersion || (body.BaseHash is not null && latest.ContentHash != body.BaseHash)))
        {
            var who = await LastChangeAsync(db, definitionId, latest, cancellationToken);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Version conflict.",
                detail: latest.Version != baseVersion
                    ? $"版本 {latest.Version} 已由{who}创建，您是在版本 {baseVersion} 上修改的；请重新打开最新版本再修改。 " +
                      $"Version {latest.Version} was created {who.En} since you opened version {baseVersion}; open the latest version and make the change again."
                    : $"草稿版本 {baseVersion} 已由{who}保存，您的修改会覆盖它；请重新打开后再修改。 " +
                      $"Draft version {baseVersion} was saved {who.En} since you opened it; saving would overwrite that change. Reopen it and make the change again.");
        }

        definition.Version = latest?.Version ?? 1;
        audit.Record(DraftSavedAction, Subject, definitionId, new { baseVersion = body.BaseVersion });
        // Work in progress is kept even with errors; publishing refuses it until they are fixed.
        var result = await catalog.ImportAsync(definition, versionGiven: latest is not null, sourcePath: null, cancellationToken, keepInvalidDraft: true);
        return TypedResults.Ok(new SaveDraftResponse(result.Definition.Version, result.Definition.Status.ToString(), result.Definition.ContentHash,
            result.Outcome.ToString(), result.Warnings.Select(w => w.ToString()).ToList(), result.Errors.Select(e => e.ToString()).ToList()));
    }

    /// <summary>Publishes the latest version (as <c>POST …/publish</c>) and notes who did it.</summary>
    public static async Task<DefinitionSummary> PublishAsync(string definitionId, WorkflowDefinitionCatalog catalog, ManyiDbContext db, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        var result = (await WorkflowDefinitionsApi.Publish(definitionId, catalog, cancellationToken)).Value!;
        audit.Record(PublishedAction, Subject, definitionId, new { version = result.Version });
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    public static async Task<DefinitionSummary> RetractAsync(string definitionId, WorkflowDefinitionCatalog catalog, ManyiDbContext db, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        var result = (await WorkflowDefinitionsApi.Retract(definitionId, catalog, db, cancellationToken)).Value!;
        audit.Record(RetractedAction, Subject, definitionId, new { version = result.Version });
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    /// <summary>A version to edit: the definition, its status and the hash a later save is checked against.</summary>
    public static async Task<OpenedVersion?> OpenAsync(string definitionId, int? version, WorkflowDefinitionCatalog catalog, ManyiDbContext db,
        CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return null;
        var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId).MaxAsync(d => d.Version, cancellationToken);
        return new OpenedVersion(await catalog.ToDefinitionAsync(record, cancellationToken), record.Version, record.Status.ToString(), record.ContentHash,
            record.Version == latest, latest);
    }

    private static async Task<Who> LastChangeAsync(ManyiDbContext db, string definitionId, WorkflowDefinitionRecord latest, CancellationToken cancellationToken)
    {
        var entry = await db.AuditEntries.AsNoTracking()
            .Where(a => a.SubjectType == Subject && a.SubjectId == definitionId && a.Action == DraftSavedAction)
            .OrderByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);
        return entry is { UserName: { } name }
            ? new Who($" {name} 于 {Dates.Beijing(entry.At)} ", $"by {name} at {Dates.Beijing(entry.At)}")
            : new Who($"他人（接口或流程文件夹）于 {Dates.Beijing(latest.CreatedAt)} 前后", $"by someone else (through the API or the workflows folder) around {Dates.Beijing(latest.CreatedAt)}");
    }

    private sealed record Who(string Zh, string En)
    {
        public override string ToString() => Zh;
    }
}

public sealed record SaveDraftRequest(JsonObject Definition, int? BaseVersion, string? BaseHash);

/// <param name="Errors">The draft's validation errors: it was kept, and cannot be published until they are fixed.</param>
public sealed record SaveDraftResponse(int Version, string Status, string ContentHash, string Outcome, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

public sealed record VersionSummary(string DefinitionId, int Version, string Status, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt);

public sealed record DefinitionWithVersions(string DefinitionId, string? Name, string? Description, IReadOnlyList<VersionSummary> Versions);

public sealed record OpenedVersion(WorkflowDefinition Definition, int Version, string Status, string ContentHash, bool IsLatest, int LatestVersion);
