using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Campaign.Activities;

/// <summary>
/// Checks whether an organization may be assessed (申请条件): its satisfaction index reaches the minimum (≥ 81 for the
/// 2024 assessment year), its survey was conducted on or after the date the notice sets (after October 2024), and at
/// least one of its staff holds the training certificate. Every rule is checked; each one that fails is recorded in
/// <c>Reasons</c> with its numbers, Chinese first, then English. A malformed date is a fault, not a reason.
/// </summary>
[Activity("Manyi.CheckEligibility", "Campaign",
    "Checks an organization's satisfaction index, survey date and training certificates against the campaign's rules; ends Eligible or NotEligible with every failed rule as a reason.",
    Outcomes = [Eligible, NotEligible], Outputs = ["Eligible", "Reasons"])]
public sealed class CheckEligibility : Activity
{
    public const string Eligible = "Eligible";
    public const string NotEligible = "NotEligible";

    /// <summary>The index the notice requires for the 2024 assessment year.</summary>
    public const decimal DefaultMinimumIndex = 81m;

    private const string DateFormat = "yyyy-MM-dd";

    [Input(Description = "The organization's satisfaction index (满意度指数), 0 to 100.", Required = true)]
    public Input<decimal> Index { get; set; } = new(0m);

    [Input(Description = "The lowest index that is eligible (the index must be at least this); 81 for the 2024 assessment year.")]
    public Input<decimal> MinimumIndex { get; set; } = new(DefaultMinimumIndex);

    [Input(Description = "The last day of the survey, yyyy-MM-dd; empty means no survey was reported.", Required = true)]
    public Input<string> SurveyEnd { get; set; } = new("");

    [Input(Description = "The survey must not have ended before this day, yyyy-MM-dd, e.g. 2024-10-01.", Required = true)]
    public Input<string> SurveyNotBefore { get; set; } = new("");

    [Input(Description = "How many of the organization's staff hold this year's training certificate (培训合格证书); at least one is needed.", Required = true)]
    public Input<int> CertificateHolders { get; set; } = new(0);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var index = await NumberOrNullAsync(context, Index, "index");
        // No value (an empty literal, a script giving null) would read as 0 and let every index pass: it means the default.
        var minimum = await NumberOrNullAsync(context, MinimumIndex, "minimumIndex") ?? DefaultMinimumIndex;
        if (minimum is < 0 or > 100)
            throw new InvalidOperationException($"Input 'minimumIndex': {Number(minimum)} is not a satisfaction index (0 to 100).");
        var notBefore = ParseDate(await context.EvaluateAsync(SurveyNotBefore), "surveyNotBefore")
            ?? throw new InvalidOperationException("Input 'surveyNotBefore': the earliest survey date is required, e.g. 2024-10-01.");
        var surveyEnd = ParseDate(await context.EvaluateAsync(SurveyEnd), "surveyEnd");
        var holders = await context.EvaluateAsync(CertificateHolders);

        var reasons = Check(index, minimum, surveyEnd, notBefore, holders);
        var eligible = reasons.Count == 0;
        if (eligible)
            context.Log(CampaignJournalKeys.Eligible, new JsonObject
            {
                ["index"] = index!.Value, ["minimum"] = minimum, ["surveyEnd"] = surveyEnd?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["holders"] = holders,
            });
        else
            context.Log(CampaignJournalKeys.NotEligible, new JsonObject { ["reasons"] = CampaignMail.Addresses(reasons) });
        context.SetOutput("Reasons", new JsonArray([.. reasons.Select(r => (JsonNode)JsonValue.Create(r))]));
        context.SetOutput("Eligible", eligible);
        return ActivityStep.CompleteWith(eligible ? Eligible : NotEligible);
    }

    /// <summary>Every rule the values fail, Chinese first, then English; empty when they are eligible.</summary>
    internal static IReadOnlyList<string> Check(decimal? index, decimal minimum, DateOnly? surveyEnd, DateOnly notBefore, int certificateHolders)
    {
        var reasons = new List<string>();
        if (index is null)
            reasons.Add("未提供满意度指数。No satisfaction index was given.");
        else if (index is < 0 or > 100)
            reasons.Add($"满意度指数 {Number(index.Value)} 不在 0 到 100 之间。Satisfaction index {Number(index.Value)} is not between 0 and 100.");
        else if (index < minimum)
            reasons.Add($"满意度指数 {Number(index.Value)} 低于 {Number(minimum)}。Satisfaction index {Number(index.Value)} is below {Number(minimum)}.");

        if (surveyEnd is null)
            reasons.Add($"未提供{CampaignStages.Survey.Zh}的结束日期。No end date of the {CampaignStages.Survey.En.ToLowerInvariant()} was given.");
        else if (surveyEnd < notBefore)
            reasons.Add($"{CampaignStages.Survey.Zh}于 {surveyEnd:yyyy-MM-dd} 结束，早于 {notBefore:yyyy-MM-dd}。The {CampaignStages.Survey.En.ToLowerInvariant()} ended on {surveyEnd:yyyy-MM-dd}, before {notBefore:yyyy-MM-dd}.");

        if (certificateHolders < 1)
            reasons.Add($"持有{CampaignStages.Certificate.Zh}的人数为 {certificateHolders}，至少需要 1 人。{certificateHolders} staff members hold the {CampaignStages.Certificate.En.ToLowerInvariant()}; at least 1 is needed.");
        return reasons;
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        foreach (var (input, name) in new[] { (SurveyEnd, "surveyEnd"), (SurveyNotBefore, "surveyNotBefore") })
        {
            if (input.Expression.Type != Expression.Literal || string.IsNullOrWhiteSpace(input.Expression.Text)) continue;
            string? problem = null;
            try
            {
                ParseDate(input.Expression.Text, name);
            }
            catch (InvalidOperationException ex)
            {
                problem = ex.Message;
            }
            if (problem is not null) yield return new InputProblem(name, problem);
        }
        if (MinimumIndex.Expression.Type == Expression.Literal
            && decimal.TryParse(MinimumIndex.Expression.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minimum)
            && minimum is < 0 or > 100)
            yield return new InputProblem("minimumIndex", $"{Number(minimum)} is not a satisfaction index (0 to 100)");
    }

    /// <summary>
    /// The input's number, or null when its expression gives nothing (an empty literal, null, undefined, an empty text),
    /// which the typed evaluation would turn into 0.
    /// </summary>
    private static async ValueTask<decimal?> NumberOrNullAsync(ActivityContext context, Input<decimal> input, string name)
    {
        var value = await context.EvaluateAsync(new Input<JsonNode?>(input.Expression));
        if (value is null || value is JsonValue v && v.TryGetValue<string>(out var text) && string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return ValueConverter.Convert<decimal>(value);
        }
        catch (InvalidCastException ex)
        {
            throw new InvalidOperationException($"Input '{name}': {ex.Message}", ex);
        }
    }

    /// <summary>A day written yyyy-MM-dd; null for an empty text; throws for anything else.</summary>
    private static DateOnly? ParseDate(string? text, string input)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateOnly.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new InvalidOperationException($"Input '{input}': '{text}' is not a date written yyyy-MM-dd, e.g. 2024-10-01.");
    }

    /// <summary>A number as people write it: 81, 80.9 (no trailing zeros, invariant).</summary>
    private static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
