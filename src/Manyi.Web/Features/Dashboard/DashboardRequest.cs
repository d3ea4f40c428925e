using Manyi.Web.Infrastructure.Services;

namespace Manyi.Web.Features.Dashboard;

/// <summary>
/// The dashboard's filters and pagers as given (in the address of the page or of <c>GET /api/dashboard/{year}</c>):
/// the grid filters by operator, city, name (contains, name or id) and the state of a stage (<see cref="Stage"/> +
/// <see cref="StageStatus"/>: Done, Open, Overdue, NotReached, Ended; without a stage, at any stage); it and the
/// overdue and due-within-7-days task lists are paged by <see cref="PageSize"/> (1–100).
/// </summary>
public sealed record DashboardRequest(
    string? Operator = null, string? City = null, string? Name = null, string? Stage = null, string? StageStatus = null,
    int Page = 1, int PageSize = 20, int OverduePage = 1, int DueSoonPage = 1)
{
    /// <summary>The query these ask for, or every wrong one's problem by parameter name.</summary>
    public Outcome<DashboardQuery> Check()
    {
        var errors = new Dictionary<string, string[]>();
        if (PageSize is < 1 or > CampaignDashboard.MaxPageSize)
            errors["pageSize"] = [$"每页条数须在 1 到 {CampaignDashboard.MaxPageSize} 之间。pageSize must be between 1 and {CampaignDashboard.MaxPageSize}, not {PageSize}."];
        foreach (var (field, value) in new[] { ("page", Page), ("overduePage", OverduePage), ("dueSoonPage", DueSoonPage) })
            if (value < 1) errors[field] = [$"页码须从 1 开始。{field} starts at 1, not {value}."];
        if (!string.IsNullOrWhiteSpace(Stage) && CampaignDashboard.IndexOf(Stage) < 0)
            errors["stage"] = [$"未知阶段 '{Stage}'。Unknown stage '{Stage}'; use {string.Join(", ", CampaignDashboard.Stages.Select(s => s.Id))}."];
        StageState? state = null;
        if (!string.IsNullOrWhiteSpace(StageStatus))
        {
            if (Enum.TryParse<StageState>(StageStatus, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !int.TryParse(StageStatus, out _)) state = parsed;
            else errors["stageStatus"] = [$"未知阶段状态 '{StageStatus}'。Unknown stageStatus '{StageStatus}'; use {string.Join(", ", Enum.GetNames<StageState>())}."];
        }
        if (errors.Count > 0) return new Failure.Invalid(errors);
        return new DashboardQuery(Operator, City, Name, string.IsNullOrWhiteSpace(Stage) ? null : Stage, state, Page, PageSize, OverduePage, DueSoonPage);
    }
}
