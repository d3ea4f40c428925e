using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;

namespace Manyi.Engine.Serialization;

/// <summary>
/// Reads and writes Elsa 3 workflow definition JSON. Reading accepts a byte-order mark, unknown keys, flat
/// (older) connections and activity keys Manyi does not know; writing produces the nested connection shape.
/// </summary>
public static class ElsaJson
{
    private static readonly HashSet<string> CoreActivityKeys =
        ["id", "nodeId", "name", "type", "version", "customProperties", "metadata", "activities", "connections"];

    public const string FlowchartType = "Elsa.Flowchart";

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// <summary>
    /// The largest workflow file Manyi reads, in characters (about 2 MB). Campaign workflows have tens to hundreds of
    /// activities; a file of 10,000 took seconds to import and half a minute to publish, holding the request.
    /// </summary>
    public const int MaxCharacters = 2_000_000;

    /// <summary>The most activities one workflow may hold, composites and their children counted.</summary>
    public const int MaxActivities = 1_000;

    public static readonly string TooLarge =
        $"工作流文件过大：最多 {MaxCharacters:N0} 个字符。The workflow file is too large: at most {MaxCharacters:N0} characters.";

    public static WorkflowDefinition Read(string json)
    {
        if (json.Length > MaxCharacters) throw new WorkflowFormatException(TooLarge);
        json = json.TrimStart('\uFEFF');
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new WorkflowFormatException($"The workflow is not valid JSON: {ex.Message}", ex);
        }

