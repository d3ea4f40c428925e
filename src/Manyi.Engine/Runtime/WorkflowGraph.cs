using System.Collections.Concurrent;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// A definition version compiled for running: every activity of the tree (containers and what they hold, to any
/// depth) bound to its activity, and for each flowchart its connections indexed and, per start activity, an
/// analysis of which connections are loops (back edges) and which inbound connections a node must wait for.
/// Immutable and shared by every instance of the version.
/// </summary>
public sealed class WorkflowGraph
{
    internal WorkflowGraph(WorkflowDefinition definition, GraphNode root, IReadOnlyDictionary<string, GraphNode> nodes,
        IReadOnlyDictionary<string, FlowchartShape> flowcharts)
    {
        Definition = definition;
        Root = root;
        Nodes = nodes;
        Flowcharts = flowcharts;
    }

    public WorkflowDefinition Definition { get; }

    /// <summary>The root activity (usually a flowchart; any activity may be the root).</summary>
    public GraphNode Root { get; }

    /// <summary>Every activity of the tree by id, the root and containers included.</summary>
    public IReadOnlyDictionary<string, GraphNode> Nodes { get; }

    /// <summary>Every flowchart of the tree by its activity id.</summary>
    public IReadOnlyDictionary<string, FlowchartShape> Flowcharts { get; }

    /// <summary>The root flowchart's connections (none when the root is not a flowchart).</summary>
    public IReadOnlyList<FlowConnection> Connections => Flowcharts.GetValueOrDefault(Root.Node.Id)?.Connections ?? [];

    /// <summary>
    /// The start activity when no trigger chose one: in a root flowchart an Elsa.Start, the first that can start the
    /// workflow, the first without inbound connections; any other root starts itself.
    /// </summary>
    public string? DefaultStartId => Flowcharts.TryGetValue(Root.Node.Id, out var flowchart) ? flowchart.DefaultStartId : Root.Node.Id;

    /// <summary>The ids of the containers that hold an activity, outermost first (the root included, the activity not).</summary>
    public IReadOnlyList<string> PathOf(string activityId)
    {
        var path = new List<string>();
        for (var node = Nodes.GetValueOrDefault(activityId)?.Parent; node is not null; node = node.Parent)
            path.Insert(0, node.Node.Id);
        return path;
    }

    /// <summary>
    /// Where inside nested containers an instance waits on a bookmark: the containers (ids, outermost first) around
    /// the execution context that owns it, as the instance's state has them (an iteration of a loop included).
    /// </summary>
    public IReadOnlyList<string> WaitingPath(WorkflowInstance instance, Bookmark bookmark)
    {
        var state = instance.State;
        if (!state.BookmarkOwners.TryGetValue(bookmark.Id, out var ownerId) || state.FindContext(ownerId) is not { } context)
            return PathOf(bookmark.ActivityId);
        var path = new List<string>();
        for (var owner = context.ParentId is null ? null : state.FindContext(context.ParentId); owner is not null;
             owner = owner.ParentId is null ? null : state.FindContext(owner.ParentId))
            path.Insert(0, owner.ActivityId ?? Root.Node.Id);
        return path;
    }
}

/// <summary>One activity of the tree with its bound activity and its place in it.</summary>
public sealed class GraphNode(ActivityNode node, ActivityDescriptor descriptor, Activity activity, int order)
{
    public ActivityNode Node { get; } = node;
    public ActivityDescriptor Descriptor { get; } = descriptor;
    public Activity Activity { get; } = activity;

    /// <summary>The node's position in the file (depth first), which orders a flowchart's traversal.</summary>
    public int Order { get; } = order;

    /// <summary>The container that holds this activity; null for the root.</summary>
    public GraphNode? Parent { get; internal set; }

    /// <summary>Flowchart connections, when the parent is a flowchart.</summary>
    public List<FlowConnection> Outbound { get; } = [];
    public List<FlowConnection> Inbound { get; } = [];
}

/// <summary>A flowchart of the tree: its activities, its connections and their loop and join analysis per start.</summary>
public sealed class FlowchartShape
{
    private readonly ConcurrentDictionary<string, FlowAnalysis> _analyses = new();

    internal FlowchartShape(string id, IReadOnlyDictionary<string, GraphNode> nodes, IReadOnlyList<FlowConnection> connections)
    {
        Id = id;
        Nodes = nodes;
        Connections = connections;
        MergeModes = nodes.ToDictionary(n => n.Key, n => Activities.Containers.MergeModes.Parse(n.Value.Node.CustomProperties["mergeMode"])
            ?? Activities.Containers.MergeMode.Stream);
    }

    /// <summary>Each activity's merge mode (how it takes tokens from several inbound connections).</summary>
    internal IReadOnlyDictionary<string, Activities.Containers.MergeMode> MergeModes { get; }

    public string Id { get; }

