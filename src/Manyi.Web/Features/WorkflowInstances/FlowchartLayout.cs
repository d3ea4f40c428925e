using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;

using Manyi.Web.Components;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// Where a flowchart's activities and connections go in a drawing: at the designer's positions
/// (<c>metadata.designer.position</c>, and <c>size</c>) when every activity has one, else in layers from top to bottom
/// (each activity one layer below the lowest activity that leads to it, loops drawn back up at the side).
/// </summary>
public static class FlowchartLayout
{
    public const double NodeWidth = 200, NodeHeight = 56, LayerGap = 70, ColumnGap = 40, Margin = 24;

    /// <summary>Room right of the activities for connections that go back up and their labels.</summary>
    private const double SideRoom = 110;

    public static FlowchartDrawing Draw(ActivityNode root)
    {
        var activities = root.Activities ?? [root];
        var ids = activities.Select(a => a.Id).ToHashSet();
        var connections = (root.Connections ?? []).Where(c => ids.Contains(c.Source.Activity) && ids.Contains(c.Target.Activity)).ToList();
        var boxes = (activities.All(a => DesignerBox(a) is not null)
            ? activities.ToDictionary(a => a.Id, a => DesignerBox(a)!.Value)
            : Layered(activities, connections));

        // Shift so the drawing starts at the margin whatever the designer's origin.
        var minX = boxes.Values.Select(b => b.X).DefaultIfEmpty(0).Min();
        var minY = boxes.Values.Select(b => b.Y).DefaultIfEmpty(0).Min();
        var nodes = activities.Select(a =>
        {
            var box = boxes[a.Id];
            return new DrawnNode(a.Id, ActivityTree.ShownName(a), a.Type, Title(a), box.X - minX + Margin, box.Y - minY + Margin, box.W, box.H);
        }).ToList();
        var byId = nodes.ToDictionary(n => n.Id);

        var edges = new List<DrawnEdge>();
        foreach (var (connection, index) in connections.Select((c, i) => (c, i)))
        {
            var source = byId[connection.Source.Activity];
            var target = byId[connection.Target.Activity];
            var outbound = connections.Where(c => c.Source.Activity == source.Id).ToList();
            var slot = outbound.IndexOf(connection);
            var sx = source.X + source.Width * (slot + 1) / (outbound.Count + 1);
            var sy = source.Y + source.Height;
            var tx = target.X + target.Width / 2;
            var ty = target.Y;
            string path;
            double lx, ly;
            if (ty > sy + 4)
            {
                var bend = Math.Max(24, (ty - sy) / 2);
                path = $"M {F(sx)} {F(sy)} C {F(sx)} {F(sy + bend)}, {F(tx)} {F(ty - bend)}, {F(tx)} {F(ty)}";
                lx = (sx + tx) / 2 + 4;
                ly = sy + Math.Min(22, (ty - sy) / 2);
            }
            else
            {
                // Back up (a loop) or sideways: out of the source's right side, round, into the target's right side.
                var x1 = source.X + source.Width;
                var y1 = source.Y + source.Height / 2;
                var x2 = target.X + target.Width;
                var y2 = target.Y + target.Height / 2 + 8;
                var reach = Math.Max(x1, x2) + 50 + 10 * (index % 3);
                path = $"M {F(x1)} {F(y1)} C {F(reach)} {F(y1)}, {F(reach)} {F(y2)}, {F(x2)} {F(y2)}";
                lx = reach - 12;
                ly = (y1 + y2) / 2;
            }
            edges.Add(new DrawnEdge(source.Id, target.Id, connection.Source.Port, path, lx, ly));
        }

        var width = nodes.Select(n => n.X + n.Width).DefaultIfEmpty(0).Max() + SideRoom + Margin;
        var height = nodes.Select(n => n.Y + n.Height).DefaultIfEmpty(0).Max() + Margin;
        return new FlowchartDrawing(width, height, nodes, edges);
    }

    private static (double X, double Y, double W, double H)? DesignerBox(ActivityNode activity)
    {
        if (activity.Metadata["designer"] is not JsonObject designer || designer["position"] is not JsonObject position) return null;
        if (Number(position["x"]) is not { } x || Number(position["y"]) is not { } y) return null;
        var size = designer["size"] as JsonObject;
        return (x, y, Number(size?["width"]) is double w and > 0 ? w : NodeWidth, Number(size?["height"]) is double h and > 0 ? h : NodeHeight);
    }

