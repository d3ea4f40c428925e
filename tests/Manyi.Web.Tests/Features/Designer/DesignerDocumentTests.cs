using System.Text.Json.Nodes;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Serialization;
using Manyi.Web.Features.Designer;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Designer;

/// <summary>The designer's model: commands, undo/redo, fresh ids, ports and positions.</summary>
public sealed class DesignerDocumentTests
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddManyiEngine().Services.BuildServiceProvider();
    private static ActivityRegistry Registry => Services.GetRequiredService<ActivityRegistry>();

    private static DesignerDocument Open(string json) => new(ElsaJson.Read(json));

    [Fact]
    public void Undo_puts_back_exactly_what_was_there_and_redo_the_change_again()
    {
        var document = Open(Workflows.Flowchart("d", $"{Workflows.Start()}, {Workflows.WriteLine("say", "hi")}", Workflows.Connect("start", "say")));
        var opened = ElsaJson.Write(document.Definition);

        var added = document.Add(PaletteItem.Of(Registry.Find("Elsa.WriteLine")!), 100, 200);
        document.Connect("say", "Done", added.Id);
        document.Delete("start");
        Assert.Equal(["say", "writeline-1"], document.Activities.Select(a => a.Id));
        Assert.Equal([("say", "writeline-1")], document.Connections.Select(c => (c.Source.Activity, c.Target.Activity)));

        document.Undo();
        document.Undo();
        document.Undo();
        Assert.Equal(opened, ElsaJson.Write(document.Definition));
        Assert.False(document.IsDirty);
        Assert.False(document.CanUndo);

        document.Redo();
        Assert.Equal(["start", "say", "writeline-1"], document.Activities.Select(a => a.Id));
        Assert.True(document.IsDirty);
        Assert.Equal((100d, 200d), DesignerDocument.Position(document.Find("writeline-1")!));
    }

    [Fact]
    public void New_activities_get_ids_no_activity_has_and_renaming_follows_the_connections()
    {
        var document = Open(Workflows.Flowchart("d", $"{Workflows.Start()}, {Workflows.WriteLine("writeline-1", "hi")}", Workflows.Connect("start", "writeline-1")));
        Assert.Equal("writeline-2", document.Add(PaletteItem.Of(Registry.Find("Elsa.WriteLine")!), 0, 0).Id);
        Assert.Equal("sendemail-1", document.NewId("Elsa.SendEmail"));

        Assert.NotNull(document.Rename("writeline-1", "start"));
        Assert.Null(document.Rename("writeline-1", "greet"));
        Assert.Equal("greet", Assert.Single(document.Connections).Target.Activity);
    }

    [Fact]
    public void An_Elsa_3_0_file_keeps_its_flat_connections_through_a_rename_and_a_new_connection()
    {
        var document = Open(Workflows.Flowchart("d",
            $"{Workflows.Start()}, {Workflows.WriteLine("say", "hi")}, {Workflows.WriteLine("bye", "bye")}",
            """{"source": "start", "sourcePort": "Done", "target": "say", "targetPort": "In", "label": "kept"}"""));

        document.Rename("say", "greet");
        document.Connect("greet", "Done", "bye");

        var connections = JsonNode.Parse(ElsaJson.Write(document.Definition))!["root"]!["connections"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [
              {"source": "start", "sourcePort": "Done", "target": "greet", "targetPort": "In", "label": "kept"},
              {"source": "greet", "target": "bye", "sourcePort": "Done", "targetPort": "In", "vertices": []}
            ]
            """), connections), connections.ToJsonString());
    }

    [Fact]
    public void A_tasks_ports_are_its_outcomes_and_Overdue_and_a_forks_its_branches()
    {
        var document = Open(Workflows.Flowchart("d", """
            {"id": "report", "type": "Manyi.UserTask", "outcomes": ["Submitted", "Returned"]},
            {"id": "fork", "type": "Elsa.FlowFork", "branches": {"typeName": "String[]", "expression": {"type": "Literal", "value": ["a", "b"]}}}
            """, ""));
        Assert.Equal(["Submitted", "Returned", "Overdue"], DesignerDocument.Ports(document.Find("report")!, Registry.Find("Manyi.UserTask"), Services, document.Connections));
        Assert.Equal(["a", "b"], DesignerDocument.Ports(document.Find("fork")!, Registry.Find("Elsa.FlowFork"), Services, document.Connections));
    }

    [Fact]
    public void A_file_without_positions_is_laid_out_in_layers_and_positions_land_in_Elsas_designer_metadata()
    {
        var document = Open(Workflows.Flowchart("d", $"{Workflows.Start()}, {Workflows.WriteLine("a", "1")}, {Workflows.WriteLine("b", "2")}",
            $"{Workflows.Connect("start", "a")}, {Workflows.Connect("a", "b")}"));
        var ys = document.Activities.Select(a => DesignerDocument.Position(a)!.Value.Y).ToList();
        Assert.True(ys[0] < ys[1] && ys[1] < ys[2], string.Join(", ", ys));
        var written = JsonNode.Parse(ElsaJson.Write(document.Definition))!["root"]!["activities"]![1]!["metadata"]!["designer"]!;
        Assert.NotNull(written["position"]!["x"]);
        Assert.NotNull(written["position"]!["y"]);
    }

    /// <summary>Issue 21, item 7: a long chain is not one tall column — it is cut into bands side by side, about as wide as a screen.</summary>
    [Fact]
    public void A_long_chain_laid_out_again_uses_the_width_and_keeps_no_box_on_another()
    {
        var ids = Enumerable.Range(1, 24).Select(i => $"step{i}").ToList();
        var document = Open(Workflows.Flowchart("d", string.Join(", ", ids.Select(id => Workflows.WriteLine(id, id))),
            string.Join(", ", ids.Zip(ids.Skip(1)).Select(p => Workflows.Connect(p.First, p.Second)))));
        document.PlaceUnpositioned(force: true);

        var boxes = DesignerDocument.Boxes(document.Activities);
        var width = boxes.Max(b => b.X + b.W) - boxes.Min(b => b.X);
        var height = boxes.Max(b => b.Y + b.H) - boxes.Min(b => b.Y);
        Assert.True(width > height, $"the chain is {width} wide and {height} tall");
        Assert.Empty(Overlaps(boxes));
        // Read in order: down a band, then on at the top of the next one to the right.
        var first = DesignerDocument.Position(document.Find("step1")!)!.Value;
        var second = DesignerDocument.Position(document.Find("step2")!)!.Value;
        var last = DesignerDocument.Position(document.Find("step24")!)!.Value;
        Assert.True(second.Y > first.Y && last.X > first.X, $"step1 {first}, step2 {second}, step24 {last}");
    }

    [Fact]
    public void Opening_keeps_the_positions_set_by_hand_and_places_the_others_where_no_box_stands()
    {
        var placed = """, "metadata": {"designer": {"position": {"x": 0, "y": 0}, "size": {"width": 220, "height": 56}}}}""";
        var document = Open(Workflows.Flowchart("d",
            $"{Workflows.Start()[..^1]}{placed}, {Workflows.WriteLine("a", "1")[..^1]}{placed.Replace("\"y\": 0", "\"y\": 150")}, {Workflows.WriteLine("b", "2")}, {Workflows.WriteLine("c", "3")}",
            $"{Workflows.Connect("start", "a")}, {Workflows.Connect("a", "b")}, {Workflows.Connect("b", "c")}"));
        Assert.Equal((0d, 0d), DesignerDocument.Position(document.Find("start")!));
        Assert.Equal((0d, 150d), DesignerDocument.Position(document.Find("a")!));
        Assert.Empty(Overlaps(DesignerDocument.Boxes(document.Activities)));
    }

    /// <summary>Issue 21, item 7: click-to-add puts each new activity in free space below the selected one, never on another.</summary>
    [Fact]
    public void Activities_added_near_the_selected_one_land_in_free_space()
    {
        var document = Open(Workflows.Flowchart("d", $"{Workflows.Start()}, {Workflows.WriteLine("a", "1")}, {Workflows.WriteLine("b", "2")}",
            $"{Workflows.Connect("start", "a")}, {Workflows.Connect("a", "b")}"));
        var start = DesignerDocument.Position(document.Find("start")!)!.Value;
        var item = PaletteItem.Of(Registry.Find("Elsa.WriteLine")!);
        for (var i = 0; i < 3; i++)
        {
            var (x, y) = document.PlaceForNew("start", (0, 0));
            document.Add(item, x, y);
        }
        Assert.Empty(Overlaps(DesignerDocument.Boxes(document.Activities)));
        var first = DesignerDocument.Position(document.Find("writeline-1")!)!.Value;
        Assert.True(Math.Abs(first.X - start.X) + Math.Abs(first.Y - start.Y) < 700, $"the first added is at {first}, far from the start at {start}");
    }

    private static List<string> Overlaps(List<(double X, double Y, double W, double H)> boxes) =>
        [.. from a in boxes.Select((b, i) => (b, i)) from b in boxes.Select((b, i) => (b, i))
            where a.i < b.i && a.b.X < b.b.X + b.b.W && b.b.X < a.b.X + a.b.W && a.b.Y < b.b.Y + b.b.H && b.b.Y < a.b.Y + a.b.H
            select $"{a.b} on {b.b}"];

    [Theory]
    [InlineData("workflows/participant.json")]
    [InlineData("workflows/campaign.json")]
    public async Task Every_connection_of_the_shipped_workflows_leaves_from_a_port_the_designer_draws(string file)
    {
        // The app's own registry: the campaign's and the e-mail's activities are registered by their modules.
        await using var app = await ManyiApp.StartAsync("sqlite");
        var registry = app.Services.GetRequiredService<ActivityRegistry>();
        var document = Open(await File.ReadAllTextAsync(Workflows.RepositoryFilePath(file), TestContext.Current.CancellationToken));
        foreach (var connection in document.Connections)
        {
            var source = document.Find(connection.Source.Activity)!;
            var descriptor = registry.Find(source.Type);
            Assert.NotNull(descriptor);
            var ports = DesignerDocument.Ports(source, descriptor, app.Services, []);
            Assert.Contains(connection.Source.Port, ports);
        }
        Assert.All(document.Activities, a => Assert.NotNull(DesignerDocument.Position(a)));
    }
}