    /// <summary>The flowchart's own activities (not what they hold) by id.</summary>
    public IReadOnlyDictionary<string, GraphNode> Nodes { get; }

    public IReadOnlyList<FlowConnection> Connections { get; }

    /// <summary>An Elsa.Start, else the first activity that can start the workflow, else the first without inbound connections.</summary>
    public string? DefaultStartId =>
        Nodes.Values.FirstOrDefault(n => n.Node.Type == "Elsa.Start")?.Node.Id
        ?? Nodes.Values.FirstOrDefault(n => n.Node.CanStartWorkflow)?.Node.Id
        ?? Nodes.Values.FirstOrDefault(n => n.Inbound.Count == 0)?.Node.Id;

    internal FlowAnalysis Analyze(string startId) => _analyses.GetOrAdd(startId, id => FlowAnalysis.Build(this, id));
}

/// <summary>A connection with its index in its flowchart, which identifies it in the flowchart context's token state.</summary>
public sealed record FlowConnection(int Index, string Source, string SourcePort, string Target);

/// <summary>Loop and join structure as seen from one start activity.</summary>
internal sealed class FlowAnalysis
{
    public required HashSet<int> BackEdges { get; init; }
    public required HashSet<string> Reachable { get; init; }

    /// <summary>Per node, the inbound connections it waits for: forward connections from reachable nodes.</summary>
    public required Dictionary<string, int[]> WaitFor { get; init; }

    /// <summary>Per node, every node from which it can be reached along forward connections.</summary>
    public required Dictionary<string, HashSet<string>> Ancestors { get; init; }

    /// <summary>Per connection that leaves one or more loops, the bodies of the loops it leaves.</summary>
    public required Dictionary<int, List<HashSet<string>>> LoopsExited { get; init; }

    public static FlowAnalysis Build(FlowchartShape graph, string startId)
    {
        var backEdges = new HashSet<int>();
        var reachable = new HashSet<string>();
        var onStack = new HashSet<string>();

        // Iterative depth-first search: a connection into a node still on the stack closes a loop.
        var stack = new Stack<(string Node, int Next)>();
        stack.Push((startId, 0));
        reachable.Add(startId);
        onStack.Add(startId);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var outbound = graph.Nodes[node].Outbound;
            if (next >= outbound.Count)
            {
                onStack.Remove(node);
                continue;
            }
            stack.Push((node, next + 1));
            var connection = outbound[next];
            if (onStack.Contains(connection.Target))
                backEdges.Add(connection.Index);
            else if (reachable.Add(connection.Target))
            {
                onStack.Add(connection.Target);
                stack.Push((connection.Target, 0));
            }
        }

        var waitFor = graph.Nodes.Values.ToDictionary(
            n => n.Node.Id,
            n => n.Inbound.Where(c => !backEdges.Contains(c.Index) && reachable.Contains(c.Source)).Select(c => c.Index).ToArray());

        var ancestors = new Dictionary<string, HashSet<string>>();
        foreach (var id in graph.Nodes.Keys)
        {
            var seen = new HashSet<string>();
            var pending = new Stack<string>([id]);
            while (pending.Count > 0)
                foreach (var index in waitFor[pending.Pop()])
                    if (seen.Add(graph.Connections[index].Source))
                        pending.Push(graph.Connections[index].Source);
            ancestors[id] = seen;
        }

        var loopsExited = new Dictionary<int, List<HashSet<string>>>();
        foreach (var body in backEdges.Select(b => LoopBody(graph, graph.Connections[b])))
            foreach (var connection in graph.Connections.Where(c => body.Contains(c.Source) && !body.Contains(c.Target)))
            {
                if (!loopsExited.TryGetValue(connection.Index, out var loops))
                    loopsExited[connection.Index] = loops = [];
                loops.Add(body);
            }

        return new FlowAnalysis { BackEdges = backEdges, Reachable = reachable, WaitFor = waitFor, Ancestors = ancestors, LoopsExited = loopsExited };
    }

    /// <summary>
    /// The natural loop of a back edge: its header (the edge's target) and every node that reaches the edge's source
    /// without passing the header, among the nodes the header reaches.
    /// </summary>
    private static HashSet<string> LoopBody(FlowchartShape graph, FlowConnection backEdge)
    {
        var fromHeader = new HashSet<string> { backEdge.Target };
        var forward = new Stack<string>([backEdge.Target]);
        while (forward.Count > 0)
            foreach (var connection in graph.Nodes[forward.Pop()].Outbound)
                if (fromHeader.Add(connection.Target))
                    forward.Push(connection.Target);

        var body = new HashSet<string> { backEdge.Target };
        var backward = new Stack<string>([backEdge.Source]);
        while (backward.Count > 0)
        {
            var node = backward.Pop();
            if (!fromHeader.Contains(node) || !body.Add(node)) continue;
            foreach (var connection in graph.Nodes[node].Inbound)
                backward.Push(connection.Source);
        }
        return body;
    }
}
