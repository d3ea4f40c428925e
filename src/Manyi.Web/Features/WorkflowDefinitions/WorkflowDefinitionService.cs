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
/// Workflow definitions and their versions: list, read, create (from a template), duplicate, import a draft, delete
/// a draft, publish, retract, export, and start the published version. The rules of <see cref="WorkflowDefinitionsApi"/> and of the designer's pages.
/// </summary>
public sealed partial class WorkflowDefinitionService(ManyiDbContext db, WorkflowDefinitionCatalog catalog, WorkflowRuntime runtime, AuditTrail audit)
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

    /// <summary>
    /// Starts the published version and runs it until it suspends or ends. The values given for the inputs it declares
    /// are checked and converted first (<see cref="DeclaredInput.Check"/>): a wrong one is refused naming the input.
    /// </summary>
    public async Task<Outcome<InstanceResponse>> ExecuteAsync(string definitionId, ExecuteRequest? body, CancellationToken cancellationToken)
    {
        if (CorrelationIds.Problem(body?.CorrelationId) is { } invalid) return invalid;
        var input = body?.Input;
        // Without a published version the runtime refuses the start, as it always has (404).
        if (await PublishedInputsAsync(definitionId, cancellationToken) is { } declared)
        {
            var (checkedInput, errors) = DeclaredInput.Check(declared, input);
            await CheckOrganizationsAsync(declared, checkedInput, errors, cancellationToken);
            if (errors.Count > 0) return new Failure.Invalid(errors, "流程输入有误。 An input of the workflow is not valid.");
            input = checkedInput;
        }
        var instance = await runtime.StartAsync(definitionId, new StartOptions
        {
            CorrelationId = body?.CorrelationId,
            Input = input?.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) ?? [],
        }, cancellationToken);
        // After the start's own commit (the runtime's burst): the line names the instance it started.
        audit.Record(AuditActions.WorkflowStarted, AuditSubjects.WorkflowInstance, instance.Id,
            new { definitionId, version = instance.Version, correlationId = instance.CorrelationId });
        await db.SaveChangesAsync(cancellationToken);
        return InstanceResponse.From(instance);
    }

    /// <summary>The inputs the published version declares; null when no version is published.</summary>
    public async Task<IReadOnlyList<DeclaredInput>?> PublishedInputsAsync(string definitionId, CancellationToken cancellationToken)
    {
        var json = await db.WorkflowDefinitions.AsNoTracking()
            .Where(d => d.DefinitionId == definitionId && d.Status == DefinitionStatus.Published)
            .Select(d => d.Json).FirstOrDefaultAsync(cancellationToken);
        return json is null ? null : DeclaredInput.Of(ElsaJson.Read(json).Inputs);
    }

    /// <summary>An input picked from the organizations holds only organizations that exist.</summary>
    private async Task CheckOrganizationsAsync(IReadOnlyList<DeclaredInput> declared, JsonObject input, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        foreach (var field in declared.Where(f => f.PicksOrganizations && !errors.ContainsKey($"input.{f.Name}")))
        {
            var ids = input[field.Name] switch
            {
                JsonArray list => list.Select(i => i?.ToString()).OfType<string>().ToList(),
                JsonValue one => [one.ToString()],
                _ => [],
            };
            if (ids.Count == 0) continue;
            var known = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken);
            var unknown = ids.Except(known).ToList();
            if (unknown.Count > 0)
                errors[$"input.{field.Name}"] = [$"“{field.Label}”中有 {unknown.Count} 个不存在的参评单位：{string.Join("、", unknown.Take(5))}。 " +
                    $"{field.Label}: {unknown.Count} organization(s) do not exist: {string.Join(", ", unknown.Take(5))}."];
        }
    }

    /// <summary>
    /// A new definition, draft version 1, from a template (<see cref="WorkflowTemplates"/>; blank by default) under the
    /// name given. The id is the one asked for, or one made from the template's that no definition has yet.
    /// </summary>
    public async Task<Outcome<DefinitionSummary>> CreateAsync(NewDefinitionRequest body, CancellationToken cancellationToken)
    {
        var key = string.IsNullOrWhiteSpace(body.Template) ? WorkflowTemplates.Blank : body.Template.Trim();
        if (WorkflowTemplates.Read(key) is not { } definition)
            return new Failure.Invalid("template", $"没有名为“{key}”的模板；可选：{string.Join("、", WorkflowTemplates.All.Select(t => t.Key))}。 " +
                $"There is no template '{key}'; use one of {string.Join(", ", WorkflowTemplates.All.Select(t => t.Key))}.");
        if (body.Name is { Length: > NameLength }) return new Failure.Invalid("name", $"名称最多 {NameLength} 个字。 The name has at most {NameLength} characters.");
        if (!string.IsNullOrWhiteSpace(body.Name)) definition.Name = body.Name.Trim();
        var id = await NewIdAsync(body.DefinitionId, definition.DefinitionId, cancellationToken);
        if (id.Failure is { } failure) return failure;
        return await SaveNewAsync(definition, id.Value!, cancellationToken);
    }

    /// <summary>A copy of the latest version under a new id, as draft version 1: its name says it is a copy.</summary>
    public async Task<Outcome<DefinitionSummary>> DuplicateAsync(string definitionId, CancellationToken cancellationToken)
    {
        var record = await catalog.FindAsync(definitionId, null, cancellationToken);
        if (record is null) return NotFound(definitionId, null);
        var definition = ElsaJson.Read(record.Json);
        definition.Name = $"{definition.Name ?? definitionId} 副本 (copy)";
        var id = await NewIdAsync(null, $"{definitionId}-copy", cancellationToken);
        return await SaveNewAsync(definition, id.Value!, cancellationToken);
    }

    /// <summary>
    /// Deletes the latest version when it is a draft (a workflow never published is then gone); a published or
    /// retracted one is refused, naming why: instances may run on it, retracting stops new ones.
    /// </summary>
    public async Task<Outcome<DefinitionSummary>> DeleteDraftAsync(string definitionId, CancellationToken cancellationToken)
    {
        var latest = await catalog.FindAsync(definitionId, null, cancellationToken);
        if (latest is null) return NotFound(definitionId, null);
        if (latest.Status != DefinitionStatus.Draft)
            return new Failure.Conflict(Title: "Not a draft.", Detail: latest.Status == DefinitionStatus.Published
                ? $"版本 {latest.Version} 已发布，不能删除：可能有实例在它上面运行。要停止新的实例，请撤回它。 " +
                  $"Version {latest.Version} is published and cannot be deleted: instances may run on it. Retract it to stop new instances."
                : $"版本 {latest.Version} 曾经发布（现已撤回），不能删除：可能有实例在它上面运行。 " +
                  $"Version {latest.Version} was published (now retracted) and cannot be deleted: instances may run on it.");
        var deleted = await catalog.DeleteDraftAsync(definitionId, cancellationToken);
        return DefinitionSummary.From(deleted, isLatest: true, publishedVersion: null);
    }

    /// <summary>
    /// A new draft with the content of an older version (reverting to it), after the latest. Refused while the latest
    /// is a draft (it would be overwritten: publish or delete it first) and for the latest version itself.
    /// </summary>
    public async Task<Outcome<DefinitionSummary>> DraftFromVersionAsync(string definitionId, int version, CancellationToken cancellationToken)
    {
        var source = await catalog.FindAsync(definitionId, version, cancellationToken);
        if (source is null) return NotFound(definitionId, version);
        var latest = (await catalog.FindAsync(definitionId, null, cancellationToken))!;
        if (latest.Version == version)
            return new Failure.Conflict($"版本 {version} 就是最新版本，直接打开修改即可。 Version {version} is the latest: open it to change it.");
        if (latest.Status == DefinitionStatus.Draft)
            return new Failure.Conflict(
                $"已有草稿版本 {latest.Version}，以旧版本新建草稿会覆盖它：请先发布或删除该草稿。 " +
                $"There is a draft, version {latest.Version}; a draft from an older version would overwrite it. Publish or delete that draft first.");
        var definition = ElsaJson.Read(source.Json);
        definition.Version = latest.Version;
        // Committed with the import's own transaction, as the designer's save is: the new draft and this line together.
        audit.Record(AuditActions.WorkflowDraftFromVersion, AuditSubjects.WorkflowDefinition, definitionId, new { from = version, after = latest.Version });
        var result = await catalog.ImportAsync(definition, versionGiven: true, sourcePath: null, cancellationToken, keepInvalidDraft: true);
        return await SummaryAsync(result.Definition, cancellationToken);
    }

    private const int NameLength = 200;

    /// <summary>The id asked for (refused when malformed or taken), or the first of <c>base</c>, <c>base-2</c>, … not taken.</summary>
    private async Task<Outcome<string>> NewIdAsync(string? asked, string basis, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(asked))
        {
            var id = asked.Trim();
            if (id.Length > WorkflowDefinitionRecord.MaxDefinitionIdLength || !DefinitionIdPattern().IsMatch(id))
                return new Failure.Invalid("definitionId", $"编号只能由字母、数字、- 和 _ 组成，以字母或数字开头，最多 {WorkflowDefinitionRecord.MaxDefinitionIdLength} 个字符。 " +
                    $"The id is letters, digits, - and _, begins with a letter or a digit, and has at most {WorkflowDefinitionRecord.MaxDefinitionIdLength} characters.");
            if (await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == id, cancellationToken))
                return new Failure.Conflict($"编号“{id}”已被另一个流程使用。 The id '{id}' is taken by another workflow.");
            return id;
        }
        basis = basis[..Math.Min(basis.Length, WorkflowDefinitionRecord.MaxDefinitionIdLength - 8)];
        var taken = (await db.WorkflowDefinitions.AsNoTracking().Where(d => d.DefinitionId.StartsWith(basis))
            .Select(d => d.DefinitionId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var candidate = basis;
        for (var n = 2; taken.Contains(candidate); n++) candidate = $"{basis}-{n}";
        return candidate;
    }

    /// <summary>Saves a definition under a new id as its draft version 1 (kept even with errors: the designer shows them).</summary>
    private async Task<DefinitionSummary> SaveNewAsync(Manyi.Engine.Model.WorkflowDefinition definition, string definitionId, CancellationToken cancellationToken)
    {
        definition.DefinitionId = definitionId;
        definition.Id = "";
        definition.Version = 1;
        var result = await catalog.ImportAsync(definition, versionGiven: false, sourcePath: null, cancellationToken, keepInvalidDraft: true);
        return DefinitionSummary.From(result.Definition, isLatest: true, publishedVersion: null);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial System.Text.RegularExpressions.Regex DefinitionIdPattern();

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
