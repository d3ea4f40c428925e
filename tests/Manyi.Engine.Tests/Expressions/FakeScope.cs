using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Tests.Expressions;

/// <summary>An instance as an expression sees it, without a runtime: variables, input, correlation id and outputs in plain dictionaries.</summary>
internal sealed class FakeScope : IExpressionScope
{
    public List<VariableDefinition> Definitions { get; } = [];
    public Dictionary<string, JsonNode?> Variables { get; } = [];
    public Dictionary<string, JsonNode?> InputValues { get; } = [];
    public Dictionary<string, Dictionary<string, JsonNode?>> Outputs { get; } = [];

    public FakeScope Declare(string name, JsonNode? value, string typeName = "Object")
    {
        Definitions.Add(new VariableDefinition($"v-{name}", name, typeName));
        Variables[name] = value;
        return this;
    }

    public IReadOnlyList<VariableDefinition> VariableDefinitions => Definitions;
    public JsonNode? GetVariable(string name) => Variables.GetValueOrDefault(name);
    public void SetVariable(string name, JsonNode? value) => Variables[name] = value;
    public JsonNode? GetInput(string name) => InputValues.GetValueOrDefault(name);
    public IReadOnlyDictionary<string, JsonNode?> Input => InputValues;
    public IEnumerable<string> InputNames => InputValues.Keys;
    public IEnumerable<(string Activity, string Output)> ProducedOutputs =>
        Outputs.SelectMany(a => a.Value.Keys.Select(o => (a.Key, o)));
    public string? CorrelationId { get; set; }
    public string WorkflowInstanceId { get; init; } = "instance-1";
    public string WorkflowDefinitionId { get; init; } = "definition-1";
    public JsonNode? LastResult { get; set; }

    public JsonNode? GetOutputFrom(string activityName, string? outputName) =>
        Outputs.TryGetValue(activityName, out var outputs)
            ? outputName is null ? outputs.Values.LastOrDefault() : outputs.GetValueOrDefault(outputName)
            : null;
}
