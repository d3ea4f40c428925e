using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;

namespace Manyi.Engine.Activities.Composition;

/// <summary>
/// Workflows used as activities (Elsa's workflow definition activities): a node whose type is not a registered
/// activity but names a definition (<c>workflowDefinitionId</c>, optionally <c>workflowDefinitionVersionId</c>)
/// runs that definition inline, as a composite child. When no definition has that id (a file from another Elsa
/// server), the published one usable as an activity whose type name is the node's type runs, as Elsa finds it. Definitions are loaded from the store before a compile
/// (<see cref="LoadReferencesAsync"/>), so that the compiler, which is synchronous, finds them here.
/// </summary>
public sealed class WorkflowActivityCatalog
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _published = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _byTypeName = new(StringComparer.Ordinal);

    /// <summary>Makes a version known (a published one becomes its definition's published version).</summary>
    public void Register(WorkflowDefinition definition)
    {
        _versions[definition.Id] = definition;
        if (!definition.IsPublished) return;
        _published.AddOrUpdate(definition.DefinitionId, definition, (_, known) => known.Version > definition.Version ? known : definition);
        if (IsUsableAsActivity(definition))
            _byTypeName.AddOrUpdate(WorkflowDefinitionActivity.TypeNameOf(definition), definition,
                (_, known) => known.DefinitionId != definition.DefinitionId || known.Version > definition.Version ? known : definition);
    }

    /// <summary>
    /// The version a node runs: the one it names if that version is published, else the definition's published
    /// version (Elsa's fallback), else the published workflow usable as an activity of the node's type name; null when
    /// there is none.
    /// </summary>
    public WorkflowDefinition? Resolve(string definitionId, string? versionId, string? typeName = null) =>
        versionId is not null && _versions.TryGetValue(versionId, out var pinned) && pinned.IsPublished && pinned.DefinitionId == definitionId
            ? pinned
            : _published.GetValueOrDefault(definitionId) ?? (typeName is null ? null : _byTypeName.GetValueOrDefault(typeName));

    /// <summary>The published definitions marked usable as activities, each as an activity type named after it.</summary>
    public IReadOnlyList<WorkflowActivityType> Types =>
        [.. _published.Values.Where(IsUsableAsActivity).OrderBy(d => d.Name, StringComparer.Ordinal).Select(WorkflowActivityType.Of)];

    public static bool IsUsableAsActivity(WorkflowDefinition definition) =>
        definition.Options["usableAsActivity"] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>Definitions whose references are loaded already (a definition object is one version, read once).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowDefinition, object> _loaded = [];

    /// <summary>Loads, from the store, every definition the workflow uses as an activity, to any depth.</summary>
    public async Task LoadReferencesAsync(WorkflowDefinition definition, IWorkflowStore store, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(definition, out _)) return;
        await LoadAsync(definition, store, cancellationToken);
        _loaded.AddOrUpdate(definition, definition);
    }

    private async Task LoadAsync(WorkflowDefinition definition, IWorkflowStore store, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<WorkflowDefinition>([definition]);
        while (pending.Count > 0)
        {
            foreach (var (definitionId, versionId, typeName) in References(pending.Pop().Root))
            {
                if (!seen.Add($"{definitionId}/{versionId}/{typeName}")) continue;
                if (versionId is not null && !_versions.ContainsKey(versionId)
                    && await store.FindDefinitionVersionAsync(versionId, cancellationToken) is { } version)
                    Register(version);
                if (!_published.ContainsKey(definitionId) && await store.FindPublishedDefinitionAsync(definitionId, cancellationToken) is { } published)
                    Register(published);
                if (Resolve(definitionId, versionId) is null && await store.FindPublishedWorkflowActivityAsync(typeName, cancellationToken) is { } named)
                    Register(named);
                if (Resolve(definitionId, versionId, typeName) is { } used) pending.Push(used);
            }
        }
    }

    /// <summary>Every (definition id, version id, type name) a tree of activities names, wherever it is nested.</summary>
    private static IEnumerable<(string DefinitionId, string? VersionId, string TypeName)> References(ActivityNode node)
    {
        if (WorkflowDefinitionActivity.Reference(node) is var (definitionId, versionId)) yield return (definitionId, versionId, node.Type);
        foreach (var child in node.Activities ?? [])
            foreach (var nested in References(child))
                yield return nested;
        foreach (var (_, value) in node.Properties)
            foreach (var nested in NestedActivities(value).SelectMany(References))
                yield return nested;
    }

    /// <summary>Activity objects nested in a property (a body, branches, a switch's cases).</summary>
    internal static IEnumerable<ActivityNode> NestedActivities(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject json when json["id"] is JsonValue && json["type"] is JsonValue:
                yield return Serialization.ElsaJson.ReadActivityNode(json, "$");
                break;
            case JsonObject json:
                foreach (var (_, inner) in json)
                    foreach (var nested in NestedActivities(inner))
                        yield return nested;
                break;
            case JsonArray list:
                foreach (var item in list)
                    foreach (var nested in NestedActivities(item))
                        yield return nested;
                break;
        }
    }
}

