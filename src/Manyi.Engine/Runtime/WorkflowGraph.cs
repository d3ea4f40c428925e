using System.Collections.Concurrent;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;

namespace Manyi.Engine.Runtime;

/// <summary>
/// A definition version compiled for running: every node bound to its activity, connections indexed, and for
/// each possible start activity an analysis of which connections are loops (back edges) and which inbound
/// connections a node must wait for. Immutable and shared by every instance of the version.
/// </summary>
public sealed class WorkflowGraph
{
    private readonly ConcurrentDictionary<string, FlowAnalysis> _analyses = new();

    internal WorkflowGraph(WorkflowDefinition definition, IReadOnlyDictionary<string, GraphNode> nodes, IReadOnlyList<FlowConnection> connections)
    {
        Definition = definition;
        Nodes = nodes;
        Connections = connections;
    }

    public WorkflowDefinition Definition { get; }
    public IReadOnlyDictionary<string, GraphNode> Nodes { get; }
    public IReadOnlyList<FlowConnection> Connections { get; }

    /// <summary>The start activity when no trigger chose one: an Elsa.Start, the first that can start the workflow, the first without inbound connections.</summary>
    public string? DefaultStartId =>
        Nodes.Values.FirstOrDefault(n => n.Node.Type == "Elsa.Start")?.Node.Id
        ?? Nodes.Values.FirstOrDefault(n => n.Node.CanStartWorkflow)?.Node.Id
        ?? Nodes.Values.FirstOrDefault(n => n.Inbound.Count == 0)?.Node.Id;

    internal FlowAnalysis Analyze(string startId) => _analyses.GetOrAdd(startId, id => FlowAnalysis.Build(this, id));
}

/// <summary>One flowchart node with its bound activity.</summary>
public sealed class GraphNode(ActivityNode node, ActivityDescriptor descriptor, Activity activity, int order)
{
    public ActivityNode Node { get; } = node;
    public ActivityDescriptor Descriptor { get; } = descriptor;
    public Activity Activity { get; } = activity;

    /// <summary>The node's position in the file, which orders the flowchart's traversal.</summary>
    public int Order { get; } = order;

    public List<FlowConnection> Outbound { get; } = [];
    public List<FlowConnection> Inbound { get; } = [];
}

/// <summary>A connection with its index in the flowchart, which identifies it in the instance's token state.</summary>
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

    public static FlowAnalysis Build(WorkflowGraph graph, string startId)
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
    private static HashSet<string> LoopBody(WorkflowGraph graph, FlowConnection backEdge)
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