    private static double? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    /// <summary>
    /// Layers by longest path over the forward connections (a depth-first search from the activities nothing leads to,
    /// in file order, marks the connections that close loops); within a layer, ordered by where their predecessors stand.
    /// </summary>
    private static Dictionary<string, (double X, double Y, double W, double H)> Layered(List<ActivityNode> activities, List<Connection> connections)
    {
        var order = activities.Select((a, i) => (a.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var outbound = activities.ToDictionary(a => a.Id, _ => new List<string>());
        foreach (var c in connections) outbound[c.Source.Activity].Add(c.Target.Activity);

        var back = new HashSet<(string, string)>();
        var state = new Dictionary<string, int>(); // 1 on the stack, 2 done
        var hasInbound = connections.Select(c => c.Target.Activity).ToHashSet();
        foreach (var root in activities.Where(a => !hasInbound.Contains(a.Id)).Concat(activities).Select(a => a.Id))
        {
            if (state.ContainsKey(root)) continue;
            var stack = new Stack<(string Node, int Next)>([(root, 0)]);
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next >= outbound[node].Count) { state[node] = 2; continue; }
                stack.Push((node, next + 1));
                var target = outbound[node][next];
                if (state.GetValueOrDefault(target) == 1) back.Add((node, target));
                else if (!state.ContainsKey(target)) { state[target] = 1; stack.Push((target, 0)); }
            }
        }

        var forward = connections.Select(c => (c.Source.Activity, c.Target.Activity)).Where(e => !back.Contains(e)).Distinct().ToList();
        var layer = activities.ToDictionary(a => a.Id, _ => 0);
        var indegree = activities.ToDictionary(a => a.Id, a => forward.Count(e => e.Item2 == a.Id));
        var ready = new Queue<string>(activities.Where(a => indegree[a.Id] == 0).Select(a => a.Id));
        while (ready.Count > 0)
        {
            var node = ready.Dequeue();
            foreach (var (_, target) in forward.Where(e => e.Item1 == node))
            {
                layer[target] = Math.Max(layer[target], layer[node] + 1);
                if (--indegree[target] == 0) ready.Enqueue(target);
            }
        }

        var column = new Dictionary<string, double>();
        var layers = layer.GroupBy(p => p.Value).OrderBy(g => g.Key).ToList();
        foreach (var group in layers)
        {
            var ordered = group.Select(p => p.Key)
                .OrderBy(id => forward.Where(e => e.Item2 == id && column.ContainsKey(e.Item1)).Select(e => column[e.Item1]).DefaultIfEmpty(double.MaxValue).Average())
                .ThenBy(id => order[id])
                .ToList();
            for (var i = 0; i < ordered.Count; i++) column[ordered[i]] = i;
        }
        var widest = layers.Select(g => g.Count()).DefaultIfEmpty(1).Max();
        var boxes = new Dictionary<string, (double, double, double, double)>();
        foreach (var group in layers)
        {
            var count = group.Count();
            var indent = (widest - count) * (NodeWidth + ColumnGap) / 2;
            foreach (var (id, _) in group)
                boxes[id] = (indent + column[id] * (NodeWidth + ColumnGap), group.Key * (NodeHeight + LayerGap), NodeWidth, NodeHeight);
        }
        return boxes;
    }

    /// <summary>A task's literal title (e.g. 培训人数报送 Headcount report), shown as the box's tooltip; null when not written out.</summary>
    public static string? Title(ActivityNode activity) => ActivityTree.Literal(activity, "title");

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

public sealed record FlowchartDrawing(double Width, double Height, IReadOnlyList<DrawnNode> Nodes, IReadOnlyList<DrawnEdge> Edges);

public sealed record DrawnNode(string Id, string Name, string Type, string? Title, double X, double Y, double Width, double Height)
{
    /// <summary>The type without its namespace: <c>Manyi.UserTask</c> → <c>UserTask</c>.</summary>
    public string ShortType => Type[(Type.LastIndexOf('.') + 1)..];

    /// <summary>What people call the node (<see cref="ActivityTree.ShownName"/>).</summary>
    public string Label => Name;
}

public sealed record DrawnEdge(string Source, string Target, string Port, string Path, double LabelX, double LabelY);
