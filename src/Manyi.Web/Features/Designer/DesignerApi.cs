using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// What the workflow designer needs beyond the definitions API (<see cref="DesignerService"/>): the definitions with
/// every version, and saving a draft that refuses to overwrite someone else's save (409).
/// </summary>
public static class DesignerApi
{
    public static RouteGroupBuilder MapDesignerApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/designer").WithTags("Workflow designer");
        group.MapGet("/definitions", List);
        group.MapPost("/definitions/{definitionId}/draft", SaveDraft).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>Definitions (latest version first by name), each with all its versions; <paramref name="search"/> matches the id or the name.</summary>
    public static async Task<Ok<Page<DefinitionWithVersions>>> List(DesignerService designer, string? search = null, int page = 1, int pageSize = 20,
        CancellationToken cancellationToken = default) =>
        TypedResults.Ok(await designer.ListAsync(search, page, pageSize, cancellationToken));

    /// <summary>Saves the designer's definition as a draft; 409 when someone else saved since <c>baseVersion</c>/<c>baseHash</c>.</summary>
    public static async Task<Results<Ok<SaveDraftResponse>, ValidationProblem, ProblemHttpResult>> SaveDraft(
        string definitionId, SaveDraftRequest body, DesignerService designer, CancellationToken cancellationToken) =>
        (await designer.SaveDraftAsync(definitionId, body, cancellationToken)).ToOk();
}

public sealed record SaveDraftRequest(JsonObject Definition, int? BaseVersion, string? BaseHash);

/// <param name="Errors">The draft's validation errors: it was kept, and cannot be published until they are fixed.</param>
public sealed record SaveDraftResponse(int Version, string Status, string ContentHash, string Outcome, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

public sealed record VersionSummary(string DefinitionId, int Version, string Status, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt);

public sealed record DefinitionWithVersions(string DefinitionId, string? Name, string? Description, IReadOnlyList<VersionSummary> Versions);

public sealed record OpenedVersion(WorkflowDefinition Definition, int Version, string Status, string ContentHash, bool IsLatest, int LatestVersion);
