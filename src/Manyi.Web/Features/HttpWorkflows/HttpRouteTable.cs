using System.Collections.Concurrent;
using Manyi.Engine.Activities.Http;
using Manyi.Persistence;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.HttpWorkflows;

/// <summary>
/// The endpoints workflows listen on now: the keys of published endpoint triggers and of instances' endpoint
/// bookmarks, read from the store on each request (a publish or a waiting instance counts at once, on every node).
/// </summary>
public sealed class HttpRouteTable(ManyiDbContext db)
{
    private static readonly ConcurrentDictionary<string, TemplateMatcher?> Matchers = new(StringComparer.Ordinal);

    /// <summary>The routes whose path template matches the path, each with its route values.</summary>
    public async Task<IReadOnlyList<(HttpRoute Route, RouteValueDictionary Values)>> MatchAsync(string path, CancellationToken cancellationToken)
    {
        var keys = await db.Triggers.AsNoTracking().Where(t => t.Name == HttpRoute.BookmarkName).Select(t => t.Key)
            .Union(db.Bookmarks.AsNoTracking().Where(b => b.Name == HttpRoute.BookmarkName).Select(b => b.Key))
            .ToListAsync(cancellationToken);
        var matches = new List<(HttpRoute, RouteValueDictionary)>();
        foreach (var route in keys.Distinct().Select(HttpRoute.Parse).OfType<HttpRoute>())
        {
            var values = new RouteValueDictionary();
            if (Matcher(route.Path) is { } matcher && matcher.TryMatch(path, values)) matches.Add((route, values));
        }
        return matches;
    }

    /// <summary>A matcher per template; null for a template that does not parse (it then matches nothing).</summary>
    private static TemplateMatcher? Matcher(string template) => Matchers.GetOrAdd(template, static t =>
    {
        try
        {
            return new TemplateMatcher(TemplateParser.Parse(t.TrimStart('/')), new RouteValueDictionary());
        }
        catch (ArgumentException)
        {
            return null;
        }
    });
}
