using System.Globalization;

namespace Manyi.CampaignBench;

/// <summary>
/// Who does what in the simulated year: the script of tests/Manyi.Web.Tests/Campaign/CampaignSimulation.cs, repeated
/// for every block of 58 organizations (in id order), so that 58 organizations play exactly the simulation's year and
/// 2,000 play it about 34 times over. In each block: three report their headcount late (positions 1, 20, 40), one
/// has no certificate holder (5), one's index is 80.9 (10) and one's 81.0 (11), one is returned once (12), one
/// submits at 23:59:59 on the last day (13) and one a second too late (14).
/// </summary>
public sealed class CampaignScript
{
    public const int BlockSize = 58;

    public CampaignScript(int organizations)
    {
        var digits = Math.Max(4, organizations.ToString(CultureInfo.InvariantCulture).Length);
        Organizations = [.. Enumerable.Range(1, organizations).Select(i => "org-" + i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0'))];
        for (var i = 0; i < Organizations.Count; i++) _position[Organizations[i]] = i;
    }

    private readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);

    /// <summary>The organizations' ids, org-0001 …, in order.</summary>
    public IReadOnlyList<string> Organizations { get; }

    private int InBlock(string organization) => _position[organization] % BlockSize;

    public bool IsLateHeadcount(string o) => InBlock(o) is 1 or 20 or 40;
    public bool HasNoCertificate(string o) => InBlock(o) == 5;
    public bool IsBelowIndex(string o) => InBlock(o) == 10;
    public bool IsAtIndex(string o) => InBlock(o) == 11;
    public bool IsReturned(string o) => InBlock(o) == 12;
    public bool IsLastSecond(string o) => InBlock(o) == 13;
    public bool IsTooLate(string o) => InBlock(o) == 14;

    public IEnumerable<string> LateHeadcount => Organizations.Where(IsLateHeadcount);
    public IEnumerable<string> NoCertificate => Organizations.Where(HasNoCertificate);
    public IEnumerable<string> BelowIndex => Organizations.Where(IsBelowIndex);
    public IEnumerable<string> Returned => Organizations.Where(IsReturned);
    public IEnumerable<string> LastSecond => Organizations.Where(IsLastSecond);
    public IEnumerable<string> TooLate => Organizations.Where(IsTooLate);

    public decimal Index(string o) => IsBelowIndex(o) ? 80.9m : IsAtIndex(o) ? 81.0m : 85m + _position[o] % 10;

    public bool IsEligible(string o) => !HasNoCertificate(o) && !IsBelowIndex(o);

    public IEnumerable<string> Eligible => Organizations.Where(IsEligible);

    public string Rating(string o) => (_position[o] % 4) switch { 0 => "AAA", 1 => "AA", 2 => "A", _ => "NotRated" };

    /// <summary>What the participant instance of the organization ends with: its status, its result and its rating.</summary>
    public string ExpectedResult(string o) =>
        HasNoCertificate(o) ? "Finished NoCertificate"
        : IsBelowIndex(o) ? "Finished NotEligible"
        : IsTooLate(o) ? "Finished Late"
        : $"Finished Reviewed {Rating(o)}";

    /// <summary>
    /// The e-mails each organization's contact gets, keyed "kind organization" (the simulation test's expectation): the
    /// notice and the training invitation, the published result; the no-holder, not-eligible, too-late and returned notices; two reminders
    /// and the overdue notice for a late headcount; three reminders before the submission deadline for the two that
    /// submit last.
    /// </summary>
    public SortedDictionary<string, int> ExpectedEmails()
    {
        var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in Organizations)
        {
            void Add(string kind, int count) => expected[$"{kind} {o}"] = expected.GetValueOrDefault($"{kind} {o}") + count;
            Add("notice", 2);
            Add("rating", 1);
            if (HasNoCertificate(o)) Add("notice", 1);
            if (IsBelowIndex(o)) Add("notice", 1);      // told why it is not eligible, and what next
            if (IsTooLate(o)) Add("notice", 1);         // told its package came too late
            if (IsReturned(o)) Add("notice", 1);
            if (IsLateHeadcount(o))
            {
                Add("reminder", 2);
                Add("overdue", 1);
            }
            if (IsLastSecond(o) || IsTooLate(o)) Add("reminder", 3);
        }
        return expected;
    }
}
