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

    /// <summary>
    /// Reads <c>[field, …]</c> or <c>{"fields": [field, …]}</c>; null is a task without a form. A definition that
    /// cannot be read (wrong JSON types, an unknown type or property) is a <see cref="FormatException"/> naming the
    /// field; one that can be read but makes no sense is reported by <see cref="Problems"/>.
    /// </summary>
    public static FormDefinition Parse(JsonNode? json) => json switch
    {
        null => Empty,
        JsonArray fields => new FormDefinition(FormJson.ReadFields(fields, "fields")),
        JsonObject form when form.All(p => p.Key == "fields") => new FormDefinition(FormJson.ReadFields(form["fields"], "fields")),
        JsonObject form => throw new FormatException($"A form has only 'fields'; unknown property '{form.First(p => p.Key != "fields").Key}'"),
        _ => throw new FormatException("A form is an array of fields or an object {\"fields\": [...]}"),
    };

    /// <summary>The object form, <c>{"fields": [...]}</c>, leaving room for form-level settings later.</summary>
    public JsonNode ToJson() => new JsonObject { ["fields"] = FormJson.WriteFields(Fields) };

    /// <summary>What a designer must fix before the form can be used, each naming the field; empty when it is sound.</summary>
    public IEnumerable<string> Problems() => Problems(Fields, "fields", inTable: false);

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
