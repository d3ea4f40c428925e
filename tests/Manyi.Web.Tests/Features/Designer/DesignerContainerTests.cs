using System.Text.Json.Nodes;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Serialization;
using Manyi.Web.Features.Designer;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Designer;

/// <summary>The designer's model for containers: opening a body, editing it in place in the nested JSON, undo and redo, going back.</summary>
public sealed class DesignerContainerTests
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddManyiEngine().Services.BuildServiceProvider();
    private static ActivityRegistry Registry => Services.GetRequiredService<ActivityRegistry>();
    private static PaletteItem Item(string type) => PaletteItem.Of(Registry.Find(type)!);

    private static JsonObject Root(DesignerDocument document) => JsonNode.Parse(document.Snapshot())!["root"]!.AsObject();

    private static JsonArray SequenceInLoop(DesignerDocument document) =>
        Root(document)["activities"]!.AsArray().Single(a => a!["id"]!.ToString() == "loop")!["body"]!["activities"]!.AsArray();

    [Fact]
    public void An_activity_added_to_an_opened_sequence_lands_in_the_loops_body_and_undo_takes_it_out_again()
    {
        var document = new DesignerDocument(ElsaJson.Read(Workflows.Nested("d")));
        var loop = document.Find("loop")!;
        var body = Assert.Single(DesignerDocument.Slots(loop));
        Assert.Equal("body", body.Key);

        Assert.Null(document.Open(body));
        Assert.False(document.IsFlowchart);
        Assert.Equal("steps", document.Container.Id);
        Assert.Equal(["逐个单位"], document.OpenNames);
        Assert.Equal(["say"], document.Activities.Select(a => a.Id));

        var added = document.Add(Item("Elsa.WriteLine"), 0, 0);
        Assert.Equal("writeline-1", added.Id);
        Assert.Equal(["say", "writeline-1"], SequenceInLoop(document).Select(a => a!["id"]!.ToString()));
        Assert.Empty(document.Connections);
        Assert.Null(SequenceInLoop(document)[1]!["metadata"]!["designer"]); // a sequence's order is its list's: no position

        document.Move("writeline-1", -1);
        Assert.Equal(["writeline-1", "say"], SequenceInLoop(document).Select(a => a!["id"]!.ToString()));

        document.Undo();
        document.Undo();
        Assert.Equal(["say"], SequenceInLoop(document).Select(a => a!["id"]!.ToString()));
        Assert.Equal("steps", document.Container.Id); // still open after undo
        Assert.Equal(["say"], document.Activities.Select(a => a.Id));

        document.Redo();
        Assert.Equal(["say", "writeline-1"], document.Activities.Select(a => a.Id));
        Assert.Equal(["say", "writeline-1"], SequenceInLoop(document).Select(a => a!["id"]!.ToString()));

        document.Close(0);
        Assert.True(document.IsFlowchart);
        Assert.Equal(["start", "loop", "after"], document.Activities.Select(a => a.Id));
        Assert.Equal(2, document.Connections.Count);
    }

    [Fact]
    public void New_ids_are_unique_across_nested_bodies_and_removing_inside_keeps_the_rest()
    {
        var document = new DesignerDocument(ElsaJson.Read(Workflows.Nested("d", Workflows.WriteLine("writeline-1", "x"))));
        Assert.Equal("writeline-2", document.NewId("Elsa.WriteLine")); // writeline-1 lives inside the loop's body

        document.Open(DesignerDocument.Slots(document.Find("loop")!)[0]);
        document.Delete("writeline-1");
        Assert.Empty(SequenceInLoop(document));
        Assert.Equal("after", Root(document)["activities"]![2]!["id"]!.ToString());
    }

    [Fact]
    public void An_empty_then_branch_opens_as_a_new_sequence_and_a_nested_flowchart_as_a_flowchart()
    {
        var document = new DesignerDocument(ElsaJson.Read(Workflows.Flowchart("d", """
            {"id": "check", "type": "Elsa.If", "condition": {"typeName": "Boolean", "expression": {"type": "Literal", "value": true}}},
            {"id": "inner", "type": "Elsa.Flowchart", "activities": [], "connections": []}
            """, "")));

        var then = DesignerDocument.Slots(document.Find("check")!).Single(s => s.Key == "then");
        document.Open(then);
        Assert.Equal("Elsa.Sequence", document.Container.Type);
        document.Add(Item("Elsa.Delay"), 0, 0);
        Assert.Equal("delay-1", Root(document)["activities"]![0]!["then"]!["activities"]![0]!["id"]!.ToString());
        Assert.Null(Root(document)["activities"]![0]!["else"]);

        document.Close(0);
        document.Open(Assert.Single(DesignerDocument.Slots(document.Find("inner")!)));
        Assert.True(document.IsFlowchart);
        var a = document.Add(Item("Elsa.WriteLine"), 10, 20);
        var b = document.Add(Item("Elsa.WriteLine"), 10, 120);
        Assert.True(document.Connect(a.Id, "Done", b.Id));
        var inner = Root(document)["activities"]![1]!;
        Assert.Equal(2, inner["activities"]!.AsArray().Count);
        Assert.Equal(b.Id, inner["connections"]![0]!["target"]!["activity"]!.ToString());

        // The whole document still reads and compiles as Elsa JSON with the edits nested.
        Assert.DoesNotContain(Services.GetRequiredService<Manyi.Engine.Validation.WorkflowCompiler>()
            .Validate(ElsaJson.Read(document.Snapshot())).Problems, p => p.Severity == Manyi.Engine.Validation.Severity.Error);
    }

    [Fact]
    public void A_switch_case_opens_like_an_if_branch_keeps_its_label_and_condition_and_undo_keeps_the_path()
    {
        var document = new DesignerDocument(ElsaJson.Read(Workflows.Flowchart("d", """
            {"id": "route", "type": "Elsa.Switch", "mode": {"typeName": "String", "expression": {"type": "Literal", "value": "MatchFirst"}},
             "cases": [
               {"label": "移动", "condition": {"type": "JavaScript", "value": "true"},
                "activity": {"id": "say", "type": "Elsa.WriteLine", "text": {"typeName": "String", "expression": {"type": "Literal", "value": "mobile"}}}},
               {"label": "联通", "condition": {"type": "JavaScript", "value": "false"}}]}
            """, "")));
        JsonArray Cases() => Root(document)["activities"]![0]!["cases"]!.AsArray();

        var slots = DesignerDocument.Slots(document.Find("route")!);
        Assert.Equal(["情况 移动", "情况 联通", "默认"], slots.Select(s => s.Zh));

        Assert.Null(document.Open(slots[0]));
        Assert.Equal("Elsa.Sequence", document.Container.Type); // its one activity is put in a sequence to add to
        Assert.Equal(["say"], document.Activities.Select(a => a.Id));
        document.Add(Item("Elsa.Delay"), 0, 0);
        Assert.Equal(["say", "delay-1"], Cases()[0]!["activity"]!["activities"]!.AsArray().Select(a => a!["id"]!.ToString()));
        Assert.Equal("移动", Cases()[0]!["label"]!.ToString());
        Assert.Equal("true", Cases()[0]!["condition"]!["value"]!.ToString());

        document.Undo();
        Assert.Equal(slots[0], Assert.Single(document.OpenPath)); // still open after undo
        Assert.Equal(["say"], document.Activities.Select(a => a.Id));
        document.Redo();
        Assert.Equal(["say", "delay-1"], document.Activities.Select(a => a.Id));

        document.Close(0);
        document.Open(slots[1]);
        document.Add(Item("Elsa.WriteLine"), 0, 0);
        Assert.Equal("联通", Cases()[1]!["label"]!.ToString());
        Assert.Single(Cases()[1]!["activity"]!["activities"]!.AsArray());
        document.Close(0);
        document.Open(slots[2]);
        Assert.Equal("Elsa.Sequence", Root(document)["activities"]![0]!["default"]!["type"]!.ToString());
        Assert.DoesNotContain(Services.GetRequiredService<Manyi.Engine.Validation.WorkflowCompiler>()
            .Validate(ElsaJson.Read(document.Snapshot())).Problems, p => p.Severity == Manyi.Engine.Validation.Severity.Error);
    }

    [Fact]
    public void The_catalogue_names_every_registered_activity_in_Chinese_and_the_palette_finds_it_in_either_language()
    {
        foreach (var descriptor in Registry.All)
        {
            Assert.True(ActivityCatalogue.Knows(descriptor.TypeName), $"{descriptor.TypeName} has no name in the catalogue");
            Assert.NotEqual("other", ActivityCatalogue.Group(descriptor));
        }
        var sequence = Item("Elsa.Sequence");
        Assert.Equal(("顺序执行", "Sequence"), (sequence.Zh, sequence.En));
        Assert.True(sequence.Matches("顺序"));
        Assert.True(sequence.Matches("sequence"));
        Assert.False(sequence.Matches("邮件"));
    }

    [Fact]
    public void A_flow_nodes_body_opens_as_Elsa_Studio_writes_it_and_what_is_added_lands_in_it()
    {
        var document = new DesignerDocument(ElsaJson.Read(Workflows.Flowchart("d",
            Workflows.Start() + """, {"id": "node", "type": "Elsa.FlowNode", "body": {"id": "inner", "type": "Elsa.Flowchart", "activities": [], "connections": []}}""",
            Workflows.Connect("start", "node"))));

        var body = Assert.Single(DesignerDocument.Slots(document.Find("node")!));
        Assert.Null(document.Open(body));
        Assert.True(document.IsFlowchart);
        document.Add(Item("Elsa.WriteLine"), 0, 0);

        var inner = Root(document)["activities"]!.AsArray().Single(a => a!["id"]!.ToString() == "node")!["body"]!;
        Assert.Equal("inner", inner["id"]!.ToString());
        Assert.Equal(["writeline-1"], inner["activities"]!.AsArray().Select(a => a!["id"]!.ToString()));
    }
}

