using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Campaign;

/// <summary>
/// The campaign's list of participating units as the engine reads it: a choice of organizations (all, an operator's,
/// a city's) means the organizations on the list when the activity runs, in the association's order (operator, city,
/// name, as <see cref="ListOrder"/> sorts).
/// </summary>
public sealed class OrganizationCatalogue(ManyiDbContext db) : IOrganizationCatalogue
{
    public async Task<IReadOnlyList<string>> ResolveAsync(OrganizationSelection selection, CancellationToken cancellationToken)
    {
        var query = db.Organizations.AsNoTracking();
        if (selection.Operator is { } @operator) query = query.Where(o => o.Operator == @operator);
        if (selection.City is { } city) query = query.Where(o => o.City == city);
        var rows = await query.Select(o => new { o.Id, o.Operator, o.City, o.Name }).ToListAsync(cancellationToken);
        return
        [
            .. rows.OrderBy(o => ListOrder.OperatorRank(o.Operator)).ThenBy(o => o.Operator, StringComparer.Ordinal)
                .ThenBy(o => ListOrder.CityRank(o.City)).ThenBy(o => o.City, StringComparer.Ordinal)
                .ThenBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal)
                .Select(o => o.Id),
        ];
    }
}
