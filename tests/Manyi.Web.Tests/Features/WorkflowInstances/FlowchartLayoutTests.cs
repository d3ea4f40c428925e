using Manyi.Engine.Serialization;
using Manyi.Web.Features.WorkflowInstances;

namespace Manyi.Web.Tests.Features.WorkflowInstances;

/// <summary>Where the instance viewer draws a flowchart's activities: the designer's positions, else layers.</summary>
public sealed class FlowchartLayoutTests
{
    [Fact]
    public void Designer_positions_are_kept_shifted_to_the_margin()
    {
        var definition = ElsaJson.Read(File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "participant.json")));

        var drawing = FlowchartLayout.Draw(definition.Root);

        Assert.Equal(definition.Root.Activities!.Count, drawing.Nodes.Count);
        Assert.Equal(definition.Root.Connections!.Count, drawing.Edges.Count);
        var start = drawing.Nodes.Single(n => n.Id == "start");
        var headcount = drawing.Nodes.Single(n => n.Id == "headcount");
        var incomplete = drawing.Nodes.Single(n => n.Id == "incomplete");
        // participant.json is stored in the designer's wrapped layout: bands side by side, the start 132 px in.
        Assert.Equal((FlowchartLayout.Margin + 132, FlowchartLayout.Margin, 220d, 56d), (start.X, start.Y, start.Width, start.Height));
        Assert.Equal((FlowchartLayout.Margin + 132, FlowchartLayout.Margin + 120), (headcount.X, headcount.Y));
        Assert.Equal((FlowchartLayout.Margin + 1512, FlowchartLayout.Margin + 600), (incomplete.X, incomplete.Y));
        Assert.Equal("培训人数报送 Headcount report", headcount.Name);
        Assert.Equal("UserTask", headcount.ShortType);
        Assert.Equal("培训人数报送 Headcount report", headcount.Title);
        Assert.True(drawing.Width >= incomplete.X + incomplete.Width && drawing.Height >= incomplete.Y + incomplete.Height);
        // The return loop (a notice of return, back up to the submission) goes round the side, labelled with its port.
        var back = drawing.Edges.Single(e => e.Source == "tell-returned" && e.Target == "submission");
        Assert.Equal("Done", back.Port);
        Assert.True(back.LabelX > drawing.Nodes.Single(n => n.Id == "tell-returned").X + 220);
    }

    [Fact]
    public void Without_positions_activities_go_in_layers_below_what_leads_to_them_and_a_loop_goes_back_at_the_side()
    {
        var definition = ElsaJson.Read(Workflows.Flowchart("layered",
            $"{Workflows.Start()}, {Workflows.WriteLine("a", "a")}, {Workflows.WriteLine("b", "b")}, {Workflows.WriteLine("c", "c")}, {Workflows.WriteLine("lonely", "x")}",
            $"{Workflows.Connect("start", "a")}, {Workflows.Connect("start", "b")}, {Workflows.Connect("a", "c")}, {Workflows.Connect("b", "c")}, {Workflows.Connect("c", "a", "Again")}"));

        var drawing = FlowchartLayout.Draw(definition.Root);

        var y = drawing.Nodes.ToDictionary(n => n.Id, n => n.Y);
        Assert.Equal(y["a"], y["b"]);
        Assert.True(y["start"] < y["a"] && y["a"] < y["c"], $"start {y["start"]}, a {y["a"]}, c {y["c"]}");
        var a = drawing.Nodes.Single(n => n.Id == "a");
        var b = drawing.Nodes.Single(n => n.Id == "b");
        Assert.True(a.X < b.X, "siblings keep their file order");
        Assert.All(drawing.Nodes, n => Assert.True(n.X >= FlowchartLayout.Margin && n.Y >= FlowchartLayout.Margin));
        Assert.Equal(drawing.Nodes.Count, drawing.Nodes.Select(n => (n.X, n.Y)).Distinct().Count());
        var loop = drawing.Edges.Single(e => e.Port == "Again");
        Assert.True(loop.LabelX > drawing.Nodes.Max(n => n.X), "the loop's label is right of the boxes");
        Assert.StartsWith("M ", loop.Path);
    }

    /// <summary>
    /// A box says what a person calls the activity, never its script name (<c>NoticeEmail</c>) or id: a written-out
    /// title, else its stage's name (a title with Liquid in it), else its type's name in the catalogue.
    /// </summary>
    [Fact]
    public void Boxes_are_named_for_people_not_by_their_script_names()
    {
        var definition = ElsaJson.Read(File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "campaign.json")));

        var names = FlowchartLayout.Draw(definition.Root).Nodes.ToDictionary(n => n.Id, n => n.Label);

        Assert.Equal("活动通知", names["notice"]);
        Assert.Equal("评级结果发布", names["publish"]);
        Assert.Equal(Manyi.Web.Features.Designer.ActivityCatalogue.Label("Manyi.NotifyOrganizations"), names["send-notice"]);
        Assert.Equal(Manyi.Web.Features.Designer.ActivityCatalogue.Label("Elsa.DispatchWorkflow"), names["participants"]);
        Assert.All(names.Values, name => Assert.DoesNotMatch("^[A-Za-z]+$", name));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "workflows")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");
    }
}
