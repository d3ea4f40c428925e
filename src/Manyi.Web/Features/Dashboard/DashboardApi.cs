using Manyi.Web.Infrastructure;
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

    /// <summary>
    /// A year's figures. The grid of organizations filters by <paramref name="operator"/>, <paramref name="city"/>,
    /// <paramref name="name"/> (contains, name or id) and the state of a stage (<paramref name="stage"/> +
    /// <paramref name="stageStatus"/>: Done, Open, Overdue, NotReached, Ended; without a stage, at any stage); it and
    /// the overdue and due-within-7-days task lists are paged by <paramref name="pageSize"/> (1–100).
    /// </summary>
    public static async Task<Results<Ok<DashboardFigures>, ValidationProblem, ProblemHttpResult>> Get(
        int year, CampaignDashboard dashboard, CancellationToken cancellationToken,
        string? @operator = null, string? city = null, string? name = null, string? stage = null, string? stageStatus = null,
        int page = 1, int pageSize = 20, int overduePage = 1, int dueSoonPage = 1)
    {
        var errors = new Dictionary<string, string[]>();
        if (pageSize is < 1 or > CampaignDashboard.MaxPageSize)
            errors["pageSize"] = [$"每页条数须在 1 到 {CampaignDashboard.MaxPageSize} 之间。pageSize must be between 1 and {CampaignDashboard.MaxPageSize}, not {pageSize}."];
        foreach (var (field, value) in new[] { ("page", page), ("overduePage", overduePage), ("dueSoonPage", dueSoonPage) })
            if (value < 1) errors[field] = [$"页码须从 1 开始。{field} starts at 1, not {value}."];
        if (!string.IsNullOrWhiteSpace(stage) && CampaignDashboard.IndexOf(stage) < 0)
            errors["stage"] = [$"未知阶段 '{stage}'。Unknown stage '{stage}'; use {string.Join(", ", CampaignDashboard.Stages.Select(s => s.Id))}."];
        StageState? state = null;
        if (!string.IsNullOrWhiteSpace(stageStatus))
        {
            if (Enum.TryParse<StageState>(stageStatus, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !int.TryParse(stageStatus, out _)) state = parsed;
            else errors["stageStatus"] = [$"未知阶段状态 '{stageStatus}'。Unknown stageStatus '{stageStatus}'; use {string.Join(", ", Enum.GetNames<StageState>())}."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query = new DashboardQuery(@operator, city, name, string.IsNullOrWhiteSpace(stage) ? null : stage, state, page, pageSize, overduePage, dueSoonPage);
        return await dashboard.LoadAsync(year, query, cancellationToken) is { } figures
            ? TypedResults.Ok(figures)
            : Problems.NotFound($"{year} 年度活动不存在。There is no {year} campaign.");
    }
}

public sealed record DashboardYears(IReadOnlyList<int> Years, int? Newest);
