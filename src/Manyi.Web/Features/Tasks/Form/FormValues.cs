using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Forms;

namespace Manyi.Web.Features.Tasks.Form;

/// <summary>
/// What a participant has typed into a task's form, one typed value per field (a table: one <see cref="FormValues"/> per
/// row), turned into the JSON that <see cref="TasksApi.Complete"/> checks. Nothing is checked here: the server's
/// <see cref="FormValidator"/> is the one judge, and its messages are shown on the fields.
/// </summary>
public sealed class FormValues
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public FormValues(IReadOnlyList<FormField> fields, JsonObject? initial = null)
    {
        Fields = fields;
        foreach (var field in fields) _values[field.Name] = Initial(field, initial?[field.Name]);
    }

    public IReadOnlyList<FormField> Fields { get; }

    public T? Get<T>(FormField field) => _values.GetValueOrDefault(field.Name) is T value ? value : default;

    public void Set(FormField field, object? value) => _values[field.Name] = value;

    /// <summary>A multiple choice's chosen values, or a multiple file field's ids (kept in place, so edits show).</summary>
    public List<string> List(FormField field) => (List<string>)_values[field.Name]!;

    public List<FormValues> Rows(FormField field) => (List<FormValues>)_values[field.Name]!;

    /// <summary>The data of a completion; an empty field is left out, as if never filled.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var field in Fields)
        {
            JsonNode? node = field.Type switch
            {
                FormFieldType.Number => Get<decimal?>(field) is { } number ? JsonValue.Create(number) : null,
                FormFieldType.Checkbox => Get<bool>(field) ? JsonValue.Create(true) : null,
                FormFieldType.Table => new JsonArray([.. Rows(field).Select(r => (JsonNode)r.ToJson())]),
                FormFieldType.Choice or FormFieldType.File when field.Multiple => new JsonArray([.. List(field).Select(v => (JsonNode)JsonValue.Create(v))]),
                _ => Get<string>(field) is { Length: > 0 } text ? JsonValue.Create(text) : null,
            };
            if (node is not null) json[field.Name] = node;
        }
        return json;
    }

    private static object? Initial(FormField field, JsonNode? value) => field.Type switch
    {
        FormFieldType.Number => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<decimal>() : null,
        FormFieldType.Checkbox => value is JsonValue b && b.GetValueKind() == JsonValueKind.True,
        FormFieldType.Table => value is JsonArray rows
            ? rows.Select(r => new FormValues(field.Columns, r as JsonObject)).ToList()
            : Enumerable.Range(0, Math.Max(field.MinRows ?? 1, 0)).Select(_ => new FormValues(field.Columns)).ToList(),
        FormFieldType.Choice or FormFieldType.File when field.Multiple =>
            value is JsonArray items ? items.Select(Text).OfType<string>().ToList() : new List<string>(),
        _ => Text(value),
    };

    private static string? Text(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        }
        : null;

    /// <summary>A number as the form shows it: invariant, no trailing zeros.</summary>
    public static string Format(decimal number) => number.ToString("0.############################", CultureInfo.InvariantCulture);
}