/// <summary>A workflow used as an activity, as the designer's palette shows it: its name, inputs, outputs and outcomes.</summary>
public sealed record WorkflowActivityType(string TypeName, string DefinitionId, string VersionId, int Version, JsonArray Inputs, JsonArray Outputs,
    IReadOnlyList<string> Outcomes)
{
    public static WorkflowActivityType Of(WorkflowDefinition definition) => new(
        WorkflowDefinitionActivity.TypeNameOf(definition), definition.DefinitionId, definition.Id, definition.Version,
        (JsonArray)definition.Inputs.DeepClone(), (JsonArray)definition.Outputs.DeepClone(), WorkflowDefinitionActivity.OutcomesOf(definition));
}

/// <summary>
/// One node that runs a workflow definition inline: the definition's root runs as this node's child (its ids
/// prefixed with this node's id, so that it can be used several times), with the definition's variables local to it
/// and its inputs from this node's inputs; it completes with the outcomes its child's Complete (or root) ended with.
/// </summary>
[Activity("Elsa.WorkflowDefinitionActivity", "Composition", "Runs a published workflow inline, as an activity of its own name.", Outcomes = [])]
public sealed class WorkflowDefinitionActivity : ContainerActivity
{
    private WorkflowDefinition? _definition;

    /// <summary>The definition this node runs (set by the compiler before it binds the children).</summary>
    public WorkflowDefinition Definition => _definition ?? throw new InvalidOperationException("The workflow activity is not bound to a definition.");

    /// <summary>The definition a node names, if it is a workflow used as an activity.</summary>
    public static (string DefinitionId, string? VersionId)? Reference(ActivityNode node) =>
        node.Properties["workflowDefinitionId"] is JsonValue id && id.TryGetValue<string>(out var definitionId) && !node.Type.StartsWith("Elsa.", StringComparison.Ordinal)
            ? (definitionId, node.Properties["workflowDefinitionVersionId"] is JsonValue v && v.TryGetValue<string>(out var versionId) ? versionId : null)
            : null;

