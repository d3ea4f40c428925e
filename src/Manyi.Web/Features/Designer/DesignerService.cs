using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// What the workflow designer needs beyond the definitions: the definitions with every version (searchable, paged),
/// the workflows usable as activities, opening a version, and saving a draft that refuses to overwrite someone
/// else's save made since the designer opened it; publishing and retracting with a line in the audit trail. Saving
/// goes through <see cref="WorkflowDefinitionCatalog.ImportAsync"/>, the code of <c>POST /api/workflow-definitions/import</c>.
/// </summary>
public sealed class DesignerService(ManyiDbContext db, WorkflowDefinitionCatalog catalog, WorkflowDefinitionService definitions, AuditTrail audit)
{
    public const string DraftSavedAction = "workflow.draft-saved";
    public const string PublishedAction = "workflow.published";
    public const string RetractedAction = "workflow.retracted";
    public const string Subject = AuditSubjects.WorkflowDefinition;

    /// <summary>
    /// The published workflows usable as activities (<c>options.usableAsActivity</c>), each as a palette entry under its
    /// definition's name; the definition being edited is left out (a workflow cannot use itself).
    /// </summary>
    public async Task<IReadOnlyList<PaletteItem>> WorkflowActivitiesAsync(string editedDefinitionId, CancellationToken cancellationToken)
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
    public async Task<Page<DefinitionWithVersions>> ListAsync(string? search, int page, int pageSize, CancellationToken cancellationToken)
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
        return new Page<DefinitionWithVersions>(items.Select(i => new DefinitionWithVersions(i.DefinitionId, i.Name, i.Description,
            versions[i.DefinitionId].OrderByDescending(v => v.Version).ToList())).ToList(), total, page, pageSize);
    }

    /// <summary>
    /// Saves the designer's definition as a draft of <paramref name="definitionId"/>. The request names the version and
    /// the content hash the designer started from; if the latest version is another one, or the draft's content changed
    /// since (someone else saved it), the save is refused as a version conflict naming who saved and when, as far as
    /// the audit trail knows.
    /// </summary>
    public async Task<Outcome<SaveDraftResponse>> SaveDraftAsync(string definitionId, SaveDraftRequest body, CancellationToken cancellationToken)
    {
        var definition = ElsaJson.Read(body.Definition.ToJsonString());
        definition.DefinitionId = definitionId;
        var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null && body.BaseVersion is { } baseVersion
            && (latest.Version != baseVersion || (body.BaseHash is not null && latest.ContentHash != body.BaseHash)))
        {
            var who = await LastChangeAsync(definitionId, latest, cancellationToken);
            return new Failure.Conflict(Title: "Version conflict.",
                Detail: latest.Version != baseVersion
                    ? $"版本 {latest.Version} 已由{who}创建，您是在版本 {baseVersion} 上修改的；请重新打开最新版本再修改。 " +
                      $"Version {latest.Version} was created {who.En} since you opened version {baseVersion}; open the latest version and make the change again."
                    : $"草稿版本 {baseVersion} 已由{who}保存，您的修改会覆盖它；请重新打开后再修改。 " +
                      $"Draft version {baseVersion} was saved {who.En} since you opened it; saving would overwrite that change. Reopen it and make the change again.");
        }

        definition.Version = latest?.Version ?? 1;
        audit.Record(DraftSavedAction, Subject, definitionId, new { baseVersion = body.BaseVersion });
        // Work in progress is kept even with errors; publishing refuses it until they are fixed.
        var result = await catalog.ImportAsync(definition, versionGiven: latest is not null, sourcePath: null, cancellationToken, keepInvalidDraft: true);
        return new SaveDraftResponse(result.Definition.Version, result.Definition.Status.ToString(), result.Definition.ContentHash,
            result.Outcome.ToString(), result.Warnings.Select(w => w.ToString()).ToList(), result.Errors.Select(e => e.ToString()).ToList());
    }

    /// <summary>Publishes the latest version (as <c>POST …/publish</c>) and notes who did it.</summary>
    public async Task<DefinitionSummary> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        var result = await definitions.PublishAsync(definitionId, cancellationToken);
        audit.Record(PublishedAction, Subject, definitionId, new { version = result.Version });
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    public async Task<DefinitionSummary> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        var result = await definitions.RetractAsync(definitionId, cancellationToken);
        audit.Record(RetractedAction, Subject, definitionId, new { version = result.Version });
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    /// <summary>Imports a workflow file chosen on the list page, as <c>POST /api/workflow-definitions/import</c> does.</summary>
    public Task<ImportResponse> ImportFileAsync(string text, CancellationToken cancellationToken) => definitions.ImportAsync(text, cancellationToken);

    /// <summary>A version to edit: the definition, its status and the hash a later save is checked against.</summary>
    public async Task<OpenedVersion?> OpenAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (record is null) return null;
        var latest = await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId == definitionId).MaxAsync(d => d.Version, cancellationToken);
        return new OpenedVersion(await catalog.ToDefinitionAsync(record, cancellationToken), record.Version, record.Status.ToString(), record.ContentHash,
            record.Version == latest, latest);
    }

    private async Task<Who> LastChangeAsync(string definitionId, WorkflowDefinitionRecord latest, CancellationToken cancellationToken)
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
