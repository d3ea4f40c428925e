using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;

namespace Manyi.Engine.Tests.Serialization;

/// <summary>Reading and writing Elsa 3 workflow JSON: nothing known is lost, older and foreign shapes are accepted.</summary>
public sealed class ElsaJsonTests
{
    [Fact]
    public void Round_trip_is_stable_read_write_read_write_gives_identical_text()
    {
        var first = ElsaJson.Write(Fixture.Load("Serialization/full.json"));
        var second = ElsaJson.Write(ElsaJson.Read(first));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Writing_a_file_that_carries_every_known_key_gives_back_the_same_document()
    {
        var original = JsonNode.Parse(Fixture.Bytes("Serialization/full.json"))!;

        var written = JsonNode.Parse(ElsaJson.Write(Fixture.Load("Serialization/full.json")))!;

        // Key order aside, every value survives: designer metadata, custom properties, memoryReference, vertices, variables.
        Assert.True(JsonNode.DeepEquals(original, written), $"Expected\n{original}\nbut wrote\n{written}");
    }

    [Fact]
    public void Reading_maps_every_known_field_onto_the_model()
    {
        var definition = Fixture.Load("Serialization/full.json");

        Assert.Equal(("full-v3", "full", "Every field", 3), (definition.Id, definition.DefinitionId, definition.Name, definition.Version));
        Assert.StartsWith("Carries every key", definition.Description);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero), definition.CreatedAt);
        Assert.False(definition.IsLatest);
        Assert.True(definition.IsPublished);
        Assert.Equal(IncidentStrategy.Fault, definition.IncidentStrategy);
        Assert.Equal("procurement", definition.CustomProperties["owner"]!.GetValue<string>());
        Assert.Equal(["Approved", "Rejected"], definition.Outcomes.Select(o => o!.GetValue<string>()));
        Assert.Equal("amount", Assert.Single(definition.Inputs)!["name"]!.GetValue<string>());
        Assert.Single(definition.Outputs);

        var count = definition.Variables[0];
        Assert.Equal(("v-count", "count", "Int32", false, "7"), (count.Id, count.Name, count.TypeName, count.IsArray, count.Value));
        Assert.Contains("WorkflowInstanceStorageDriver", count.Extra["storageDriverTypeName"]!.GetValue<string>());
        Assert.True(definition.Variables[1].IsArray);

