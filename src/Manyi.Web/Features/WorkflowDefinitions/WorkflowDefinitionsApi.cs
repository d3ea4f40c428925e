using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>Workflow definitions, shaped like Elsa 3's REST API.</summary>
public static class WorkflowDefinitionsApi
{
    public static RouteGroupBuilder MapWorkflowDefinitionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/workflow-definitions").WithTags("Workflow definitions");
        group.MapGet("/", List);
        group.MapPost("/", Create).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/templates", Templates);
        group.MapGet("/{definitionId}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{definitionId}/versions", Versions).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/import", Import).Accepts<JsonObject>("application/json");
        group.MapPost("/{definitionId}/publish", Publish);
        group.MapPost("/{definitionId}/retract", Retract);
        group.MapPost("/{definitionId}/duplicate", Duplicate).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{definitionId}/draft", DeleteDraft).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{definitionId}/versions/{version:int}/draft", DraftFromVersion).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{definitionId}/export", Export).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/execute", Execute);
        group.MapDefinitionServicesApi();
        return group;
    }

    public static async Task<Ok<Page<DefinitionSummary>>> List(
        WorkflowDefinitionService definitions, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        TypedResults.Ok(await definitions.ListAsync(page, pageSize, cancellationToken));

    /// <summary>A new definition (draft version 1) from a template, blank by default.</summary>
    public static async Task<Results<Created<DefinitionSummary>, ValidationProblem, ProblemHttpResult>> Create(
        NewDefinitionRequest body, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.CreateAsync(body, cancellationToken)).To(d => TypedResults.Created($"/api/workflow-definitions/{d.DefinitionId}", d));

    /// <summary>The templates a new definition can start from.</summary>
    public static Ok<IReadOnlyList<WorkflowTemplate>> Templates() => TypedResults.Ok(WorkflowTemplates.All);

    /// <summary>A copy of the latest version under a new id, as draft version 1.</summary>
    public static async Task<Results<Created<DefinitionSummary>, ValidationProblem, ProblemHttpResult>> Duplicate(
        string definitionId, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.DuplicateAsync(definitionId, cancellationToken)).To(d => TypedResults.Created($"/api/workflow-definitions/{d.DefinitionId}", d));

    /// <summary>Deletes the latest version if it is a draft; 409 for a published or retracted one.</summary>
    public static async Task<Results<Ok<DefinitionSummary>, ValidationProblem, ProblemHttpResult>> DeleteDraft(
        string definitionId, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.DeleteDraftAsync(definitionId, cancellationToken)).ToOk();

    /// <summary>A new draft with an older version's content (reverting to it); 409 while the latest is a draft.</summary>
    public static async Task<Results<Created<DefinitionSummary>, ValidationProblem, ProblemHttpResult>> DraftFromVersion(
        string definitionId, int version, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.DraftFromVersionAsync(definitionId, version, cancellationToken))
            .To(d => TypedResults.Created($"/api/workflow-definitions/{d.DefinitionId}?version={d.Version}", d));

    public static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> Get(
        string definitionId, int? version, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.GetAsync(definitionId, version, cancellationToken)).ToOk();

    public static async Task<Results<Ok<List<DefinitionSummary>>, ValidationProblem, ProblemHttpResult>> Versions(
        string definitionId, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.VersionsAsync(definitionId, cancellationToken)).ToOk();

    /// <summary>Saves one Elsa 3 JSON definition as a draft: 201 for a new version, 200 for an updated or unchanged one.</summary>
    public static async Task<Results<Created<ImportResponse>, Ok<ImportResponse>>> Import(
        HttpRequest request, WorkflowDefinitionService definitions, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        // Read no further than the largest file allowed: a bigger one is refused at once, not after it is all in memory.
        var buffer = new char[ElsaJson.MaxCharacters + 1];
        var length = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (length > ElsaJson.MaxCharacters) throw new WorkflowFormatException(ElsaJson.TooLarge);
        var response = await definitions.ImportAsync(new string(buffer, 0, length), cancellationToken);
        return response.Outcome == nameof(ImportOutcome.Created)
            ? TypedResults.Created($"/api/workflow-definitions/{response.Definition.DefinitionId}?version={response.Definition.Version}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Ok<DefinitionSummary>> Publish(string definitionId, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await definitions.PublishAsync(definitionId, cancellationToken));

    public static async Task<Ok<DefinitionSummary>> Retract(string definitionId, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await definitions.RetractAsync(definitionId, cancellationToken));

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Export(
        string definitionId, int? version, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.ExportAsync(definitionId, version, cancellationToken)).ToFile();

    /// <summary>Starts the published version and runs it until it suspends or ends.</summary>
    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> Execute(
        string definitionId, ExecuteRequest? body, WorkflowDefinitionService definitions, CancellationToken cancellationToken) =>
        (await definitions.ExecuteAsync(definitionId, body, cancellationToken)).ToOk();
}

/// <param name="Template">A key of <see cref="WorkflowTemplates"/>; blank when absent.</param>
/// <param name="DefinitionId">The new definition's id; made from the template's when absent.</param>
public sealed record NewDefinitionRequest(string? Name, string? Template = null, string? DefinitionId = null);

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
