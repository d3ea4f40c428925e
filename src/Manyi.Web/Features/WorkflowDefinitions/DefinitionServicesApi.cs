using System.Text.Json.Nodes;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// What the designer asks of a definition's versions besides editing them: compare two versions, preview the dates a
/// version or an unsaved draft would give its tasks and reminders for one organization, and move suspended instances
/// of older versions onto a newer one (a dry run first). Mapped inside the workflow-definitions group (administrators);
/// the rules are <see cref="WorkflowToolsService"/>'s.
/// </summary>
public static class DefinitionServicesApi
{
    public static RouteGroupBuilder MapDefinitionServicesApi(this RouteGroupBuilder group)
    {
        group.MapGet("/{definitionId}/compare", Compare).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/preview", Preview).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{definitionId}/migration", MigrationDryRun).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{definitionId}/migration", Migrate).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>What changed from version <paramref name="from"/> to version <paramref name="to"/>.</summary>
    public static async Task<Results<Ok<VersionComparison>, ValidationProblem, ProblemHttpResult>> Compare(
        string definitionId, int? from, int? to, WorkflowToolsService tools, CancellationToken cancellationToken) =>
        (await tools.CompareAsync(definitionId, from, to, cancellationToken)).ToOk();

    /// <summary>
    /// The dates of every task and reminder of a draft (<c>definition</c>, Elsa 3 JSON) or of the latest version, for
    /// one organization, on the working-day calendar.
    /// </summary>
    public static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> Preview(
        string definitionId, PreviewRequest? body, WorkflowToolsService tools, CancellationToken cancellationToken) =>
        (await tools.PreviewAsync(definitionId, body, cancellationToken)).ToOk();

    /// <summary>A dry run: every suspended instance of a version older than <paramref name="to"/>, whether it can move and why not.</summary>
    public static async Task<Results<Ok<MigrationPlan>, ValidationProblem, ProblemHttpResult>> MigrationDryRun(
        string definitionId, int? to, WorkflowToolsService tools, CancellationToken cancellationToken, bool? movable = null, int page = 1, int pageSize = 50) =>
        (await tools.MigrationDryRunAsync(definitionId, to, movable, page, pageSize, cancellationToken)).ToOk();

    /// <summary>Moves the given instances that can move, each in its own transaction; says of the others why not.</summary>
    public static async Task<Results<Ok<MigrationResult>, ValidationProblem, ProblemHttpResult>> Migrate(
        string definitionId, MigrateRequest body, WorkflowToolsService tools, CancellationToken cancellationToken) =>
        (await tools.MigrateAsync(definitionId, body, cancellationToken)).ToOk();
}

/// <summary>The draft to preview (null: the latest version), the organization, and optionally the workflow's input.</summary>
public sealed record PreviewRequest(JsonObject? Definition, string? OrganizationId, JsonObject? Input);

/// <summary>Deadlines and reminders in Beijing time; <c>InputSource</c> says where the input came from (request, campaign-2025, campaigns/2025.json).</summary>
public sealed record PreviewResponse(string DefinitionId, string Source, string? OrganizationId, string InputSource,
    IReadOnlyList<PreviewActivity> Activities, IReadOnlyList<string> Problems);

/// <summary>A waiting activity's dates; <c>LadderDays</c> is how its ladder counts (<c>working</c> or <c>calendar</c>), null without one.</summary>
public sealed record PreviewActivity(string Id, string? Name, string Type, DateTimeOffset? Deadline, bool DeadlinePassed,
    IReadOnlyList<PreviewReminder> Reminders, string? LadderDays, string? Error)
{
    public bool HasLadder => LadderDays is not null;
}

/// <summary>
/// One ladder step: its label (before-3, at, after-1, escalation), kind, when, whether it is past; <c>MovedFrom</c>
/// the day its rule names when it goes out on another and <c>MoveReason</c> why (<c>NotWorkingDay</c>,
/// <c>DeadlineBeforeSendTime</c>); <c>MergedInto</c> the step sent instead on the same instant (this one is not sent).
/// </summary>
public sealed record PreviewReminder(string Step, string Kind, DateTimeOffset At, bool Past, DateOnly? MovedFrom, string? MoveReason, string? MergedInto);

public sealed record MigrationPlan(string DefinitionId, int To, int Suspended, int Movable, Page<MigrationCandidate> Instances);

public sealed record MigrationCandidate(string InstanceId, string? CorrelationId, int Version, DateTimeOffset UpdatedAt,
    IReadOnlyList<ActivitySummary> WaitingIn, bool CanMove, IReadOnlyList<string> Reasons);

public sealed record MigrateRequest(int? To, IReadOnlyList<string>? InstanceIds, string? Reason);

public sealed record MigrationResult(string DefinitionId, int To, IReadOnlyList<string> Moved, IReadOnlyList<NotMoved> NotMoved);

public sealed record NotMoved(string InstanceId, IReadOnlyList<string> Reasons);