        if (document is not JsonObject root)
            throw new WorkflowFormatException("The workflow must be a JSON object.");
        if (CountActivities(root["root"]) is var count and > MaxActivities)
            throw new WorkflowFormatException($"工作流活动过多：{count:N0} 个，最多 {MaxActivities:N0} 个。" +
                                              $"The workflow has {count:N0} activities; at most {MaxActivities:N0} are allowed.");
        return ReadDefinition(root);
    }

    private static int CountActivities(JsonNode? activity) =>
        activity is JsonObject o ? 1 + (o["activities"] is JsonArray children ? children.Sum(CountActivities) : 0) : 0;

    public static WorkflowDefinition Read(ReadOnlySpan<byte> utf8) => Read(Encoding.UTF8.GetString(utf8));

    public static string Write(WorkflowDefinition definition) => ToJsonObject(definition).ToJsonString(WriteOptions);

    private static WorkflowDefinition ReadDefinition(JsonObject json)
    {
        var rootNode = json["root"] as JsonObject
            ?? throw new WorkflowFormatException("The workflow has no 'root' activity.");
        var definitionId = OptionalString(json, "definitionId", "$");
        var id = OptionalString(json, "id", "$");
        return new WorkflowDefinition
        {
            Id = id ?? "",
            DefinitionId = definitionId ?? "",
            Name = OptionalString(json, "name", "$"),
            Description = OptionalString(json, "description", "$"),
            Version = json["version"] is JsonValue v ? ReadInt(v, "$.version") : 1,
            IsLatest = json["isLatest"] is not JsonValue latest || latest.GetValueKind() != JsonValueKind.False,
            IsPublished = json["isPublished"] is JsonValue published && published.GetValueKind() == JsonValueKind.True,
            CreatedAt = json["createdAt"] is JsonValue created && created.TryGetValue<string>(out var c)
                        && DateTimeOffset.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : default,
            Variables = ReadVariables(json["variables"]),
            Inputs = json["inputs"] as JsonArray is { } inputs ? (JsonArray)inputs.DeepClone() : [],
            Outputs = json["outputs"] as JsonArray is { } outputs ? (JsonArray)outputs.DeepClone() : [],
            Outcomes = json["outcomes"] as JsonArray is { } outcomes ? (JsonArray)outcomes.DeepClone() : [],
            CustomProperties = json["customProperties"] as JsonObject is { } custom ? (JsonObject)custom.DeepClone() : [],
            Options = json["options"] as JsonObject is { } options ? (JsonObject)options.DeepClone() : [],
            Root = ReadActivity(rootNode, "$.root"),
            Extra = new JsonObject(json.Where(p => !DefinitionKeys.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
            SourceKeys = [.. json.Select(p => p.Key)],
        };
    }

    /// <summary>The definition's keys Manyi reads and writes itself.</summary>
    private static readonly HashSet<string> DefinitionKeys =
    [
        "id", "definitionId", "name", "description", "createdAt", "version", "variables", "inputs", "outputs", "outcomes",
        "customProperties", "isLatest", "isPublished", "options", "root",
    ];

    /// <summary>Keys every written definition has, whether the file had them or not: its identity, version and state.</summary>
    private static readonly HashSet<string> StatedKeys = ["id", "definitionId", "createdAt", "version", "isLatest", "isPublished", "root"];

    /// <summary>Reads a list of variables as a file holds them (a definition's, or a container's own).</summary>
    public static List<VariableDefinition> ReadVariableList(JsonNode? node, string path) => ReadVariables(node, path);

    private static List<VariableDefinition> ReadVariables(JsonNode? node, string listPath = "$.variables")
    {
        if (node is null) return [];
        if (node is not JsonArray array) throw new WorkflowFormatException($"'{(listPath.StartsWith("$.", StringComparison.Ordinal) ? listPath[2..] : listPath)}' must be an array.");
        var result = new List<VariableDefinition>();
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"{listPath}[{i}]";
            if (array[i] is not JsonObject v) throw new WorkflowFormatException($"{path} must be an object.");
            var name = OptionalString(v, "name", path) ?? throw new WorkflowFormatException($"{path} has no 'name'.");
            var extra = new JsonObject();
            foreach (var (key, value) in v)
                if (key is not ("id" or "name" or "typeName" or "isArray" or "value"))
                    extra[key] = value?.DeepClone();
            result.Add(new VariableDefinition(
                OptionalString(v, "id", path) ?? name,
                name,
                OptionalString(v, "typeName", path) ?? "Object",
                v["isArray"] is JsonValue isArray && isArray.GetValueKind() == JsonValueKind.True,
                v["value"] switch { null => null, JsonValue s when s.TryGetValue<string>(out var text) => text, var other => other.ToJsonString() })
            { Extra = extra, AbsentKeys = [.. new[] { "id", "typeName", "isArray", "value" }.Where(k => !v.ContainsKey(k))] });
        }
        return result;
    }

    /// <summary>Reads one activity nested in another's property (a body, a branch), as a file holds it.</summary>
    public static ActivityNode ReadActivityNode(JsonObject json, string path) => ReadActivity(json, path);

    /// <summary>Writes one activity as a file holds it (the inverse of <see cref="ReadActivityNode"/>), for a body put back into its container.</summary>
    public static JsonObject WriteActivityNode(ActivityNode node) => WriteActivity(node);

    private static ActivityNode ReadActivity(JsonObject json, string path)
    {
        var id = OptionalString(json, "id", path) ?? throw new WorkflowFormatException($"The activity at {path} has no 'id'.");
        var type = OptionalString(json, "type", path) ?? throw new WorkflowFormatException($"The activity '{id}' has no 'type'.");
        var node = new ActivityNode
        {
            Id = id,
            NodeId = OptionalString(json, "nodeId", path),
            Name = OptionalString(json, "name", path),
            Type = type,
            Version = json["version"] is JsonValue v ? ReadInt(v, $"{path}.version") : 1,
            CustomProperties = json["customProperties"] as JsonObject is { } custom ? (JsonObject)custom.DeepClone() : [],
            Metadata = json["metadata"] as JsonObject is { } metadata ? (JsonObject)metadata.DeepClone() : [],
            SourceKeys = [.. json.Select(p => p.Key)],
        };
        foreach (var (key, value) in json)
            if (!CoreActivityKeys.Contains(key))
                node.Properties[key] = value?.DeepClone();

        if (json["activities"] is JsonArray children)
        {
            node.Activities = [];
            for (var i = 0; i < children.Count; i++)
            {
                var childPath = $"{path}.activities[{i}]";
                if (children[i] is not JsonObject child) throw new WorkflowFormatException($"{childPath} must be an object.");
                node.Activities.Add(ReadActivity(child, childPath));
            }
        }
        if (json["connections"] is JsonArray connections)
        {
            node.Connections = [];
            for (var i = 0; i < connections.Count; i++)
                node.Connections.Add(ReadConnection(connections[i], $"{path}.connections[{i}]"));
        }
        else if (node.Type == FlowchartType)
        {
            node.Connections = [];
        }
        return node;
    }

    private static Connection ReadConnection(JsonNode? json, string path)
    {
        if (json is not JsonObject connection) throw new WorkflowFormatException($"{path} must be an object.");
        var vertices = connection["vertices"] as JsonArray is { } v ? (JsonArray)v.DeepClone() : [];
        // Elsa 3.0 wrote flat strings: {"source": "a", "sourcePort": "Done", "target": "b", "targetPort": "In"}.
        var source = ReadEndpoint(connection["source"], OptionalString(connection, "sourcePort", path), "Done", $"{path}.source");
        var target = ReadEndpoint(connection["target"], OptionalString(connection, "targetPort", path), "In", $"{path}.target");
        var extra = new JsonObject();
        foreach (var (key, value) in connection)
            if (key is not ("source" or "target" or "sourcePort" or "targetPort" or "vertices"))
                extra[key] = value?.DeepClone();
        return new Connection(source, target)
        {
            Vertices = vertices,
            HasVerticesKey = connection.ContainsKey("vertices") || vertices.Count > 0,
            IsFlat = connection["source"] is JsonValue && connection["target"] is JsonValue,
            HasPortKeys = connection.ContainsKey("sourcePort") || connection.ContainsKey("targetPort"),
            Extra = extra,
        };
    }

    private static Endpoint ReadEndpoint(JsonNode? json, string? flatPort, string defaultPort, string path) => json switch
    {
        JsonObject endpoint => new Endpoint(
            OptionalString(endpoint, "activity", path) ?? throw new WorkflowFormatException($"{path} has no 'activity'."),
            OptionalString(endpoint, "port", path) ?? defaultPort),
        JsonValue value when value.TryGetValue<string>(out var activity) => new Endpoint(activity, flatPort ?? defaultPort),
        _ => throw new WorkflowFormatException($"{path} is missing or is neither an object nor an activity id."),
    };

    private static string? OptionalString(JsonObject json, string key, string path) => json[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => throw new WorkflowFormatException($"{path}.{key} must be a string."),
    };

    private static int ReadInt(JsonValue value, string path) =>
        value.TryGetValue<int>(out var i) ? i
        : value.TryGetValue<string>(out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out i) ? i
        : throw new WorkflowFormatException($"{path} must be a whole number.");

    /// <summary>
    /// The definition as an Elsa 3 document. One read from a file keeps the file's keys in its order, the keys Manyi
    /// does not read among them; a key the file lacked is added only when it says something (a state, a value).
    /// </summary>
    public static JsonObject ToJsonObject(WorkflowDefinition definition)
    {
        var known = KnownKeys(definition);
        if (definition.SourceKeys is null)
        {
            foreach (var (key, value) in definition.Extra) known[key] = value?.DeepClone();
            return known;
        }
        var json = new JsonObject();
        foreach (var key in definition.SourceKeys)
            json[key] = DefinitionKeys.Contains(key) ? known[key]?.DeepClone() : definition.Extra[key]?.DeepClone();
        foreach (var (key, value) in known)
            if (!json.ContainsKey(key) && (StatedKeys.Contains(key) || value is JsonValue || value is JsonArray { Count: > 0 } || value is JsonObject { Count: > 0 }))
                json[key] = value?.DeepClone();
        return json;
    }

    private static JsonObject KnownKeys(WorkflowDefinition definition) => new()
    {
        ["id"] = definition.Id,
        ["definitionId"] = definition.DefinitionId,
        ["name"] = definition.Name,
        ["description"] = definition.Description,
        ["createdAt"] = definition.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["version"] = definition.Version,
        ["variables"] = new JsonArray(definition.Variables.Select(WriteVariable).ToArray<JsonNode?>()),
        ["inputs"] = definition.Inputs.DeepClone(),
        ["outputs"] = definition.Outputs.DeepClone(),
        ["outcomes"] = definition.Outcomes.DeepClone(),
        ["customProperties"] = definition.CustomProperties.DeepClone(),
        ["isLatest"] = definition.IsLatest,
        ["isPublished"] = definition.IsPublished,
        ["options"] = definition.Options.DeepClone(),
        ["root"] = WriteActivity(definition.Root),
    };

    private static JsonObject WriteVariable(VariableDefinition variable)
    {
        var json = new JsonObject
        {
            ["id"] = variable.Id,
            ["name"] = variable.Name,
            ["typeName"] = variable.TypeName,
            ["isArray"] = variable.IsArray,
            ["value"] = variable.Value,
        };
        foreach (var key in variable.AbsentKeys)
            if (key switch
                {
                    "id" => variable.Id == variable.Name,
                    "typeName" => variable.TypeName == "Object",
                    "isArray" => !variable.IsArray,
                    _ => variable.Value is null,
                })
                json.Remove(key);
        foreach (var (key, value) in variable.Extra) json[key] = value?.DeepClone();
        return json;
    }

    private static JsonObject WriteConnection(Connection connection)
    {
        JsonObject json;
        if (connection.IsFlat)
        {
            json = new JsonObject { ["source"] = connection.Source.Activity, ["target"] = connection.Target.Activity };
            if (connection.HasPortKeys || connection.Source.Port != "Done" || connection.Target.Port != "In")
            {
                json["sourcePort"] = connection.Source.Port;
                json["targetPort"] = connection.Target.Port;
            }
        }
        else
        {
            json = new JsonObject
            {
                ["source"] = new JsonObject { ["activity"] = connection.Source.Activity, ["port"] = connection.Source.Port },
                ["target"] = new JsonObject { ["activity"] = connection.Target.Activity, ["port"] = connection.Target.Port },
            };
        }
        if (connection.HasVerticesKey) json["vertices"] = connection.Vertices.DeepClone();
        foreach (var (key, value) in connection.Extra) json[key] = value?.DeepClone();
        return json;
    }

    private static JsonObject WriteActivity(ActivityNode node)
    {
        var core = new Dictionary<string, Func<JsonNode?>>
        {
            ["id"] = () => node.Id,
            ["nodeId"] = () => node.NodeId,
            ["name"] = () => node.Name,
            ["type"] = () => node.Type,
            ["version"] = () => node.Version,
            ["customProperties"] = () => node.CustomProperties.DeepClone(),
            ["metadata"] = () => node.Metadata.DeepClone(),
            ["activities"] = () => node.Activities is null ? null : new JsonArray(node.Activities.Select(a => (JsonNode?)WriteActivity(a)).ToArray()),
            ["connections"] = () => node.Connections is null ? null : new JsonArray(node.Connections.Select(c => (JsonNode?)WriteConnection(c)).ToArray()),
        };
        var json = new JsonObject();
        void Put(string key)
        {
            if (json.ContainsKey(key)) return;
            if (core.TryGetValue(key, out var value))
            {
                var written = value();
                // nodeId, activities and connections only when there are some (or the file had them); other core keys always.
                var absent = written is null || (written is JsonArray { Count: 0 } && node.SourceKeys?.Contains(key) == false);
                if (!absent || key is not ("nodeId" or "activities" or "connections")) json[key] = written;
            }
            else if (node.Properties.ContainsKey(key))
            {
                json[key] = node.Properties[key]?.DeepClone();
            }
        }

        // A file's activity keeps its keys and their order; what it lacked is added only when Manyi set it.
        if (node.SourceKeys is { } source)
        {
            foreach (var key in source) Put(key);
            if (node.Name is not null) Put("name");
            if (node.NodeId is not null) Put("nodeId");
            if (node.CustomProperties.Count > 0) Put("customProperties");
            if (node.Metadata.Count > 0) Put("metadata");
            if (node.Version != 1) Put("version");
        }
        foreach (var key in new[] { "id", "nodeId", "name", "type", "version", "customProperties", "metadata" })
            if (node.SourceKeys is null || key is "id" or "type") Put(key);
        foreach (var (key, _) in node.Properties) Put(key);
        Put("activities");
        Put("connections");
        return json;
    }
}
