using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

/// <summary>What runs where Elsa is lenient: inputs left empty in a file.</summary>
public sealed class LeniencyTests
{
    [Fact]
    public async Task A_WriteLine_without_text_writes_an_empty_line_and_an_empty_Delay_does_not_wait()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("blank", "Elsa.WriteLine"), Doc.Activity("pause", "Elsa.Delay", ("timeSpan", Doc.Input(""))), Doc.WriteLine("after", "after")],
            [Doc.Connection("blank", "Done", "pause"), Doc.Connection("pause", "Done", "after")]);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["blank Message", "blank Executed Done", "pause Executed Done", "after Message after", "after Executed Done", "WorkflowFinished"],
            engine.Steps(instance.Id).Skip(1));
    }

    [Fact]
    public async Task A_Fault_without_a_message_faults_with_a_default_one()
    {
        await using var engine = new TestEngine();

        var instance = await engine.StartAsync(Doc.Flowchart([Doc.Activity("boom", "Elsa.Fault")]));

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Equal("The workflow raised a fault.", Assert.Single(instance.Incidents).Message);
    }

    [Fact]
    public async Task An_empty_flowchart_runs_and_finishes_at_once()
    {
        await using var engine = new TestEngine();

        var instance = await engine.StartAsync(Doc.Flowchart([]));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
    }

    [Fact]
    public void A_variable_and_a_definition_are_written_back_with_the_keys_the_file_gave_them()
    {
        const string file = """
            {"$schema": "https://elsaworkflows.io/schemas/workflow-definition/v3.0.0/schema.json", "id": "v1", "definitionId": "d", "name": "Lean",
             "toolVersion": "3.5.0.0", "isReadonly": false, "variables": [{"id": "x", "name": "x", "typeName": "Int32"}],
             "root": {"id": "flow", "type": "Elsa.Flowchart", "activities": [], "connections": []}}
            """;

        var written = System.Text.Json.Nodes.JsonNode.Parse(Engine.Serialization.ElsaJson.Write(Engine.Serialization.ElsaJson.Read(file)))!.AsObject();

        Assert.Equal(["$schema", "id", "definitionId", "name", "toolVersion", "isReadonly", "variables", "root", "createdAt", "version", "isLatest", "isPublished"],
            written.Select(p => p.Key));
        Assert.Equal(["id", "name", "typeName"], written["variables"]![0]!.AsObject().Select(p => p.Key));
    }
}
