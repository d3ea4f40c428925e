using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Forms;

/// <summary>
/// A rule across fields, as data in the form: <c>{"left": operand, "op": ">=", "right": operand}</c>, e.g. the survey's
/// end not before its start, or as many trainees' names as trainees. It is checked once both sides' fields are valid,
/// and skipped while an optional side is empty; a broken rule is reported on each field it names, in Chinese and
/// English, with the fields' labels (or the rule's own <see cref="Message"/>).
/// </summary>
public sealed record FormRule(FormOperand Left, FormComparison Op, FormOperand Right)
{
    /// <summary>Replaces the generated Chinese message; <see cref="MessageEn"/> goes with it.</summary>
    public string? Message { get; init; }

    public string? MessageEn { get; init; }

    /// <summary>The fields the rule reads (a field's value or a table's rows): its message is shown on each.</summary>
    public IEnumerable<string> Fields => new[] { Left, Right }.Where(o => o.Kind is FormOperandKind.Field or FormOperandKind.Rows).Select(o => o.Name!).Distinct();

    /// <summary>True when the two values compare as the rule says; null when they cannot be compared.</summary>
    public static bool? Holds(JsonNode? left, FormComparison op, JsonNode? right)
    {
        int order;
        if (Number(left) is { } a && Number(right) is { } b) order = a.CompareTo(b);
        else if (Date(left) is { } x && Date(right) is { } y) order = x.CompareTo(y);
        else return null;
        return op switch
        {
            FormComparison.Equal => order == 0,
            FormComparison.NotEqual => order != 0,
            FormComparison.Less => order < 0,
            FormComparison.LessOrEqual => order <= 0,
            FormComparison.Greater => order > 0,
            FormComparison.GreaterOrEqual => order >= 0,
            _ => null,
        };
    }

    internal static decimal? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) : null;

    internal static DateOnly? Date(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String
        && DateOnly.TryParseExact(v.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}

/// <summary>
/// One side of a <see cref="FormRule"/>: a field's value (<c>{"field": "periodEnd"}</c>), the number of rows of a
/// table (<c>{"rows": "names"}</c>), a constant (<c>{"value": "2024-10-01"}</c>), or a value of the workflow's input
/// (<c>{"input": "campaign.surveyNotBefore"}</c>, a campaign setting), which the task replaces by its value when it
/// opens, so that the form stored with the task holds only constants.
/// </summary>
public sealed record FormOperand(FormOperandKind Kind, string? Name = null, JsonNode? Value = null)
{
    public static FormOperand Field(string name) => new(FormOperandKind.Field, name);
    public static FormOperand Rows(string table) => new(FormOperandKind.Rows, table);
    public static FormOperand Constant(JsonNode? value) => new(FormOperandKind.Value, Value: value);
    public static FormOperand Input(string path) => new(FormOperandKind.Input, path);
}

public enum FormOperandKind
{
    Field,
    Rows,
    Value,
    Input,
}

public enum FormComparison
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}
