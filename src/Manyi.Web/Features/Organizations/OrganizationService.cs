using Manyi.Persistence;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// The organization rules the endpoints and the pages share. Lists are sorted by operator (移动, 联通, 电信, 广电, then
/// others), then city (Henan's administrative order), then id, the same on every database.
/// </summary>
public sealed class OrganizationService(ManyiDbContext db)
{
    public async Task<Outcome<Page<OrganizationSummary>>> ListAsync(OrganizationQuery filter, CancellationToken cancellationToken)
    {
        if (OrganizationsApi.Filter(db.Organizations.AsNoTracking(), filter.Operator, filter.City, filter.Level, filter.Search) is not { } query)
            return new Failure.Invalid("level", OrganizationRules.LevelProblem(filter.Level!));
        var (page, pageSize) = Page.Clamp(filter.Page, filter.PageSize);
        // Sorted in memory, in an order no collation gives; organizations number in the hundreds at most.
        var all = await query
            .Select(o => new OrganizationSummary(o.Id, o.Name, o.Operator, o.City, o.Level, o.LastRating, o.Contacts.Count,
                db.OrganizationMembers.Count(m => m.OrganizationId == o.Id)))
            .ToListAsync(cancellationToken);
        var items = all.InListOrder(o => o.Operator, o => o.City, o => o.Id).Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return new Page<OrganizationSummary>(items, all.Count, page, pageSize);
    }

    /// <summary>Every organization, in list order: the choices of a page's organization filter.</summary>
    public async Task<IReadOnlyList<OrganizationSummary>> AllAsync(CancellationToken cancellationToken) =>
        (await ListAsync(new OrganizationQuery(Page: 1, PageSize: Page.MaxPageSize), cancellationToken)).Value?.Items ?? [];
}

/// <summary>The organization list's filters: operator, city, level, a search in the id and name.</summary>
public sealed record OrganizationQuery(
    string? Operator = null, string? City = null, string? Level = null, string? Search = null, int Page = 1, int PageSize = 50);
