using System.Text.Json.Nodes;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Review;

/// <summary>
/// The reviewer's list: the national-review tasks (stage <c>review</c> of <c>workflows/participant.json</c>, one per
/// organization whose submission passed the completeness check) a reviewer may act on — administrators see them all.
/// The organization a review is about is its participant workflow's correlation id.
/// </summary>
public sealed class ReviewService(ManyiDbContext db, TaskAccess access, CurrentUser user)
{
    /// <summary>The stage of the review task in <c>workflows/participant.json</c>.</summary>
    public const string ReviewStage = "review";

    /// <summary>Open reviews by default (status <c>Open</c>, <c>Completed</c> or <c>any</c>), soonest due first, then by organization.</summary>
    public async Task<Outcome<ReviewList>> ListAsync(string? status, string? organization, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (status is not (null or "" or "any" or nameof(HumanTaskStatus.Open) or nameof(HumanTaskStatus.Completed)))
            return new Failure.Invalid("status", $"状态 '{status}' 无效。Unknown status '{status}'; use Open, Completed or any.");
        var tasks = db.Tasks.AsNoTracking().Where(t => t.Stage == ReviewStage);
        if (!user.IsAdministrator) tasks = await access.VisibleAsync(tasks, cancellationToken);
        var reviews = from t in tasks
                      join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                      select new { Task = t, Organization = i.CorrelationId };
        // The organizations to filter by: those with a review in this person's list, whatever the other filters.
        var organizationIds = await reviews.Select(r => r.Organization).Where(o => o != null).Distinct().ToListAsync(cancellationToken);
        if (status is not (null or "" or "any"))
        {
            // Checked above: Open or Completed, by name.
            var wanted = Enum.Parse<HumanTaskStatus>(status);
            reviews = reviews.Where(r => r.Task.Status == wanted);
        }
        if (!string.IsNullOrEmpty(organization)) reviews = reviews.Where(r => r.Organization == organization);

        (page, pageSize) = Page.Clamp(page, pageSize);
        var total = await reviews.CountAsync(cancellationToken);
        var rows = await reviews.OrderBy(r => r.Task.Status != HumanTaskStatus.Open).ThenBy(r => r.Task.DueAt).ThenBy(r => r.Organization).ThenBy(r => r.Task.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var names = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var items = rows.Select(r => new ReviewItem(r.Task.Id, r.Organization, r.Organization is null ? null : names.GetValueOrDefault(r.Organization),
            r.Task.Status, r.Task.DueAt, r.Task.IsOverdue, r.Task.ClaimedByUserId, r.Task.ClosedAt, r.Task.ClosedByName,
            RatingOf(r.Task.Data))).ToList();
        var options = organizationIds.OfType<string>().Select(o => new ReviewOrganization(o, names.GetValueOrDefault(o) ?? o))
            .OrderBy(o => o.Id, StringComparer.Ordinal).ToList();
        return new ReviewList(items, total, page, pageSize, options);
    }

    private static string? RatingOf(string? data) =>
        data is not null && JsonNode.Parse(data)?["rating"] is JsonValue value && value.TryGetValue<string>(out var rating) ? rating : null;
}

/// <summary>The reviewer's list endpoint; the rules are <see cref="ReviewService"/>'s.</summary>
public static class ReviewsApi
{
    public static RouteGroupBuilder MapReviewsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/reviews").WithTags("Reviews").RequireAuthorization(ManyiPolicies.Reviewer);
        group.MapGet("/", List);
        return group;
    }

    /// <summary>Open reviews by default (status <c>Open</c>, <c>Completed</c> or <c>any</c>), soonest due first, then by organization.</summary>
    public static async Task<Results<Ok<ReviewList>, ValidationProblem, ProblemHttpResult>> List(
        ReviewService reviews, CancellationToken cancellationToken, string? status = "Open", string? organization = null, int page = 1, int pageSize = 20) =>
        (await reviews.ListAsync(status, organization, page, pageSize, cancellationToken)).ToOk();
}

/// <summary>A review task: the organization it is about, its state and, once completed, the rating given.</summary>
public sealed record ReviewItem(string TaskId, string? OrganizationId, string? OrganizationName, HumanTaskStatus Status, DateTimeOffset? DueAt, bool IsOverdue,
    string? ClaimedByUserId, DateTimeOffset? ClosedAt, string? ClosedBy, string? Rating);

public sealed record ReviewOrganization(string Id, string Name);

public sealed record ReviewList(IReadOnlyList<ReviewItem> Items, int TotalCount, int PageNumber, int PageSize, IReadOnlyList<ReviewOrganization> Organizations);
