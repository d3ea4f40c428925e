using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Changes;

/// <summary><c>GET /api/campaigns/{year}/changes?since=…</c>: what changed in the year since the previous working day's same time (or since <c>since</c>).</summary>
public static class ChangesApi
{
    public static IServiceCollection AddManyiChanges(this IServiceCollection services) => services.AddScoped<CampaignChanges>();

    public static RouteGroupBuilder MapChangesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/campaigns/{year:int}/changes").WithTags("Changes");
        group.MapGet("/", List).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<CampaignChangeList>, ValidationProblem, ProblemHttpResult>> List(
        int year, CampaignChanges changes, CancellationToken cancellationToken, DateTimeOffset? since = null) =>
        (await changes.SinceAsync(year, since, cancellationToken)).ToOk();
}
