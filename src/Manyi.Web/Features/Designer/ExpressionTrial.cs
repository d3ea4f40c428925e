using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Persistence;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Designer;

/// <summary>An instance an expression can be tried against, as a person reads it: when it started and its status.</summary>
public sealed record TrialInstance(string Id, string Label);

/// <summary>What trying an expression gave: its value as JSON text, or what went wrong, Chinese first.</summary>
/// <summary>What trying an expression gave: a text as the text itself (its line breaks as line breaks), any other value as JSON (<see cref="IsJson"/>).</summary>
public sealed record TrialResult(bool Succeeded, string Text, bool IsJson = false);

/// <summary>
/// "Try it" beside an expression in the designer: evaluates it with the engine's evaluator, under the script limits of
/// every run, against sample data or against a chosen instance of the same definition. Read only: the expression sees
/// a copy of the instance's variables, input and activity outputs; what it writes (<c>setVariable</c>) stays in that
/// copy and nothing is ever stored.
/// </summary>
public sealed class ExpressionTrial(ManyiDbContext db, IWorkflowStore store, ExpressionEvaluator evaluator)
{
    public const int MaxInstances = 20;
    public const int MaxShown = 20_000;

    /// <summary>The latest instances of the definition, newest first.</summary>
    public async Task<IReadOnlyList<TrialInstance>> InstancesAsync(string definitionId, CancellationToken cancellationToken)
    {
        var rows = await db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == definitionId)
            .OrderByDescending(i => i.CreatedAt).Take(MaxInstances)
            .Select(i => new { i.Id, i.Status, i.CreatedAt, i.Version }).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new TrialInstance(r.Id, $"{Dates.Beijing(r.CreatedAt)} · v{r.Version} · {InstanceStatus.Label(r.Status)}"))];
    }

    /// <summary>
    /// Sample data to start from: each variable with the value a run starts with, each declared input empty, and no outputs yet
    /// (<c>{"outputs": {"Collect": {"Results": …}}}</c> gives an activity's outputs by its name).
    /// </summary>
    public static string Sample(WorkflowDefinition definition)
    {
        var sample = new JsonObject
        {
            ["variables"] = new JsonObject(definition.Variables.Select(v => KeyValuePair.Create(v.Name, v.InitialValue()))),
            ["input"] = new JsonObject(definition.InputNames.Distinct().Select(name => KeyValuePair.Create(name, (JsonNode?)null))),
            ["outputs"] = new JsonObject(),
        };
        return ReadableJson.Of(sample);
    }

    /// <param name="instanceId">An instance of <paramref name="definition"/>'s definition; null to use <paramref name="sample"/>.</param>
    public async Task<TrialResult> TryAsync(Expression expression, WorkflowDefinition definition, string? instanceId, string? sample, CancellationToken cancellationToken)
    {
        if (evaluator.Check(expression, definition.Variables) is { } problem) return Failed(problem);
        TrialScope scope;
        if (instanceId is not null)
        {
            var instance = await store.FindInstanceAsync(instanceId, cancellationToken);
            if (instance is null || instance.DefinitionId != definition.DefinitionId)
                return new TrialResult(false, "找不到这个流程的该次运行。 No such run of this workflow.");
            scope = TrialScope.Of(instance, definition);
        }
        else
        {
            JsonObject data;
            try
            {
                data = JsonNode.Parse(string.IsNullOrWhiteSpace(sample) ? "{}" : sample) as JsonObject
                       ?? throw new JsonException("not an object");
            }
            catch (JsonException ex)
            {
                return new TrialResult(false, $"样例数据不是有效的 JSON 对象：{ex.Message} The sample data is not a JSON object.");
            }
            scope = TrialScope.Of(data, definition);
        }

        try
        {
            var value = await evaluator.EvaluateAsync(expression, typeof(JsonNode), scope, cancellationToken);
            // A text (what Liquid always gives, what a script often does) is shown as the text; anything else as JSON.
            var isText = value is JsonValue plain && plain.TryGetValue<string>(out _);
            var text = isText ? ((JsonValue)value!).GetValue<string>() : value is JsonNode node ? ReadableJson.Of(node) : "null";
            // The script limits allow a value of a million characters; the panel shows its beginning.
            return new TrialResult(true, text.Length <= MaxShown ? text : $"{text[..MaxShown]}\n…（共 {text.Length:N0} 个字符 {text.Length:N0} characters in all）", !isText);
        }
        catch (ExpressionException ex)
        {
            return Failed(ex.Message);
        }
    }

    private static TrialResult Failed(string message) => new(false, ProblemText.Of(message));

    /// <summary>What an expression sees while tried: copies, so that nothing it does reaches a stored instance.</summary>
    private sealed class TrialScope(WorkflowDefinition definition, string instanceId, Dictionary<string, JsonNode?> variables,
        Dictionary<string, JsonNode?> input, Dictionary<string, Dictionary<string, JsonNode?>> outputs, string? correlationId, JsonNode? lastResult) : IExpressionScope
    {
        public static TrialScope Of(WorkflowInstance instance, WorkflowDefinition definition)
        {
            var nodes = new ActivityTree(definition.Root);
            // The engine finds an output by the activity's name; an activity without a name is found by its id.
            var outputs = instance.State.ActivityOutputs
                .GroupBy(p => nodes.Find(p.Key)?.Name is { Length: > 0 } name ? name : p.Key)
                .ToDictionary(g => g.Key, g => g.Last().Value.ToDictionary(o => o.Key, o => o.Value?.DeepClone()));
            return new TrialScope(definition, instance.Id, Copy(instance.State.Variables), Copy(instance.State.Input), outputs,
                instance.CorrelationId, instance.State.LastResult?.DeepClone());
        }

        public static TrialScope Of(JsonObject sample, WorkflowDefinition definition) =>
            new(definition, "trial", Copy(sample["variables"] as JsonObject), Copy(sample["input"] as JsonObject),
                (sample["outputs"] as JsonObject ?? []).ToDictionary(p => p.Key, p => Copy(p.Value as JsonObject)), null, null);

        private static Dictionary<string, JsonNode?> Copy(IEnumerable<KeyValuePair<string, JsonNode?>>? values) =>
            (values ?? []).ToDictionary(p => p.Key, p => p.Value?.DeepClone());

        public IReadOnlyList<VariableDefinition> VariableDefinitions => definition.Variables;
        public JsonNode? GetVariable(string name) => variables.GetValueOrDefault(name);
        public void SetVariable(string name, JsonNode? value) => variables[name] = value;
        public JsonNode? GetInput(string name) => input.GetValueOrDefault(name);
        public IReadOnlyDictionary<string, JsonNode?> Input => input;
        public string? CorrelationId { get; set; } = correlationId;
        public string WorkflowInstanceId => instanceId;
        public string WorkflowDefinitionId => definition.DefinitionId;
        public JsonNode? LastResult => lastResult;

        public JsonNode? GetOutputFrom(string activityName, string? outputName) =>
            outputs.GetValueOrDefault(activityName) is not { } produced ? null
            : outputName is null ? produced.Values.LastOrDefault() : produced.GetValueOrDefault(outputName);

        public IEnumerable<string> InputNames =>
            definition.InputNames.Union(input.Keys);

        public IEnumerable<(string Activity, string Output)> ProducedOutputs =>
            outputs.SelectMany(a => a.Value.Keys.Select(o => (a.Key, o)));
    }
}