    /// <summary>
    /// The activity type name of a definition as Elsa makes it from the name: each word (split at blanks and underscores)
    /// with its first letter in capitals, joined ("Subworkflow test" is <c>SubworkflowTest</c>).
    /// </summary>
    public static string TypeNameOf(WorkflowDefinition definition) =>
        string.Concat((definition.Name ?? definition.DefinitionId)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).SelectMany(w => w.Split('_', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>A definition's outcomes as an activity: Done, its declared outcomes, and those its root's Complete activities name.</summary>
    public static IReadOnlyList<string> OutcomesOf(WorkflowDefinition definition)
    {
        var declared = definition.Outcomes.Select(o => o switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonObject o2 => o2["name"]?.ToString(),
            _ => null,
        }).OfType<string>();
        var completes = CompletesIn(definition.Root)
            .Select(a => Expression.FromInputProperty(a.Properties["outcomes"]))
            .Where(e => e?.Type == Expression.Literal)
            .SelectMany(e => Containers.Complete.Names(e!.Value));
        return [.. new[] { Done }.Concat(declared).Concat(completes).Distinct()];
    }

    /// <summary>
    /// The Complete activities that end the workflow itself: those of its root and of the containers it holds (a
    /// sequence, an if's branches…), but not those of a nested flowchart, which ends only that flowchart, nor those of
    /// another workflow it uses as an activity.
    /// </summary>
    private static IEnumerable<ActivityNode> CompletesIn(ActivityNode root)
    {
        var pending = new Stack<ActivityNode>([root]);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node.Type == "Elsa.Complete") yield return node;
            if (node != root && (node.Type == "Elsa.Flowchart" || Reference(node) is not null)) continue;
            foreach (var child in Enumerable.Reverse(node.Activities ?? []))
                pending.Push(child);
            foreach (var (_, value) in node.Properties)
                foreach (var nested in WorkflowActivityCatalog.NestedActivities(value).Reverse())
                    pending.Push(nested);
        }
    }

    public void Use(WorkflowDefinition definition) => _definition = definition;

    public override IReadOnlyList<string> GetOutcomes() => OutcomesOf(Definition);

    public override IReadOnlyList<VariableDefinition> LocalVariables => Definition.Variables;

    /// <summary>The definition's root, its ids prefixed with this node's id.</summary>
    public override IReadOnlyList<ActivityNode> BindChildren(ActivityNode node)
    {
        var json = JsonNode.Parse(Serialization.ElsaJson.Write(Definition))!["root"]!.AsObject();
        Prefix(json, node.Id + ":");
        var root = Serialization.ElsaJson.ReadActivityNode(json, $"{node.Id}.root");
        RootId = root.Id;
        return [root];
    }

    private string? RootId { get; set; }

    /// <summary>Prefixes every activity id in the tree, and the connections' ends, so that each use is distinct.</summary>
    private static void Prefix(JsonNode? json, string prefix)
    {
        switch (json)
        {
            case JsonObject activity when activity["id"] is JsonValue id && activity["type"] is JsonValue:
                activity["id"] = prefix + id.ToString();
                if (activity["connections"] is JsonArray connections)
                    foreach (var connection in connections.OfType<JsonObject>())
                        foreach (var end in new[] { "source", "target" })
                        {
                            if (connection[end] is JsonObject endpoint && endpoint["activity"] is JsonValue a) endpoint["activity"] = prefix + a.ToString();
                            else if (connection[end] is JsonValue flat) connection[end] = prefix + flat.ToString();
                        }
                foreach (var (key, value) in activity.ToList())
                    if (key is not ("id" or "connections")) Prefix(value, prefix);
                break;
            case JsonObject other:
                foreach (var (_, value) in other.ToList()) Prefix(value, prefix);
                break;
            case JsonArray list:
                foreach (var item in list) Prefix(item, prefix);
                break;
        }
    }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        foreach (var variable in Definition.Variables)
            context.SetLocalVariable(variable.Name, variable.InitialValue());
        var input = new JsonObject();
        foreach (var declared in Definition.Inputs.OfType<JsonObject>())
        {
            if (declared["name"]?.ToString() is not { Length: > 0 } name) continue;
            var key = JsonNamingPolicy.CamelCase.ConvertName(name);
            if (Expression.FromInputProperty(context.Node.Properties[key] ?? context.Node.Properties[name]) is { } expression)
                input[name] = AsDeclared(declared, await context.EvaluateAsync(new Input<JsonNode?>(expression)));
        }
        context.Properties[InputProperty] = input;
        context.ScheduleChild(RootId!);
        return ActivityStep.KeepWaiting;
    }

    /// <summary>An input as its declared type has it (Elsa converts: a literal "4" given to an Int32 input is the number 4).</summary>
    private static JsonNode? AsDeclared(JsonObject declared, JsonNode? value)
    {
        var type = TypeNames.ToClr(declared["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null);
        var isArray = declared["isArray"] is JsonValue a && a.GetValueKind() == JsonValueKind.True;
        return type == typeof(object) || isArray || value is null ? value?.DeepClone() : ValueConverter.ToJson(ValueConverter.Convert(value, type));
    }

    /// <summary>The context property that holds the inputs the inline workflow reads with getInput.</summary>
    public const string InputProperty = "workflowInput";

    public override ValueTask<ActivityStep> OnChildCompletedAsync(ActivityContext context, ChildCompletion child) =>
        ValueTask.FromResult(Leave(context, child.Outcomes));

    /// <summary>A Complete in a root that is no flowchart completes the inline workflow, as in Elsa.</summary>
    public override bool Receives(ActivitySignal signal) => signal.Name == ActivitySignal.Complete;

    public override ValueTask<ActivityStep> OnSignalAsync(ActivityContext context, ActivitySignal signal) =>
        ValueTask.FromResult(Leave(context, signal.Outcomes));

    /// <summary>Whether the definition declares an output of this name (its SetOutput then writes this node's output).</summary>
    public bool DeclaresOutput(string name) => OutputNames.Contains(name, StringComparer.Ordinal);

    private IEnumerable<string> OutputNames =>
        Definition.Outputs.OfType<JsonObject>().Select(o => o["name"]?.ToString()).OfType<string>().Where(n => n.Length > 0);

    /// <summary>
    /// The inline workflow is done: its outputs (what its SetOutput wrote to this node) are this node's outputs, and
    /// each one the node binds to a variable of the parent (<c>"total": {"memoryReference": {"id"}}</c>) is written
    /// there; it leaves by the outcomes it completed with.
    /// </summary>
    private ActivityStep Leave(ActivityContext context, IReadOnlyList<string> outcomes)
    {
        context.DropLocalVariables();
        var outputs = context.OutputsOf(context.Node.Id);
        foreach (var name in OutputNames)
        {
            var bound = OutputTarget.BoundVariable(context.Node.Properties[JsonNamingPolicy.CamelCase.ConvertName(name)] ?? context.Node.Properties[name]);
            OutputTarget.WriteVariable(context, bound, outputs?.GetValueOrDefault(name));
        }
        return new ActivityStep.Completed(outcomes.Count == 0 ? [Done] : outcomes);
    }
}
