using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// The workflow-instance endpoints: list, inspect, journal (administrators; others only the instances of their tasks
/// that hold no other organization's), cancel and retry incidents (administrators). The rules are
/// <see cref="InstanceService"/>'s.
/// </summary>
public static class WorkflowInstancesApi
{
    public static RouteGroupBuilder MapWorkflowInstancesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/workflow-instances").WithTags("Workflow instances");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/journal", Journal).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/overview", Overview).RequireAuthorization(ManyiPolicies.Administrator).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/incidents/{incidentId}/retry", Retry).RequireAuthorization(ManyiPolicies.Administrator);
        return group;
    }

    /// <summary>Instances, newest first, filtered; see <see cref="InstanceService.ListAsync"/>.</summary>
    public static async Task<Results<Ok<Page<InstanceSummary>>, ValidationProblem, ProblemHttpResult>> List(
        [AsParameters] InstanceQuery query, InstanceService instances, CancellationToken cancellationToken) =>
        (await instances.ListAsync(query, cancellationToken)).ToOk();

    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string id, InstanceService instances, CancellationToken cancellationToken) =>
        (await instances.GetAsync(id, cancellationToken)).ToOk();

    /// <summary>The instance with what surrounds it; see <see cref="InstanceService.OverviewAsync"/>.</summary>
    public static async Task<Results<Ok<InstanceOverview>, ValidationProblem, ProblemHttpResult>> Overview(
        string id, InstanceService instances, CancellationToken cancellationToken) =>
        (await instances.OverviewAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<Page<JournalEntryResponse>>, ValidationProblem, ProblemHttpResult>> Journal(
        string id, InstanceService instances, int page = 1, int pageSize = 200, CancellationToken cancellationToken = default) =>
        (await instances.JournalAsync(id, page, pageSize, cancellationToken)).ToOk();

    public static async Task<Ok<InstanceResponse>> Cancel(string id, InstanceService instances, CancellationToken cancellationToken) =>
        TypedResults.Ok(await instances.CancelAsync(id, cancellationToken));

    public static async Task<Ok<InstanceResponse>> Retry(string id, string incidentId, InstanceService instances, CancellationToken cancellationToken) =>
        TypedResults.Ok(await instances.RetryAsync(id, incidentId, cancellationToken));
}

public sealed record InstanceSummary(string Id, string DefinitionId, string DefinitionVersionId, int Version, string Status,
    string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

public sealed record InstanceResponse(
    string Id, string DefinitionId, string DefinitionVersionId, int Version, WorkflowStatus Status, string? CorrelationId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, JsonNode?> Input, IReadOnlyDictionary<string, JsonNode?> Variables, IReadOnlyList<BookmarkResponse> Bookmarks,
    IReadOnlyList<Incident> Incidents, IReadOnlyDictionary<string, JsonNode?> Output, string? Name)
{
    public static InstanceResponse From(WorkflowInstance i) =>
        new(i.Id, i.DefinitionId, i.DefinitionVersionId, i.Version, i.Status, i.CorrelationId, i.CreatedAt, i.UpdatedAt, i.FinishedAt,
            i.State.Input, i.State.Variables,
            i.Bookmarks.Select(b => new BookmarkResponse(b.Id, b.ActivityId, b.Name, b.Key, b.CorrelationId, b.CreatedAt, b.ResumeAt, b.Payload,
                i.State.ContainerPath(b.Id))).ToList(),
            i.Incidents, i.State.Output, i.State.Name);
}

/// <summary>
/// A bookmark; its payload says e.g. which reminder step is next, and for which deadline. <paramref name="ContainerPath"/>:
/// the container activities it waits inside, outermost first (the root first).
/// </summary>
public sealed record BookmarkResponse(string Id, string ActivityId, string Name, string? Key, string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset? ResumeAt,
    JsonObject? Payload, IReadOnlyList<string> ContainerPath);

/// <summary>
/// One journal line. <paramref name="Text"/> is what a person reads (Chinese, English; names, never ids; empty Chinese for
/// an author's free text, which is shown as written). As stored: <paramref name="MessageKey"/> and <paramref name="Arguments"/>
/// for a line the engine or an activity wrote (<c>task.opened</c> with <c>{"count": 58, "title": "…"}</c>), else
/// <paramref name="Message"/> (a <c>WriteLine</c>'s text, a fault's message, the bookmarks a <c>Suspended</c> line waits on).
/// </summary>
public sealed record JournalEntryResponse(long Sequence, DateTimeOffset At, string Event, string? ActivityId, string? ActivityType,
    string? ActivityName, string? Message, string? Outcomes, string? MessageKey, JsonObject? Arguments, JournalText Text);

/// <summary>A journal line in words: <paramref name="Zh"/> empty when the line is an author's own text, shown as written.</summary>
public sealed record JournalText(string Zh, string En);

/// <summary>An instance with what surrounds it; see <see cref="InstanceService.OverviewAsync"/>.</summary>
public sealed record InstanceOverview(
    InstanceResponse Instance, string? DefinitionName, string? OrganizationName, string? ParentInstanceId, IReadOnlyList<ChildInstance> Children,
    IReadOnlyList<string> CompletedActivityIds, IReadOnlyList<InstanceTask> Tasks, int TaskCount);

/// <summary>A child a DispatchWorkflow activity started, under its item's key; its status is null while it has not started.</summary>
public sealed record ChildInstance(string Id, string ActivityId, string Key, string? DefinitionId, string? Status);

public sealed record InstanceTask(string Id, string ActivityId, string Title, HumanTaskStatus Status, string? OrganizationId, DateTimeOffset? DueAt, bool IsOverdue,
    DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt);
