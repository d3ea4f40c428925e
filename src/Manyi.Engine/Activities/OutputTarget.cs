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
        if (target?.MemoryReference?.Id is { Length: > 0 } id && context.VariableDefinitions.Any(v => v.Id == id || v.Name == id))
            context.SetVariable(id, value?.DeepClone());
    }
}

public sealed record MemoryReference(string? Id);
