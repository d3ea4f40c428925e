using System.Reflection;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Validation;

/// <summary>
/// Validates a definition and compiles it into a runnable <see cref="WorkflowGraph"/>. Every problem is collected,
/// not just the first, each naming the activity and what is wrong.
/// </summary>
public sealed class WorkflowCompiler(ActivityRegistry registry, ExpressionEvaluator evaluator, IServiceProvider services, TimeProvider time,
    Activities.Composition.WorkflowActivityCatalog workflowActivities)
{
    public const string FlowchartType = "Elsa.Flowchart";

    public sealed record Result(WorkflowGraph? Graph, IReadOnlyList<ValidationProblem> Problems)
    {
        public bool IsValid => Graph is not null;
        public IEnumerable<ValidationProblem> Errors => Problems.Where(p => p.Severity == Severity.Error);
    }

    /// <summary>
    /// The graph a published version runs on. No clock check: an instant in the file that has passed since the version
    /// was published (a literal deadline, a start time) is what its timers are about, not a mistake, and a restart
    /// compiles the version again long after its save.
    /// </summary>
    public WorkflowGraph Compile(WorkflowDefinition definition)
    {
        var result = Validate(definition, checkedAt: null);
        return result.Graph ?? throw new WorkflowValidationException(result.Problems);
    }

    /// <summary>Everything wrong with a definition about to be saved or published, literal instants checked against now.</summary>
    public Result Validate(WorkflowDefinition definition) => Validate(definition, time.GetUtcNow());

    private Result Validate(WorkflowDefinition definition, DateTimeOffset? checkedAt)
    {
        var problems = new List<ValidationProblem>();
        CheckVariables(definition, problems);

        var tree = new Tree(definition, problems) { CheckedAt = checkedAt };
        var root = BindTree(tree, definition.Root, null, [], definition.Variables);
        if (root is null)
            return new Result(null, problems);
        if (definition.Root.Type == FlowchartType && definition.Root.Activities is not { Count: > 0 })
            // Elsa publishes an empty flowchart (a workflow being built, a placeholder used as an activity): it finishes at once.
            problems.Add(new ValidationProblem(Severity.Warning, "the flowchart has no activities: an instance finishes as soon as it starts"));

        var graph = new WorkflowGraph(definition, root, tree.Nodes, tree.Flowcharts);
        if (tree.Flowcharts.TryGetValue(root.Node.Id, out var flowchart) && flowchart.Nodes.Count > 0 && problems.All(p => p.Severity != Severity.Error))
        {
            if (flowchart.DefaultStartId is not { } startId)
            {
                problems.Add(new ValidationProblem(Severity.Error,
                    "the workflow has no start: add an Elsa.Start, mark an activity 'canStartWorkflow', or leave one activity without inbound connections"));
            }
            else
            {
                var starts = flowchart.Nodes.Values.Where(n => n.Node.CanStartWorkflow).Select(n => n.Node.Id).Append(startId);
                var reachable = starts.SelectMany(s => flowchart.Analyze(s).Reachable).ToHashSet();
                foreach (var node in flowchart.Nodes.Values.Where(n => !reachable.Contains(n.Node.Id)))
                    problems.Add(new ValidationProblem(Severity.Warning, "the activity cannot be reached from the start and will never run", node.Node.Id, node.Node.Type));
            }
        }

        return new Result(problems.Any(p => p.Severity == Severity.Error) ? null : graph, problems);
    }

    /// <summary>What binding the tree collects: every activity by id (ids are unique across the tree) and every flowchart.</summary>
    private sealed class Tree(WorkflowDefinition definition, List<ValidationProblem> problems)
    {
        public WorkflowDefinition Definition { get; } = definition;
        public List<ValidationProblem> Problems { get; } = problems;

        /// <summary>The instant literal times are checked against; null when compiling to run (no instant has "passed").</summary>
        public DateTimeOffset? CheckedAt { get; init; }
        public Dictionary<string, GraphNode> Nodes { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, FlowchartShape> Flowcharts { get; } = new(StringComparer.Ordinal);
        public int Order { get; set; }

        /// <summary>The workflows being bound as activities around the current node (a workflow must not use itself).</summary>
        public HashSet<string> Using { get; } = new(StringComparer.Ordinal) { definition.DefinitionId };

        public void Error(string message, ActivityNode? node, IReadOnlyList<string> path) =>
            Problems.Add(new ValidationProblem(Severity.Error, message, node?.Id, node?.Type) { Path = path });
    }

    /// <summary>Binds an activity and, for a container, everything it holds; null when the activity itself cannot be bound.</summary>
    private GraphNode? BindTree(Tree tree, ActivityNode node, GraphNode? parent, IReadOnlyList<string> path, IReadOnlyCollection<VariableDefinition> scope)
    {
        if (tree.Nodes.ContainsKey(node.Id))
        {
            tree.Error("the id is used by more than one activity", node, path);
            return null;
        }
        var descriptor = registry.Find(node.Type);
        // Older files use Elsa.Fork in a flowchart with named branch ports: that is the flowchart fork.
        if (descriptor?.ClrType == typeof(Activities.Containers.Fork) && Activities.Containers.Fork.IsFlowchartFork(node))
            descriptor = registry.Find("Elsa.FlowFork");
        Model.WorkflowDefinition? used = null;
        if (descriptor is null && Activities.Composition.WorkflowDefinitionActivity.Reference(node) is var (definitionId, versionId))
        {
            // A workflow used as an activity: the definition it names (or that definition's published version, or the one of its type name).
            used = workflowActivities.Resolve(definitionId, versionId, node.Type);
            if (used is null)
            {
                tree.Error($"the workflow '{definitionId}' it runs as an activity has no published version", node, path);
                return null;
            }
            if (tree.Using.Contains(used.DefinitionId))
            {
                tree.Error($"the workflow '{used.DefinitionId}' uses itself as an activity, which would never end", node, path);
                return null;
            }
            descriptor = registry.Describe(typeof(Activities.Composition.WorkflowDefinitionActivity));
        }
        if (descriptor is null)
        {
            tree.Error($"the activity type '{node.Type}' is unknown", node, path);
            return null;
        }
        var before = tree.Problems.Count;
        var activity = Bind(node, descriptor, scope, tree.Problems, tree.CheckedAt);
        for (var i = before; i < tree.Problems.Count; i++) tree.Problems[i] = tree.Problems[i] with { Path = path };
        if (activity is null) return null;

        try
        {
            Activities.Containers.MergeModes.Parse(node.CustomProperties["mergeMode"]);
        }
        catch (FormatException ex)
        {
            tree.Error($"customProperties.{ex.Message}", node, path);
            return null;
        }
        var bound = new GraphNode(node, descriptor, activity, tree.Order++) { Parent = parent };
        tree.Nodes[node.Id] = bound;
        if (activity is not ContainerActivity container)
        {
            if (node.Activities is { Count: > 0 })
                tree.Error($"the activity holds activities, but '{node.Type}' is not a container", node, path);
            return bound;
        }

        if (container is Activities.Composition.WorkflowDefinitionActivity workflow) workflow.Use(used!);
        IReadOnlyList<ActivityNode> children;
        try
        {
            children = container.BindChildren(node);
        }
        catch (Exception ex) when (ex is ActivityBindingException or Serialization.WorkflowFormatException)
        {
            tree.Error(ex is ActivityBindingException binding ? binding.Problem : ex.Message, node, path);
            return bound;
        }
        if (container is Activities.Containers.Switch @switch)
        {
            var before2 = tree.Problems.Count;
            CheckCases(node, @switch.Conditions, scope, tree.Problems);
            for (var i = before2; i < tree.Problems.Count; i++) tree.Problems[i] = tree.Problems[i] with { Path = path };
        }
        var inner = path.Append(node.Id).ToList();
        var held = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        // A workflow used as an activity sees its own variables only, as it would running on its own.
        var innerScope = used is not null ? used.Variables
            : container.LocalVariables.Count == 0 ? scope : [.. scope, .. container.LocalVariables];
        if (used is not null) tree.Using.Add(used.DefinitionId);
        foreach (var child in children)
            if (BindTree(tree, child, bound, inner, innerScope) is { } boundChild)
                held[child.Id] = boundChild;
        if (used is not null) tree.Using.Remove(used.DefinitionId);
        if (container is Activities.Containers.Flowchart)
            tree.Flowcharts[node.Id] = new FlowchartShape(node.Id, held, Connect(tree, node, held, inner));
        return bound;
    }

    /// <summary>A flowchart's connections, indexed; each one checked against its ends and the source's ports.</summary>
    private static List<FlowConnection> Connect(Tree tree, ActivityNode flowchart, Dictionary<string, GraphNode> nodes, IReadOnlyList<string> path)
    {
        var children = flowchart.Activities ?? [];
        var connections = new List<FlowConnection>();
        foreach (var (connection, index) in (flowchart.Connections ?? []).Select((c, i) => (c, i)))
        {
            var label = $"connection {index + 1} ({connection.Source.Activity}:{connection.Source.Port} → {connection.Target.Activity})";
            var sourceKnown = children.Any(a => a.Id == connection.Source.Activity);
            var targetKnown = children.Any(a => a.Id == connection.Target.Activity);
            if (!sourceKnown || !targetKnown)
            {
                tree.Problems.Add(new ValidationProblem(Severity.Error,
                    $"{label} is dangling: no activity has the id '{(sourceKnown ? connection.Target.Activity : connection.Source.Activity)}'",
                    sourceKnown ? connection.Source.Activity : null) { Path = path });
                continue;
            }
            if (!nodes.TryGetValue(connection.Source.Activity, out var source) || !nodes.TryGetValue(connection.Target.Activity, out var target))
                continue; // the activity itself already has an error
            var outcomes = source.Activity.GetOutcomes();
            if (!outcomes.Contains(connection.Source.Port))
            {
                tree.Error(outcomes.Count == 0
                    ? $"{label} leaves from port '{connection.Source.Port}', but this activity has no outcome ports"
                    : $"{label} leaves from port '{connection.Source.Port}', which is not one of its outcomes ({string.Join(", ", outcomes)})", source.Node, path);
                continue;
            }
            var flow = new FlowConnection(connections.Count, source.Node.Id, connection.Source.Port, target.Node.Id);
            connections.Add(flow);
            source.Outbound.Add(flow);
            target.Inbound.Add(flow);
        }
        return connections;
    }

    private Activity? Bind(ActivityNode node, ActivityDescriptor descriptor, IReadOnlyCollection<VariableDefinition> variables, List<ValidationProblem> problems,
        DateTimeOffset? checkedAt)
    {
        var activity = (Activity)ActivatorUtilities.CreateInstance(services, descriptor.ClrType);
        var ok = true;
        foreach (var input in descriptor.Inputs)
        {
            try
            {
                input.Bind(activity, node);
            }
            catch (ActivityBindingException ex)
            {
                problems.Add(new ValidationProblem(Severity.Error, ex.Problem, node.Id, node.Type, input.Name));
                ok = false;
                continue;
            }

            var json = node.Properties[input.Name];
            if (input.IsExpression)
            {
                var expression = Expression.FromInputProperty(json);
                if (expression is null || expression is { Type: Expression.Literal, Text: null or "" })
                {
                    if (input.Required)
                    {
                        problems.Add(new ValidationProblem(Severity.Error, "is required", node.Id, node.Type, input.Name));
                        ok = false;
                    }
                    else if (input.Property.GetCustomAttribute<InputAttribute>()?.IfEmpty is { } consequence)
                    {
                        problems.Add(new ValidationProblem(Severity.Warning, $"is empty: {consequence}", node.Id, node.Type, input.Name));
                    }
                    continue;
                }
                if (evaluator.Check(expression, variables) is { } problem)
                {
                    problems.Add(new ValidationProblem(Severity.Error, problem, node.Id, node.Type, input.Name));
                    ok = false;
                }
            }
            else if (input.Required && (json is null || input.Property.GetValue(activity) is null))
            {
                problems.Add(new ValidationProblem(Severity.Error, "is required", node.Id, node.Type, input.Name));
                ok = false;
            }
            else if (input.Property.GetValue(activity) is Activities.Primitives.VariableReference reference
                     && !variables.Any(v => v.Name == reference.Name || v.Id == reference.Id))
            {
                problems.Add(new ValidationProblem(Severity.Error,
                    $"refers to the variable '{reference.Name ?? reference.Id}', which the workflow does not declare", node.Id, node.Type, input.Name));
                ok = false;
            }
        }

        // A switch's case conditions are expressions inside a plain input, so the loop above does not see them.
        if (activity is Activities.Flow.FlowSwitch @switch)
            ok &= CheckCases(node, @switch.Cases.Select(c => (c.Label, c.Condition)), variables, problems);

        if (ok)
            foreach (var problem in activity.CheckInputs(checkedAt ?? DateTimeOffset.MinValue))
            {
                problems.Add(new ValidationProblem(Severity.Error, problem.Problem, node.Id, node.Type, problem.Input));
                ok = false;
            }

        if (activity is Activities.Flow.FlowJoin join && join.Mode.Expression.Type != Expression.Literal)
        {
            problems.Add(new ValidationProblem(Severity.Error, "must be a literal WaitAll or WaitAny", node.Id, node.Type, "mode"));
            ok = false;
        }
        return ok ? activity : null;
    }

    private bool CheckCases(ActivityNode node, IEnumerable<(string Label, Expression? Condition)> cases, IReadOnlyCollection<VariableDefinition> variables,
        List<ValidationProblem> problems)
    {
        var ok = true;
        foreach (var (label, condition) in cases)
        {
            if (condition is null || evaluator.Check(condition, variables) is not { } problem) continue;
            problems.Add(new ValidationProblem(Severity.Error, $"case '{label}': {problem}", node.Id, node.Type, "cases"));
            ok = false;
        }
        return ok;
    }

    private static void CheckVariables(WorkflowDefinition definition, List<ValidationProblem> problems)
    {
        foreach (var group in definition.Variables.GroupBy(v => v.Name).Where(g => g.Count() > 1))
            problems.Add(new ValidationProblem(Severity.Error, $"the variable '{group.Key}' is declared more than once"));
        foreach (var variable in definition.Variables.Where(v => v.Value is { Length: > 0 } && !v.IsArray))
        {
            try
            {
                ValueConverter.Convert(variable.Value, TypeNames.ToClr(variable.TypeName));
            }
            catch (InvalidCastException ex)
            {
                problems.Add(new ValidationProblem(Severity.Error, $"the variable '{variable.Name}' has an initial value that is not a {variable.TypeName}: {ex.Message}"));
            }
        }
    }
}
