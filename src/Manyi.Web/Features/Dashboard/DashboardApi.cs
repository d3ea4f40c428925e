using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Dashboard;

/// <summary>
/// The administrators' campaign dashboard as data: <c>GET /api/dashboard</c> lists the years with a campaign,
/// <c>GET /api/dashboard/{year}</c> gives the year's figures (the same <see cref="CampaignDashboard"/> as the page).
/// </summary>
public static class DashboardApi
{
    public static IServiceCollection AddManyiDashboard(this IServiceCollection services) => services.AddScoped<CampaignDashboard>();

    public static RouteGroupBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/dashboard").WithTags("Dashboard");
        group.MapGet("/", Years);
        group.MapGet("/{year:int}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The years with a campaign, newest first; the first is the one the dashboard opens on.</summary>
    public static async Task<Ok<DashboardYears>> Years(CampaignDashboard dashboard, CancellationToken cancellationToken)
    {
        var years = await dashboard.YearsAsync(cancellationToken);
        return TypedResults.Ok(new DashboardYears(years, years.Count > 0 ? years[0] : null));
    }

    /// <summary>A year's figures, filtered and paged as <see cref="DashboardRequest"/> says.</summary>
    public static async Task<Results<Ok<DashboardFigures>, ValidationProblem, ProblemHttpResult>> Get(
        int year, CampaignDashboard dashboard, CancellationToken cancellationToken,
        string? @operator = null, string? city = null, string? name = null, string? stage = null, string? stageStatus = null,
        int page = 1, int pageSize = 20, int overduePage = 1, int dueSoonPage = 1) =>
        (await dashboard.FiguresAsync(year, new DashboardRequest(@operator, city, name, stage, stageStatus, page, pageSize, overduePage, dueSoonPage),
            cancellationToken)).ToOk();
}

public sealed record DashboardYears(IReadOnlyList<int> Years, int? Newest);
