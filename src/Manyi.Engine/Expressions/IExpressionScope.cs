using System.Text.Json.Nodes;
using Manyi.Engine.Model;

namespace Manyi.Engine.Expressions;

/// <summary>What an expression can see of the running instance.</summary>
public interface IExpressionScope
{
    IReadOnlyList<VariableDefinition> VariableDefinitions { get; }
    JsonNode? GetVariable(string name);
    void SetVariable(string name, JsonNode? value);
    JsonNode? GetInput(string name);
    IReadOnlyDictionary<string, JsonNode?> Input { get; }
    string? CorrelationId { get; set; }
    string WorkflowInstanceId { get; }
    string WorkflowDefinitionId { get; }
    JsonNode? LastResult { get; }
    JsonNode? GetOutputFrom(string activityName, string? outputName);

    /// <summary>The workflow's declared inputs and the inputs given: Elsa's JavaScript reads each as <c>get{Name}()</c>.</summary>
    IEnumerable<string> InputNames { get; }

    /// <summary>The outputs the named activities in scope have produced: Elsa's JavaScript reads each as <c>get{Output}From{Activity}()</c>.</summary>
    IEnumerable<(string Activity, string Output)> ProducedOutputs { get; }
}
