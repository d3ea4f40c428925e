using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// One input a workflow declares (<c>inputs[]</c> of its Elsa 3 JSON): its name, Elsa type name, whether it is a list,
/// required, and how the run dialog asks for it (<c>uiHint</c> <see cref="OrganizationPicker"/>: organizations by name).
/// </summary>
public sealed record DeclaredInput(string Name, string Type, bool IsArray, bool IsRequired, string? DisplayName, string? Description, string? UiHint)
{
    public const string OrganizationPicker = "organization-picker";

    /// <summary>What a person reads: the declared display name, else the name.</summary>
    public string Label => DisplayName ?? Name;

    public bool PicksOrganizations => UiHint == OrganizationPicker;

    /// <summary>The declared inputs that have a name, in their order.</summary>
    public static IReadOnlyList<DeclaredInput> Of(JsonArray inputs) =>
    [
        .. inputs.OfType<JsonObject>()
            .Where(i => Text(i, "name") is { Length: > 0 })
            .Select(i =>
            {
                var type = Text(i, "type") ?? "Object";
                var isArray = Flag(i, "isArray") || type.EndsWith("[]", StringComparison.Ordinal);
                return new DeclaredInput(Text(i, "name")!, type.TrimEnd('[', ']'), isArray, Flag(i, "isRequired"),
                    Text(i, "displayName"), Text(i, "description"), Text(i, "uiHint"));
            }),
    ];

    /// <summary>
    /// Checks and converts the values given for the declared inputs, as they are started with: a number given as text
    /// becomes a number. Keys nobody declared pass as they are (Elsa lets a caller give more). The errors are keyed
    /// <c>input.name</c>, in words an administrator reads.
    /// </summary>
    public static (JsonObject Input, Dictionary<string, string[]> Errors) Check(IReadOnlyList<DeclaredInput> declared, JsonObject? given)
    {
        var input = new JsonObject();
        var errors = new Dictionary<string, string[]>();
        foreach (var (key, value) in given ?? []) input[key] = value?.DeepClone();
        foreach (var field in declared)
        {
            var value = input[field.Name];
            if (IsEmpty(value))
            {
                if (field.IsRequired) errors[$"input.{field.Name}"] = [$"请填写“{field.Label}”。 {field.Label} is required."];
                input.Remove(field.Name);
                continue;
            }
            var (converted, problem) = field.IsArray ? ConvertList(field, value!) : Convert(field.Type, value!);
            // The problem is said of "{0}", the input's name as people read it.
            if (problem is not null) errors[$"input.{field.Name}"] = [$"“{field.Label}”" + string.Format(CultureInfo.InvariantCulture, problem, field.Label)];
            else input[field.Name] = converted;
        }
        return (input, errors);
    }

    private static (JsonNode? Value, string? Problem) ConvertList(DeclaredInput field, JsonNode value)
    {
        if (value is not JsonArray items) return (null, "应为列表。 {0} must be a list.");
        var list = new JsonArray();
        foreach (var item in items)
        {
            if (IsEmpty(item)) continue;
            var (converted, problem) = Convert(field.Type, item!);
            if (problem is not null) return (null, problem);
            list.Add(converted);
        }
        return field.IsRequired && list.Count == 0 ? (null, "至少要有一项。 {0} needs at least one item.") : (list, null);
    }

    /// <summary>One value as the type asks; a problem says what was expected (Chinese first).</summary>
    private static (JsonNode? Value, string? Problem) Convert(string type, JsonNode value)
    {
        var scalar = value as JsonValue;
        var text = scalar?.GetValueKind() switch
        {
            JsonValueKind.String => scalar.GetValue<string>().Trim(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => scalar.ToJsonString(),
            _ => null,
        };
        switch (type.ToLowerInvariant())
        {
            case "object":
                return (value.DeepClone(), null);
            case "string":
                return text is null ? (null, "应为文字。 {0} must be text.") : (JsonValue.Create(text), null);
            case "int32" or "int64":
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)
                       && (type.Equals("int64", StringComparison.OrdinalIgnoreCase) || whole is >= int.MinValue and <= int.MaxValue)
                    ? (JsonValue.Create(whole), null)
                    : (null, "应为整数。 {0} must be a whole number.");
            case "double" or "single" or "decimal":
                return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? (JsonValue.Create(number), null)
                    : (null, "应为数字。 {0} must be a number.");
            case "boolean":
                return bool.TryParse(text, out var flag) ? (JsonValue.Create(flag), null) : (null, "应为“是”或“否”。 {0} must be true or false.");
            case "datetime" or "datetimeoffset":
                // With its offset, as every instant the API takes (InstantJson): without one it would be read in the server's zone.
                return text is not null && Infrastructure.InstantJson.HasOffset(text)
                       && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? (JsonValue.Create(at.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)), null)
                    : (null, "应为日期时间，例如 2026-05-06T18:00+08:00。 {0} must be a date and time, e.g. 2026-05-06T18:00+08:00.");
            default:
                return (value.DeepClone(), null);
        }
    }

    private static bool IsEmpty(JsonNode? value) =>
        value is null || value is JsonValue v && v.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(v.GetValue<string>());

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static bool Flag(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
