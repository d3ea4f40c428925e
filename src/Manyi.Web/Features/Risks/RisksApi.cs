using Manyi.Engine;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Risks;

/// <summary><c>GET /api/campaigns/{year}/risks</c>: the year's open tasks by risk of ending late, with the rule's weights.</summary>
public static class RisksApi
{
    public static IServiceCollection AddManyiRisks(this IServiceCollection services)
    {
        services.AddManyiOptions<RiskRule>(RiskRule.Section, rule => rule.Problems());
        return services.AddScoped<CampaignRisks>();
    }

    public static RouteGroupBuilder MapRisksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/campaigns/{year:int}/risks").WithTags("Risks");
        group.MapGet("/", List).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<CampaignRiskList>, ValidationProblem, ProblemHttpResult>> List(int year, CampaignRisks risks, CancellationToken cancellationToken) =>
        (await risks.ListAsync(year, cancellationToken)).ToOk();
}
