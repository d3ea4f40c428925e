using System.Text.Json.Nodes;

namespace Manyi.Engine.Model;

/// <summary>One version of a workflow definition, in Elsa 3's shape.</summary>
public sealed class WorkflowDefinition
{
    /// <summary>This version's id.</summary>
    public required string Id { get; set; }

    /// <summary>Shared by every version of the definition.</summary>
    public required string DefinitionId { get; set; }

    public string? Name { get; set; }
    public string? Description { get; set; }
    public int Version { get; set; } = 1;
    public bool IsLatest { get; set; } = true;
    public bool IsPublished { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<VariableDefinition> Variables { get; set; } = [];
    public JsonArray Inputs { get; set; } = [];

    /// <summary>The declared inputs' names, in file order (an input without a name is left out).</summary>
    public IEnumerable<string> InputNames => Inputs.OfType<JsonObject>().Select(i => (string?)i["name"]).OfType<string>().Where(n => n.Length > 0);
    public JsonArray Outputs { get; set; } = [];
    public JsonArray Outcomes { get; set; } = [];
    public JsonObject CustomProperties { get; set; } = [];
    public JsonObject Options { get; set; } = [];
    public required ActivityNode Root { get; set; }

    /// <summary>The file's keys Manyi does not read (<c>$schema</c>, <c>toolVersion</c>, <c>isReadonly</c>…), written back as they came.</summary>
    public JsonObject Extra { get; set; } = [];

    /// <summary>
    /// The keys the file gave the definition, in file order, so that writing it back gives the same keys (no
    /// <c>description: null</c> added to a file that had none); null for a definition made in Manyi.
    /// </summary>
    public IReadOnlyList<string>? SourceKeys { get; set; }

    /// <summary>
    /// What happens to an instance when an activity faults: <see cref="IncidentStrategy.Fault"/> unless
    /// <c>options.incidentStrategy</c> (or Elsa's <c>options.incidentStrategyType</c>, a CLR type name) names a
    /// continue strategy.
    /// </summary>
    public IncidentStrategy IncidentStrategy =>
        new[] { "incidentStrategy", "incidentStrategyType" }
            .Select(key => Options[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .Any(s => s is not null && s.Contains("Continue", StringComparison.OrdinalIgnoreCase))
            ? IncidentStrategy.Continue
            : IncidentStrategy.Fault;
}

public enum IncidentStrategy
{
    /// <summary>The instance becomes Faulted and waits for an administrator to retry.</summary>
    Fault,

    /// <summary>The incident is recorded and the run continues as if the activity had ended with no outcome.</summary>
    Continue,
}

/// <summary>A workflow variable: <c>{"id","name","typeName","isArray","value"}</c>.</summary>
public sealed record VariableDefinition(string Id, string Name, string TypeName = "Object", bool IsArray = false, string? Value = null)
{
    public JsonObject Extra { get; init; } = [];

    /// <summary>
    /// The keys among <c>id</c>, <c>typeName</c>, <c>isArray</c> and <c>value</c> that the file did not give, written
    /// back without them while they hold what their absence meant.
    /// </summary>
    public IReadOnlyList<string> AbsentKeys { get; init; } = [];

    /// <summary>The variable's initial value, converted to its type.</summary>
    public JsonNode? InitialValue() =>
        Value is null ? null
        : IsArray ? JsonNode.Parse(Value)
        : Expressions.ValueConverter.ToJson(Expressions.ValueConverter.Convert(Value, Activities.TypeNames.ToClr(TypeName)));
}

/// <summary>
/// An activity as it stands in the file. Core keys are typed; every other key (inputs, <c>canStartWorkflow</c>,
/// <c>memoryReference</c>, …) is kept verbatim in <see cref="Properties"/> so that a round-trip loses nothing.
/// </summary>
public sealed class ActivityNode
{
    public required string Id { get; set; }
    public string? NodeId { get; set; }
    public string? Name { get; set; }
    public required string Type { get; set; }
    public int Version { get; set; } = 1;
    public JsonObject CustomProperties { get; set; } = [];
    public JsonObject Metadata { get; set; } = [];

    /// <summary>
    /// The keys the file gave this activity, in file order, so that writing it back gives the same keys in the same
    /// order (no <c>name: null</c> added to an Elsa file that had none); null for an activity made in Manyi.
    /// </summary>
    public IReadOnlyList<string>? SourceKeys { get; set; }

    /// <summary>Inputs and any other keys, in file order.</summary>
    public JsonObject Properties { get; set; } = [];

    /// <summary>Children of a container (a flowchart); null for a plain activity.</summary>
    public List<ActivityNode>? Activities { get; set; }

    /// <summary>Connections of a flowchart; null for a plain activity.</summary>
    public List<Connection>? Connections { get; set; }

    /// <summary>Whether the activity may start a workflow (<c>customProperties.canStartWorkflow</c>, or the key at top level in older exports).</summary>
    public bool CanStartWorkflow
    {
        get => IsTrue(CustomProperties["canStartWorkflow"]) || IsTrue(Properties["canStartWorkflow"]);
        set => CustomProperties["canStartWorkflow"] = value;
    }

    public string DisplayName => string.IsNullOrEmpty(Name) ? Id : Name;

    private static bool IsTrue(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
}

/// <summary>A flowchart connection from one activity's outcome port to another activity's input port.</summary>
public sealed record Connection(Endpoint Source, Endpoint Target)
{
    public JsonArray Vertices { get; init; } = [];

    /// <summary>Whether the file wrote <c>vertices</c> (Elsa's own files often do not); a connection made in Manyi does.</summary>
    public bool HasVerticesKey { get; init; } = true;

    /// <summary>
    /// Whether the file wrote Elsa 3.0's flat shape (<c>"source": "a", "sourcePort": "Done"</c>); it is written back
    /// the same way, so a file exports as it came and Elsa 3.0 can still read it. A connection made in Manyi is nested.
    /// </summary>
    public bool IsFlat { get; init; }

    /// <summary>Whether a flat connection named its ports; Elsa 3.0 reads ports left out as <c>Done</c> and <c>In</c>.</summary>
    public bool HasPortKeys { get; init; } = true;

    /// <summary>Keys of the connection Manyi does not know, kept verbatim.</summary>
    public JsonObject Extra { get; init; } = [];
}

public sealed record Endpoint(string Activity, string Port);
