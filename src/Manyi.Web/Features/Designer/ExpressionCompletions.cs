using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Web.Features.WorkflowInstances;

namespace Manyi.Web.Features.Designer;

/// <summary>One entry of the code editor's completion list: what is shown, what is inserted and what it is, Chinese first.</summary>
/// <param name="Kind">variable, input, output, function or filter: the editor's icon.</param>
public sealed record CompletionEntry(string Label, string Kind, string InsertText, string Detail);

/// <summary>
/// What an expression of a workflow can name, for the code editor's completion: its variables, its inputs, the outputs
/// its named activities declare (<see cref="ActivityDescriptor.Outputs"/>) and the engine's functions
/// (<see cref="JavaScriptEvaluator.Functions"/>) or Liquid's filters (<see cref="LiquidFilters.Names"/>), each spelt as
/// the engine reads it: <c>getTotal()</c> and <c>getResultsFromCollect()</c> in JavaScript, <c>Variables.total</c> and
/// <c>Outputs.Collect.Results</c> in Liquid.
/// </summary>
public static partial class ExpressionCompletions
{
    /// <summary>What an expression in <paramref name="syntax"/> can name; nothing for other syntaxes (an Object's JSON).</summary>
    public static IReadOnlyList<CompletionEntry> For(string syntax, WorkflowDefinition definition, ActivityRegistry registry) => syntax switch
    {
        Expression.JavaScript => [.. JavaScript(definition, registry)],
        Expression.Liquid => [.. Liquid(definition, registry)],
        _ => [],
    };

    private static IEnumerable<CompletionEntry> JavaScript(WorkflowDefinition definition, ActivityRegistry registry)
    {
        foreach (var variable in definition.Variables)
            if (JavaScriptEvaluator.Accessor(variable.Name) is { } name)
                yield return new($"get{name}()", "variable", $"get{name}()", $"变量 Variable {variable.Name} ({variable.TypeName})");
        foreach (var input in definition.InputNames)
            if (JavaScriptEvaluator.Accessor(input) is { } name)
                yield return new($"get{name}()", "input", $"get{name}()", $"流程输入 Workflow input {input}");
        foreach (var (activity, output) in Outputs(definition, registry))
            if (JavaScriptEvaluator.Accessor(activity) is { } name && JavaScriptEvaluator.Accessor(output) is { } outputName)
                yield return new($"get{outputName}From{name}()", "output", $"get{outputName}From{name}()", $"活动输出 Output {output} of {activity}");
        foreach (var function in JavaScriptEvaluator.Functions)
            yield return new(function.Signature, "function", function.Name + "(", $"{function.Zh} {function.En}");
    }

    private static IEnumerable<CompletionEntry> Liquid(WorkflowDefinition definition, ActivityRegistry registry)
    {
        foreach (var variable in definition.Variables)
            yield return Path($"{Member("Variables", variable.Name)}", "variable", $"变量 Variable ({variable.TypeName})");
        foreach (var input in definition.InputNames)
            yield return Path(Member("Input", input), "input", "流程输入 Workflow input");
        foreach (var (activity, output) in Outputs(definition, registry))
            yield return Path(Member(Member("Outputs", activity), output), "output", $"活动输出 Output of {activity}");
        foreach (var filter in LiquidFilters.Names)
            yield return new(filter.Name, "filter", filter.Name, $"{filter.Zh} {filter.En}");
    }

    private static CompletionEntry Path(string path, string kind, string detail) => new(path, kind, path, detail);

    /// <summary>
    /// <c>Outputs.Report</c> for a name Liquid reads as a member; <c>Outputs["整改报告"]</c> for any other (a Chinese
    /// name, one with a space or a dot), which Liquid reads only as an index.
    /// </summary>
    public static string Member(string path, string name) =>
        LiquidMember().IsMatch(name) ? $"{path}.{name}" : $"{path}[\"{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial System.Text.RegularExpressions.Regex LiquidMember();

    /// <summary>The outputs of every named activity, nested ones too: the engine finds an activity's outputs by its name.</summary>
    private static IEnumerable<(string Activity, string Output)> Outputs(WorkflowDefinition definition, ActivityRegistry registry) =>
        new ActivityTree(definition.Root).All
            .Where(node => !string.IsNullOrEmpty(node.Name))
            .SelectMany(node => (registry.Find(node.Type)?.Outputs ?? []).Select(output => (node.Name!, output)))
            .Distinct();
}
