using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities;

/// <summary>
/// Where Elsa writes an activity's result: <c>"result": {"typeName", "memoryReference": {"id"}}</c>, the id naming a
/// workflow variable. The result is also the activity's output <c>Result</c> either way.
/// </summary>
public sealed record OutputTarget(string? TypeName, MemoryReference? MemoryReference)
{
    public static void Write(ActivityContext context, OutputTarget? target, JsonNode? value)
    {
        context.SetOutput("Result", value);
        WriteVariable(context, target?.MemoryReference?.Id, value);
    }

    /// <summary>Writes a value to the variable an output is bound to, if the node binds it to one the scope knows.</summary>
    public static void WriteVariable(ActivityContext context, string? variableId, JsonNode? value)
    {
        if (variableId is { Length: > 0 } id && context.VariableDefinitions.Any(v => v.Id == id || v.Name == id))
            context.SetVariable(id, value?.DeepClone());
    }

    /// <summary>The variable id an output property of a node names (<c>{"memoryReference": {"id"}}</c>), if any.</summary>
    public static string? BoundVariable(JsonNode? property) =>
        property?["memoryReference"]?["id"] is JsonValue id && id.TryGetValue<string>(out var name) ? name : null;
}

public sealed record MemoryReference(string? Id);
