namespace Manyi.Web.Features.Rehearsals;

/// <summary>Two runs compared: the messages per kind, per organization and kind where the counts differ, and the ends that differ.</summary>
public static class RehearsalCompare
{
    public static RehearsalComparison Of(RehearsalResult first, RehearsalResult second)
    {
        var names = first.Organizations.Concat(second.Organizations).DistinctBy(o => o.Id).ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
        var kinds = first.Messages.Select(m => m.Kind).Union(second.Messages.Select(m => m.Kind)).Order(StringComparer.Ordinal)
            .Select(k => new KindDifference(k, first.Messages.Count(m => m.Kind == k), second.Messages.Count(m => m.Kind == k))).ToList();
        var counts = (RehearsalResult r) => r.Messages.GroupBy(m => (m.OrganizationId, m.Kind)).ToDictionary(g => g.Key, g => g.Count());
        var a = counts(first);
        var b = counts(second);
        var organizations = a.Keys.Union(b.Keys)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => new OrganizationDifference(k.OrganizationId, k.OrganizationId is null ? "秘书处 Secretariat" : names.GetValueOrDefault(k.OrganizationId, k.OrganizationId),
                k.Kind, a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
            .OrderBy(d => d.OrganizationId is null).ThenBy(d => d.OrganizationId, StringComparer.Ordinal).ThenBy(d => d.Kind, StringComparer.Ordinal).ToList();
        var endA = first.Ends.ToDictionary(e => e.OrganizationId, End, StringComparer.Ordinal);
        var endB = second.Ends.ToDictionary(e => e.OrganizationId, End, StringComparer.Ordinal);
        var ends = endA.Keys.Union(endB.Keys).Where(o => endA.GetValueOrDefault(o) != endB.GetValueOrDefault(o)).Order(StringComparer.Ordinal)
            .Select(o => new EndDifference(o, names.GetValueOrDefault(o, o), endA.GetValueOrDefault(o), endB.GetValueOrDefault(o))).ToList();
        return new RehearsalComparison(RehearsalService.ListItem(first), RehearsalService.ListItem(second), kinds, organizations, ends);
    }

    /// <summary>An end as compared: the result and the rating (the date may move without the end changing).</summary>
    private static string End(RehearsalEnd end) => end.Rating is null ? end.Result : $"{end.Result} {end.Rating}";
}
