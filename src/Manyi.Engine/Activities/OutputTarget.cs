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

    /// <summary>
    /// Writes a value to the variable an output is bound to, if the node binds it to one the scope knows; else, as Elsa
    /// keeps a workflow's outputs in memory named after them, to the declared workflow output of that name.
    /// </summary>
    public static void WriteVariable(ActivityContext context, string? variableId, JsonNode? value)
    {
        if (variableId is not { Length: > 0 } id) return;
        if (context.VariableDefinitions.Any(v => v.Id == id || v.Name == id))
            context.SetVariable(id, value?.DeepClone());
        else
            SetWorkflowOutput(context, id, value, declaredOnly: true);
    }

    /// <summary>
    /// Sets an output of the nearest workflow used as an activity that declares it (the node's output in its parent),
    /// else of the workflow itself (when it declares it, or always unless <paramref name="declaredOnly"/>).
    /// </summary>
    public static void SetWorkflowOutput(ActivityContext context, string name, JsonNode? value, bool declaredOnly)
    {
        if (context.Ancestors.FirstOrDefault(a => a.Activity is Composition.WorkflowDefinitionActivity w && w.DeclaresOutput(name)) is { Node: { } owner })
            context.SetOutputOf(owner.Id, name, value?.DeepClone());
        else if (!declaredOnly || Declares(context.Definition.Outputs, name))
            context.Instance.State.Output[name] = value?.DeepClone();
    }

    private static bool Declares(JsonArray outputs, string name) =>
        outputs.OfType<JsonObject>().Any(o => o["name"] is JsonValue n && n.TryGetValue<string>(out var text) && text == name);

    /// <summary>The variable id an output property of a node names (<c>{"memoryReference": {"id"}}</c>), if any.</summary>
    public static string? BoundVariable(JsonNode? property) =>
        property?["memoryReference"]?["id"] is JsonValue id && id.TryGetValue<string>(out var name) ? name : null;
}

public sealed record MemoryReference(string? Id);
