using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;

namespace Manyi.Engine.Tests;

/// <summary>
/// Builds small Elsa 3 documents in a test's own code, for the many one-off shapes that validation and activity
/// tests need; the document goes through <see cref="ElsaJson.Read(string)"/> like a file would.
/// </summary>
internal static class Doc
{
    public static WorkflowDefinition Flowchart(JsonNode?[] activities, JsonNode?[]? connections = null, JsonNode?[]? variables = null, JsonObject? options = null) =>
        ElsaJson.Read(FlowchartJson(activities, connections, variables, options).ToJsonString());

    public static JsonObject FlowchartJson(JsonNode?[] activities, JsonNode?[]? connections = null, JsonNode?[]? variables = null, JsonObject? options = null) => new()
    {
        ["id"] = "doc-v1",
        ["definitionId"] = "doc",
        ["name"] = "Test document",
        ["version"] = 1,
        ["variables"] = new JsonArray(variables ?? []),
        ["options"] = options ?? [],
        ["root"] = new JsonObject
        {
            ["id"] = "flow",
            ["type"] = "Elsa.Flowchart",
            ["version"] = 1,
            ["activities"] = new JsonArray(activities),
            ["connections"] = new JsonArray(connections ?? []),
        },
    };

    public static JsonObject Activity(string id, string type, params (string Key, JsonNode? Value)[] properties)
    {
        var activity = new JsonObject { ["id"] = id, ["type"] = type, ["version"] = 1 };
        foreach (var (key, value) in properties) activity[key] = value;
        return activity;
    }

    public static JsonObject WriteLine(string id, string text, string expressionType = "Literal") =>
        Activity(id, "Elsa.WriteLine", ("text", Input(text, expressionType)));

    public static JsonObject Input(JsonNode? value, string expressionType = "Literal", string typeName = "String") => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = expressionType, ["value"] = value },
    };

    public static JsonObject Connection(string source, string port, string target) => new()
    {
        ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
    };

    public static JsonObject Variable(string name, string typeName, string? value = null, bool isArray = false) => new()
    {
        ["id"] = $"v-{name}",
        ["name"] = name,
        ["typeName"] = typeName,
        ["isArray"] = isArray,
        ["value"] = value,
    };
}

/// <summary>Builds Elsa 3 documents whose root is any activity, with containers nested as Elsa writes them.</summary>
internal static class Tree
{
    public static Manyi.Engine.Model.WorkflowDefinition Workflow(JsonObject root, params JsonNode?[] variables) =>
        ElsaJson.Read(new JsonObject
        {
            ["id"] = "tree-v1",
            ["definitionId"] = "tree",
            ["name"] = "Tree",
            ["version"] = 1,
            ["variables"] = new JsonArray(variables),
            ["root"] = root,
        }.ToJsonString());

    public static JsonObject Sequence(string id, params JsonObject[] activities) =>
        Doc.Activity(id, "Elsa.Sequence", ("activities", new JsonArray([.. activities])));

    public static JsonObject Flowchart(string id, JsonObject[] activities, params JsonObject[] connections) =>
        Doc.Activity(id, "Elsa.Flowchart", ("activities", new JsonArray([.. activities])), ("connections", new JsonArray([.. connections])));

    public static JsonObject Js(string script, string typeName = "Object") => Doc.Input(script, "JavaScript", typeName);

    public static JsonObject Line(string id, string script) => Doc.WriteLine(id, script, "JavaScript");

    public static JsonObject Event(string id, string eventName) => Doc.Activity(id, "Elsa.Event", ("eventName", Doc.Input(eventName)));

    public static JsonObject With(this JsonObject activity, string key, JsonNode? value)
    {
        activity[key] = value;
        return activity;
    }
}
