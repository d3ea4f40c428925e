using Manyi.Campaign;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Timeline;

/// <summary>An organization's way through this year's campaign (<see cref="TimelineService"/>), as data.</summary>
public static class TimelineApi
{
    public static RouteGroupBuilder MapTimelineApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/organizations").WithTags("Timeline");
        group.MapGet("/{id}/timeline", Get).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The organization's timeline, for its participants and administrators; anyone else gets 404.</summary>
    public static async Task<Results<Ok<OrganizationTimeline>, ValidationProblem, ProblemHttpResult>> Get(
        string id, TimelineService timelines, CancellationToken cancellationToken) =>
        (await timelines.GetAsync(id, cancellationToken)).ToOk();
}


public enum TimelineStatus
{
    /// <summary>Its task was completed.</summary>
    Done,

    /// <summary>Its task is open now.</summary>
    Current,

    /// <summary>Not reached yet; planned on the campaign's date.</summary>
    Upcoming,

    /// <summary>Its task expired: the deadline passed.</summary>
    Missed,

    /// <summary>The organization's workflow ended without it (e.g. not eligible), or its task was withdrawn.</summary>
    Skipped,
}

/// <summary>An organization's campaign; <see cref="Year"/> and <see cref="CampaignInstanceId"/> are null when no campaign includes it yet.</summary>
public sealed record OrganizationTimeline(string OrganizationId, string OrganizationName, int? Year, string? CampaignInstanceId, IReadOnlyList<TimelineStage> Stages);

/// <summary>
/// One stage: <see cref="PlannedAt"/> from the campaign's settings; <see cref="DueAt"/> and <see cref="TaskId"/> from its
/// task once opened (the task id only for the organization's own tasks); <see cref="CompletedAt"/> once it closed;
/// <see cref="Rating"/> on the publication stage once the ratings are published (A, AA, AAA or NotRated), never before.
/// </summary>
public sealed record TimelineStage(string Stage, string Title, string TitleEn, StageActor Actor, TimelineStatus Status, DateTimeOffset? PlannedAt,
    DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, string? Outcome, string? TaskId, string? TaskTitle, bool IsOverdue, string? Rating = null);
