namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// The scenario made concrete for one run: the organizations of the year (ids and names, in id order), which of them
/// are late at which stages and by how many working days, when the others act, and whose package is returned once.
/// </summary>
public sealed class RehearsalPlan(IReadOnlyDictionary<string, string> names, IReadOnlyList<string> late, IReadOnlyList<string> lateStages, int workingDays, string? returned,
    int? onTimeWorkingDaysBefore = null)
{
    private readonly List<string> _organizations = [.. names.Keys.Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Organizations => _organizations;
    public IReadOnlyDictionary<string, string> Names => names;
    public IReadOnlyList<string> Late => late;
    public IReadOnlyList<string> LateStages => lateStages;
    public int WorkingDays => workingDays;
    public string? Returned => returned;

    /// <summary>When the organizations on time act: this many working days before the deadline, or (null) the working day after the task opens.</summary>
    public int? OnTimeWorkingDaysBefore => onTimeWorkingDaysBefore;

    public bool Knows(string organization) => names.ContainsKey(organization);

    public bool IsLate(string organization, string? stage) => stage is not null && lateStages.Contains(stage) && late.Contains(organization);

    /// <summary>The organization's place in id order (its answers vary with it, e.g. its rating); 0 for none.</summary>
    public int PositionOf(string? organization) => organization is null ? 0 : Math.Max(0, _organizations.IndexOf(organization));

    public string NameOf(string? organization) => organization is null ? "秘书处 Secretariat" : names.GetValueOrDefault(organization, organization);

    /// <summary><paramref name="count"/> organizations drawn with <paramref name="seed"/>: the same seed and list give the same draw.</summary>
    public static IReadOnlyList<string> Draw(IReadOnlyList<string> organizations, int count, int seed)
    {
        var random = new Random(seed);
        return [.. organizations.Order(StringComparer.Ordinal).OrderBy(_ => random.Next()).Take(count).Order(StringComparer.Ordinal)];
    }
}
