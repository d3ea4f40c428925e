using System.Text.Json.Nodes;

namespace Manyi.Engine.Model;

/// <summary>An input's expression: <c>{"type": "Literal" | "JavaScript" | "Liquid" | "Variable", "value": …}</c>.</summary>
public sealed record Expression(string Type, JsonNode? Value)
{
    public const string Literal = "Literal";
    public const string JavaScript = "JavaScript";
    public const string Liquid = "Liquid";
    public const string Variable = "Variable";

    /// <summary>Elsa's "Object" expression: a JSON text (a list of methods, a headers object) taken as it is.</summary>
    public const string Object = "Object";

    /// <summary>
    /// Manyi's choice of organizations resolved when the activity runs (<see cref="Tasks.OrganizationSelection"/>):
    /// <c>{"all": true}</c>, <c>{"operator": "移动"}</c>, <c>{"city": "郑州"}</c> — so that an organization added to
    /// the list after the workflow was published is included.
    /// </summary>
    public const string Organizations = "Organizations";

    public static Expression FromLiteral(object? value) =>
        new(Literal, value is null ? null : JsonValue.Create(value));

    /// <summary>The expression's text: a string value as is, any other JSON as its JSON text.</summary>
    public string? Text => Value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => Value.ToJsonString(),
    };

    /// <summary>
    /// Reads an input property as Elsa 3 writes it: <c>{"typeName": …, "expression": {"type", "value"}}</c>.
    /// Returns null when the property is absent or is not an input wrapper.
    /// </summary>
    public static Expression? FromInputProperty(JsonNode? property)
    {
        if (property is not JsonObject wrapper || wrapper["expression"] is not JsonObject expression)
            return null;
        var type = expression["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : Literal;
        return new Expression(type, expression["value"]?.DeepClone());
    }

    /// <summary>Writes this expression as an input wrapper with the given type name.</summary>
    public JsonObject ToInputProperty(string typeName) => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = Type, ["value"] = Value?.DeepClone() },
    };
}
