using System.Globalization;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Forms;

/// <summary>
/// The form of a human task, as data: kept as JSON in the workflow definition (the task's <c>form</c> input) and in
/// the tasks table, checked by <see cref="FormValidator"/> on completion and rendered by the UI from the same JSON.
/// </summary>
public sealed record FormDefinition(IReadOnlyList<FormField> Fields)
{
    public static readonly FormDefinition Empty = new([]);

    /// <summary>Rules across fields (<c>"rules"</c> beside <c>"fields"</c>), checked after each field is valid.</summary>
    public IReadOnlyList<FormRule> Rules { get; init; } = [];

    /// <summary>
    /// <c>"confirm": true</c>: the page lists what will be sent and asks once more before the final submit, as for an
    /// application package whose time of receipt counts.
    /// </summary>
    public bool Confirm { get; init; }

    /// <summary>
    /// Reads <c>[field, …]</c> or <c>{"fields": [field, …]}</c>; null is a task without a form. A definition that
    /// cannot be read (wrong JSON types, an unknown type or property) is a <see cref="FormatException"/> naming the
    /// field; one that can be read but makes no sense is reported by <see cref="Problems"/>.
    /// </summary>
    public static FormDefinition Parse(JsonNode? json) => json switch
    {
        null => Empty,
        JsonArray fields => new FormDefinition(FormJson.ReadFields(fields, "fields")),
        JsonObject form when form.All(p => p.Key is "fields" or "rules" or "confirm") =>
            new FormDefinition(FormJson.ReadFields(form["fields"], "fields")) { Rules = FormJson.ReadRules(form["rules"]), Confirm = FormJson.ReadConfirm(form["confirm"]) },
        JsonObject form => throw new FormatException($"A form has only 'fields', 'rules' and 'confirm'; unknown property '{form.First(p => p.Key is not ("fields" or "rules" or "confirm")).Key}'"),
        _ => throw new FormatException("A form is an array of fields or an object {\"fields\": [...]}"),
    };

    /// <summary>The object form, <c>{"fields": [...]}</c>, leaving room for form-level settings later.</summary>
    public JsonNode ToJson()
    {
        var json = new JsonObject { ["fields"] = FormJson.WriteFields(Fields) };
        if (Rules.Count > 0) json["rules"] = FormJson.WriteRules(Rules);
        if (Confirm) json["confirm"] = true;
        return json;
    }

    /// <summary>Whether a rule reads the workflow's input: such a form is resolved with <see cref="WithInputs"/> when its task opens.</summary>
    public bool ReadsInputs => Rules.Any(r => r.Left.Kind == FormOperandKind.Input || r.Right.Kind == FormOperandKind.Input);

    /// <summary>
    /// The form with each <c>{"input": "campaign.x"}</c> of its rules replaced by that value, looked up by
    /// <paramref name="lookup"/> (a dotted path into the workflow's input). A path with no value is an
    /// <see cref="InvalidOperationException"/> naming it: the campaign's settings lack it.
    /// </summary>
    public FormDefinition WithInputs(Func<string, JsonNode?> lookup) => this with
    {
        Rules = Rules.Select(r => r with { Left = Resolved(r.Left, lookup), Right = Resolved(r.Right, lookup) }).ToList(),
    };

    private static FormOperand Resolved(FormOperand operand, Func<string, JsonNode?> lookup) => operand.Kind != FormOperandKind.Input ? operand
        : lookup(operand.Name!) is JsonValue value ? FormOperand.Constant(value.DeepClone())
        : throw new InvalidOperationException($"The form's rule reads the input '{operand.Name}', which has no value: add it to the campaign's settings.");

    /// <summary>What a designer must fix before the form can be used, each naming the field; empty when it is sound.</summary>
    public IEnumerable<string> Problems() => Problems(Fields, "fields", inTable: false).Concat(RuleProblems());

