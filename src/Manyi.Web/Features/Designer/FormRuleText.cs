using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The form's rules as the designer types them, a line each: <c>periodEnd &gt;= periodStart</c>,
/// <c>rows(names) = trainees</c>, <c>periodStart &gt;= input(campaign.surveyNotBefore)</c>, <c>periodStart &gt;= 2024-10-01</c>;
/// written to and read from the form's <c>rules</c> JSON (Manyi.Engine.Forms.FormRule). Whether a rule makes sense
/// (its fields exist, it compares like with like) is the form's Problems(), shown with the workflow's other problems.
/// </summary>
public static partial class FormRuleText
{
    [GeneratedRegex(@"^\s*(?<left>\S+)\s*(?<op>!=|<=|>=|=|<|>)\s*(?<right>\S+)\s*$")]
    private static partial Regex Line();

    [GeneratedRegex(@"^(?<kind>rows|input)\((?<name>[^()\s]+)\)$")]
    private static partial Regex Call();

    /// <summary>The rules, a line each; null with the first line that cannot be read.</summary>
    public static (JsonArray? Rules, string? Problem) Parse(string? text)
    {
        var rules = new JsonArray();
        foreach (var line in (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var match = Line().Match(line);
            if (!match.Success)
                return (null, $"无法识别的规则：{line}（例：periodEnd >= periodStart）。Cannot read the rule \"{line}\" (e.g. periodEnd >= periodStart).");
            rules.Add(new JsonObject
            {
                ["left"] = Operand(match.Groups["left"].Value),
                ["op"] = match.Groups["op"].Value,
                ["right"] = Operand(match.Groups["right"].Value),
            });
        }
        return (rules, null);
    }

    public static string Write(JsonNode? rules) => rules is JsonArray array
        ? string.Join("\n", array.OfType<JsonObject>().Select(r => $"{Operand(r["left"])} {r["op"]} {Operand(r["right"])}"))
        : "";

    private static JsonObject Operand(string text)
    {
        if (Call().Match(text) is { Success: true } call) return new JsonObject { [call.Groups["kind"].Value] = call.Groups["name"].Value };
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return new JsonObject { ["value"] = number };
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return new JsonObject { ["value"] = text };
        return new JsonObject { ["field"] = text };
    }

    private static string Operand(JsonNode? node) => node is JsonObject { Count: 1 } operand ? operand.First() switch
    {
        ("field", var name) => name?.ToString() ?? "",
        ("value", var value) => value?.ToString() ?? "",
        var (kind, name) => $"{kind}({name})",
    } : "";
}