        var root = definition.Root;
        Assert.Equal(("Workflow1:flow", "Flowchart1"), (root.NodeId, root.Name));
        var start = root.Activities![0];
        Assert.True(start.CanStartWorkflow);
        var designer = start.Metadata["designer"]!;
        Assert.Equal(-81.9, designer["position"]!["x"]!.GetValue<double>());
        Assert.Equal(49.6, designer["size"]!["height"]!.GetValue<double>());
        Assert.Equal("Begin", start.Metadata["displayText"]!.GetValue<string>());
        var write = root.Activities[1];
        Assert.Equal(2, write.Version);
        Assert.Equal("write:input-1", write.Properties["text"]!["memoryReference"]!["id"]!.GetValue<string>());
        Assert.Equal(new Expression("Liquid", JsonValue.Create("count is {{ Variables.count }}")).Text, Expression.FromInputProperty(write.Properties["text"])!.Text);
        Assert.True(write.Properties.ContainsKey("result"));
        Assert.Equal(new Endpoint("start", "Done"), root.Connections![0].Source);
        Assert.Equal(100, root.Connections[0].Vertices[0]!["x"]!.GetValue<int>());
    }

    [Fact]
    public void Reads_an_older_export_with_a_byte_order_mark_schema_unknown_keys_and_flat_connections()
    {
        var bytes = Fixture.Bytes("Serialization/older-export.json");
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);

        var definition = ElsaJson.Read(bytes);

        Assert.Equal("older", definition.DefinitionId);
        var root = definition.Root;
        Assert.Equal("hello", root.Properties["start"]!.GetValue<string>());
        Assert.Equal(
        [
            (new Endpoint("hello", "Done"), new Endpoint("greet", "In")),
            (new Endpoint("greet", "Done"), new Endpoint("decide", "In")),
            (new Endpoint("decide", "False"), new Endpoint("no", "In")),
        ], root.Connections!.Select(c => (c.Source, c.Target)));
        var hello = root.Activities![0];
        Assert.True(hello.CanStartWorkflow, "canStartWorkflow at the activity's top level counts too");
        Assert.Equal("Hello event", hello.Metadata["displayText"]!.GetValue<string>());
        Assert.Equal("world", Assert.Single(definition.Variables).Value);
    }

    [Fact]
    public void Reads_a_string_that_starts_with_a_byte_order_mark()
    {
        var json = "\uFEFF" + Encoding.UTF8.GetString(Fixture.Bytes("Serialization/full.json").AsSpan(0));

        Assert.Equal("full", ElsaJson.Read(json).DefinitionId);
    }

    [Fact]
    public void Writes_older_flat_connections_back_flat_as_the_file_had_them_and_keeps_extra_keys()
    {
        var written = JsonNode.Parse(ElsaJson.Write(Fixture.Load("Serialization/older-export.json")))!;

        // Flat as read, so the file exports as it came and Elsa 3.0 still reads it; no port key the file lacked.
        var connections = written["root"]!["connections"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [
              {"source": "hello", "sourcePort": "Done", "target": "greet", "targetPort": "In"},
              {"source": "greet", "target": "decide"},
              {"source": "decide", "sourcePort": "False", "target": "no", "targetPort": "In", "vertices": []}
            ]
            """), connections), connections.ToJsonString());
        Assert.Equal("hello", written["root"]!["start"]!.GetValue<string>());
        var hello = written["root"]!["activities"]![0]!;
        Assert.True(hello["canStartWorkflow"]!.GetValue<bool>());
        Assert.False(hello["runAsynchronously"]!.GetValue<bool>());
        Assert.Equal("hello:eventName", hello["eventName"]!["memoryReference"]!["id"]!.GetValue<string>());
        // The definition's own unknown keys come back as the file had them, and no key the file lacked is added.
        Assert.Equal("https://elsaworkflows.io/schemas/workflow-definition/v3.0.0/schema.json", written["$schema"]!.GetValue<string>());
        Assert.Equal("3.0.6.0", written["toolVersion"]!.GetValue<string>());
        Assert.False(written.AsObject().ContainsKey("description"));
    }

    [Fact]
    public async Task An_older_export_compiles_and_runs_as_written()
    {
        await using var engine = new TestEngine();
        var definition = Fixture.Load("Serialization/older-export.json");
        Assert.Empty(engine.Get<WorkflowCompiler>().Validate(definition).Problems);
        await engine.PublishAsync(definition);

        var instance = Assert.Single((await engine.SendEventAsync("hello")).Started);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "hello Executed Done",
            "greet Message Hello world",
            "greet Executed Done",
            "decide Executed False",
            "no Message said no",
            "no Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public void A_minimal_document_gets_the_documented_defaults()
    {
        var definition = ElsaJson.Read("""{"root": {"id": "f", "type": "Elsa.Flowchart", "activities": []}}""");

        Assert.Equal((1, true, false), (definition.Version, definition.IsLatest, definition.IsPublished));
        Assert.Empty(definition.Variables);
        Assert.NotNull(definition.Root.Connections);
        Assert.Empty(definition.Root.Connections);
        Assert.Equal(IncidentStrategy.Fault, definition.IncidentStrategy);
    }

    [Theory]
    [InlineData("""{"id": "x", "root": {"id": "f", """, "The workflow is not valid JSON")]
    [InlineData("", "The workflow is not valid JSON")]
    [InlineData("""[{"id": "x"}]""", "The workflow must be a JSON object")]
    [InlineData("""{"id": "x"}""", "The workflow has no 'root' activity")]
    [InlineData("""{"root": {"id": "f", "type": "Elsa.Flowchart", "activities": [{"id": "w1", "name": "Write"}]}}""", "The activity 'w1' has no 'type'")]
    [InlineData("""{"root": {"id": "f", "type": "Elsa.Flowchart", "activities": [{"type": "Elsa.End"}]}}""", "The activity at $.root.activities[0] has no 'id'")]
    [InlineData("""{"root": {"id": "f", "type": "Elsa.Flowchart", "activities": [], "connections": [{"source": {"activity": "a"}}]}}""", "$.root.connections[0].target is missing")]
    [InlineData("""{"variables": {}, "root": {"id": "f", "type": "Elsa.Flowchart"}}""", "'variables' must be an array")]
    [InlineData("""{"variables": [{"id": "v1"}], "root": {"id": "f", "type": "Elsa.Flowchart"}}""", "$.variables[0] has no 'name'")]
    [InlineData("""{"name": {"en": "x"}, "root": {"id": "f", "type": "Elsa.Flowchart"}}""", "$.name must be a string")]
    [InlineData("""{"version": "two", "root": {"id": "f", "type": "Elsa.Flowchart"}}""", "$.version must be a whole number")]
    public void Malformed_documents_raise_a_format_error_that_says_what_is_wrong(string json, string message)
    {
        var error = Assert.Throws<WorkflowFormatException>(() => ElsaJson.Read(json));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Malformed_json_error_points_at_the_position()
    {
        var error = Assert.Throws<WorkflowFormatException>(() => ElsaJson.Read("{\n  \"id\": \"x\",\n  \"root\": oops\n}"));

        Assert.Contains("LineNumber: 2", error.Message);
        Assert.NotNull(error.InnerException);
    }
}

/// <summary>Nested activities as Elsa 3 files hold them: import → export gives the same keys, key by key and in order.</summary>
public sealed class NestedElsaJsonTests
{
    // Elsa's shapes: a sequence's activities and variables, an If's then/else, a loop's body, a switch's cases and
    // default, a fork's branches; keys Manyi does not know (memoryReference, toolVersion, a connection's extras) kept.
    private const string Document = """
        {
          "id": "n-1", "definitionId": "nested", "name": "Nested", "createdAt": "2025-01-01T00:00:00+00:00", "version": 1,
          "toolVersion": "3.6.0.0", "variables": [], "inputs": [], "outputs": [], "outcomes": [], "customProperties": {},
          "isLatest": true, "isPublished": false, "options": {"usableAsActivity": false},
          "root": {
            "type": "Elsa.Sequence", "version": 1, "id": "Sequence1", "metadata": {}, "customProperties": {"canStartWorkflow": false},
            "variables": [{"id": "v1", "name": "Counter", "typeName": "Int32", "value": "0", "storageDriverTypeName": null}],
            "activities": [
              {"condition": {"typeName": "Boolean", "expression": {"type": "JavaScript", "value": "true"}, "memoryReference": {"id": "If1:input-1"}},
               "then": {"text": {"typeName": "String", "expression": {"type": "Literal", "value": "yes"}}, "id": "WriteLine1", "type": "Elsa.WriteLine", "version": 1},
               "else": null, "id": "If1", "type": "Elsa.If", "version": 1},
              {"items": {"typeName": "Object[]", "expression": {"type": "JavaScript", "value": "[1, 2]"}},
               "currentValue": {"typeName": "Object", "memoryReference": {"id": "v1"}},
               "body": {"type": "Elsa.Flowchart", "version": 1, "id": "Flowchart1", "nodeId": "Workflow1:Sequence1:ForEach1:Flowchart1",
                        "activities": [{"id": "Node1", "type": "Elsa.FlowNode", "version": 1, "customProperties": {"mergeMode": "Merge"}}],
                        "connections": []},
               "id": "ForEach1", "type": "Elsa.ForEach", "version": 1},
              {"mode": {"typeName": "Elsa.Workflows.Activities.SwitchMode, Elsa.Workflows.Core", "expression": {"type": "Literal", "value": "MatchAny"}},
               "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "true"}, "activity": {"id": "Break1", "type": "Elsa.Break", "version": 1}}],
               "default": {"id": "Complete1", "type": "Elsa.Complete", "version": 1, "outcomes": {"typeName": "Object", "expression": {"type": "Literal", "value": "Done"}}},
               "id": "Switch1", "type": "Elsa.Switch", "version": 1},
              {"joinMode": "WaitAny", "branches": [{"id": "Sequence2", "type": "Elsa.Sequence", "version": 1, "activities": []}],
               "id": "Fork1", "type": "Elsa.Fork", "version": 1}
            ]
          }
        }
        """;

    [Fact]
    public void Nested_activities_round_trip_key_by_key_in_file_order()
    {
        var written = ElsaJson.Write(ElsaJson.Read(Document));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Document)!["root"], JsonNode.Parse(written)!["root"]), written);
        Assert.Equal(Keys(JsonNode.Parse(Document)!["root"]!), Keys(JsonNode.Parse(written)!["root"]!));
    }

    [Fact]
    public void The_nested_document_compiles()
    {
        using var engine = new TestEngine();

        var result = engine.Get<Engine.Validation.WorkflowCompiler>().Validate(ElsaJson.Read(Document));

        Assert.Empty(result.Errors);
        Assert.Equal(["Sequence1", "ForEach1", "Flowchart1"], result.Graph!.PathOf("Node1"));
    }

    /// <summary>Every object's keys in order, depth first.</summary>
    private static List<string> Keys(JsonNode node) => node switch
    {
        JsonObject o => [.. o.SelectMany(p => (IEnumerable<string>)[p.Key, .. p.Value is null ? [] : Keys(p.Value)])],
        JsonArray a => [.. a.SelectMany(i => i is null ? [] : Keys(i))],
        _ => [],
    };
}