    private IEnumerable<string> RuleProblems()
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            var kinds = new List<string>();
            foreach (var operand in new[] { rule.Left, rule.Right })
            {
                var field = Fields.FirstOrDefault(f => f.Name == operand.Name);
                switch (operand.Kind)
                {
                    case FormOperandKind.Field when field is null:
                        yield return $"rules[{i}]: no field '{operand.Name}'";
                        break;
                    case FormOperandKind.Field when field.Type is not (FormFieldType.Number or FormFieldType.Date):
                        yield return $"rules[{i}]: '{operand.Name}' is a {FormJson.TypeName(field.Type)} field; a rule compares numbers or dates";
                        break;
                    case FormOperandKind.Field:
                        kinds.Add(field.Type == FormFieldType.Date ? "date" : "number");
                        break;
                    case FormOperandKind.Rows when field is not { Type: FormFieldType.Table }:
                        yield return $"rules[{i}]: 'rows' needs a table field; '{operand.Name}' is not one";
                        break;
                    case FormOperandKind.Rows:
                        kinds.Add("number");
                        break;
                    case FormOperandKind.Value when FormRule.Number(operand.Value) is not null:
                        kinds.Add("number");
                        break;
                    case FormOperandKind.Value when FormRule.Date(operand.Value) is not null:
                        kinds.Add("date");
                        break;
                    case FormOperandKind.Value:
                        yield return $"rules[{i}]: the value {operand.Value?.ToJsonString()} is neither a number nor a date written yyyy-MM-dd";
                        break;
                }
            }
            if (kinds.Distinct().Count() > 1) yield return $"rules[{i}]: compares a number with a date";
            if (rule.Fields.Any() is false) yield return $"rules[{i}]: names no field of the form";
        }
    }

    private static IEnumerable<string> Problems(IReadOnlyList<FormField> fields, string path, bool inTable)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var at = $"{path}[{i}] '{field.Name}'";
            if (!IsIdentifier(field.Name))
                yield return $"{at}: the name must be an identifier (a letter or _, then letters, digits or _)";
            else if (!names.Add(field.Name))
                yield return $"{at}: another field has the same name";
            if (field.RequiredWhen is { } when && !fields.Any(f => f.Name == when && f.Type == FormFieldType.Checkbox && f != field))
                yield return $"{at}: requiredWhen names '{when}', which is not a checkbox {(inTable ? "of the same row" : "of the same form")}";
            if (string.IsNullOrWhiteSpace(field.Label))
                yield return $"{at}: the label is empty";
            foreach (var problem in TypeProblems(field, inTable))
                yield return $"{at}: {problem}";
            if (field.Type == FormFieldType.Table && !inTable)
                foreach (var problem in Problems(field.Columns, $"{at} columns", inTable: true))
                    yield return problem;
        }
    }

    private static IEnumerable<string> TypeProblems(FormField field, bool inTable)
    {
        switch (field.Type)
        {
            case FormFieldType.Text:
                if (field.MaxLength <= 0) yield return $"maxLength must be positive (got {field.MaxLength})";
                if (field.Pattern is not null && FormPattern.Problem(field.Pattern) is { } invalid)
                    yield return $"the pattern is not a valid regular expression: {invalid}";
                break;
            case FormFieldType.Number:
                if (field.Min > field.Max) yield return $"min ({Text(field.Min.Value)}) is greater than max ({Text(field.Max!.Value)})";
                break;
            case FormFieldType.Date:
                if (field.MinDate > field.MaxDate) yield return $"min ({field.MinDate:yyyy-MM-dd}) is after max ({field.MaxDate:yyyy-MM-dd})";
                break;
            case FormFieldType.Choice:
                if (field.Options.Count == 0) yield return "a choice needs options";
                foreach (var value in field.Options.GroupBy(o => o.Value).Where(g => g.Count() > 1).Select(g => g.Key))
                    yield return $"the option '{value}' is listed twice";
                if (field.Options.Any(o => string.IsNullOrEmpty(o.Value))) yield return "an option has an empty value";
                break;
            case FormFieldType.Checkbox:
                break;
            case FormFieldType.File:
                if (inTable) yield return "a table column cannot be a file";
                if (field.MaxBytes <= 0) yield return $"maxBytes must be positive (got {field.MaxBytes})";
                foreach (var type in field.AllowedTypes.Where(t => t.Split('/') is not [{ Length: > 0 }, { Length: > 0 }]))
                    yield return $"'{type}' in allowedTypes is not a MIME type such as application/pdf";
                break;
            case FormFieldType.Table:
                if (inTable) yield return "tables cannot be nested";
                if (field.Columns.Count == 0) yield return "a table needs columns";
                if (field.MinRows < 0) yield return $"minRows cannot be negative (got {field.MinRows})";
                if (field.MaxRows < 1) yield return $"maxRows must be at least 1 (got {field.MaxRows})";
                if (field.MinRows > field.MaxRows) yield return $"minRows ({field.MinRows}) is greater than maxRows ({field.MaxRows})";
                break;
            default:
                yield return $"unknown type {(int)field.Type}";
                break;
        }
    }

    private static bool IsIdentifier(string name) =>
        name is [var first, ..] && (char.IsAsciiLetter(first) || first == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
