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
public sealed class WorkflowCompiler(ActivityRegistry registry, ExpressionEvaluator evaluator, IServiceProvider services, TimeProvider time)
{
    public const string FlowchartType = "Elsa.Flowchart";

    public sealed record Result(WorkflowGraph? Graph, IReadOnlyList<ValidationProblem> Problems)
    {
        public bool IsValid => Graph is not null;
        public IEnumerable<ValidationProblem> Errors => Problems.Where(p => p.Severity == Severity.Error);
    }

    public WorkflowGraph Compile(WorkflowDefinition definition)
    {
        var result = Validate(definition);
        return result.Graph ?? throw new WorkflowValidationException(result.Problems);
    }

    public Result Validate(WorkflowDefinition definition)
    {
        var problems = new List<ValidationProblem>();
        void Error(string message, ActivityNode? node = null, string? input = null) =>
            problems.Add(new ValidationProblem(Severity.Error, message, node?.Id, node?.Type, input));

        var root = definition.Root;
        if (root.Type != FlowchartType || root.Activities is null)
        {
            Error($"the root activity must be an {FlowchartType}, not '{root.Type}'", root);
            return new Result(null, problems);
        }

        CheckVariables(definition, problems);

        var nodes = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        var order = 0;
        foreach (var node in root.Activities)
        {
            if (nodes.ContainsKey(node.Id))
            {
                Error("the id is used by more than one activity", node);
                continue;
            }
            if (node.Activities is not null)
            {
                Error("nested containers are not supported; put the activities in the root flowchart", node);
                continue;
            }
            var descriptor = registry.Find(node.Type);
            if (descriptor is null)
            {
                Error($"the activity type '{node.Type}' is unknown", node);
                continue;
            }
            var activity = Bind(node, descriptor, definition.Variables, problems);
            if (activity is not null)
                nodes[node.Id] = new GraphNode(node, descriptor, activity, order++);
        }

        var connections = new List<FlowConnection>();
        foreach (var (connection, index) in root.Connections!.Select((c, i) => (c, i)))
        {
            var label = $"connection {index + 1} ({connection.Source.Activity}:{connection.Source.Port} → {connection.Target.Activity})";
            var sourceKnown = root.Activities.Any(a => a.Id == connection.Source.Activity);
            var targetKnown = root.Activities.Any(a => a.Id == connection.Target.Activity);
            if (!sourceKnown || !targetKnown)
            {
                problems.Add(new ValidationProblem(Severity.Error,
                    $"{label} is dangling: no activity has the id '{(sourceKnown ? connection.Target.Activity : connection.Source.Activity)}'",
                    sourceKnown ? connection.Source.Activity : null));
                continue;
            }
            if (!nodes.TryGetValue(connection.Source.Activity, out var source) || !nodes.TryGetValue(connection.Target.Activity, out var target))
                continue; // the activity itself already has an error
            var outcomes = source.Activity.GetOutcomes();
            if (!outcomes.Contains(connection.Source.Port))
            {
                Error(outcomes.Count == 0
                    ? $"{label} leaves from port '{connection.Source.Port}', but this activity has no outcome ports"
                    : $"{label} leaves from port '{connection.Source.Port}', which is not one of its outcomes ({string.Join(", ", outcomes)})", source.Node);
                continue;
            }
            var flow = new FlowConnection(connections.Count, source.Node.Id, connection.Source.Port, target.Node.Id);
            connections.Add(flow);
            source.Outbound.Add(flow);
            target.Inbound.Add(flow);
        }

        if (root.Activities.Count == 0)
            Error("the flowchart has no activities");

        var graph = new WorkflowGraph(definition, nodes, connections);
        if (root.Activities.Count > 0 && problems.All(p => p.Severity != Severity.Error))
        {
            if (graph.DefaultStartId is not { } startId)
            {
                Error("the workflow has no start: add an Elsa.Start, mark an activity 'canStartWorkflow', or leave one activity without inbound connections");
            }
            else
            {
                var starts = nodes.Values.Where(n => n.Node.CanStartWorkflow).Select(n => n.Node.Id).Append(startId);
                var reachable = starts.SelectMany(s => graph.Analyze(s).Reachable).ToHashSet();
                foreach (var node in nodes.Values.Where(n => !reachable.Contains(n.Node.Id)))
                    problems.Add(new ValidationProblem(Severity.Warning, "the activity cannot be reached from the start and will never run", node.Node.Id, node.Node.Type));
            }
        }

        return new Result(problems.Any(p => p.Severity == Severity.Error) ? null : graph, problems);
    }

    private Activity? Bind(ActivityNode node, ActivityDescriptor descriptor, IReadOnlyCollection<VariableDefinition> variables, List<ValidationProblem> problems)
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
        {
            foreach (var @case in @switch.Cases)
            {
                if (@case.Condition is null || evaluator.Check(@case.Condition, variables) is not { } problem) continue;
                problems.Add(new ValidationProblem(Severity.Error, $"case '{@case.Label}': {problem}", node.Id, node.Type, "cases"));
                ok = false;
            }
        }

        if (ok)
            foreach (var problem in activity.CheckInputs(time.GetUtcNow()))
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
