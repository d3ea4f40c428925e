using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Calendar;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Validation;

namespace Manyi.Engine.Runtime;

/// <summary>The deadline and reminders one waiting activity would get, or why they cannot be computed.</summary>
public sealed record ActivityDeadlines(
    string ActivityId, string? Name, string Type, DateTimeOffset? Deadline, IReadOnlyList<ReminderStep> Reminders, ReminderLadder? Ladder, string? Error);

/// <summary>A preview of a definition: per waiting activity its dates; the validation problems when it cannot run at all.</summary>
public sealed record DeadlinePreview(IReadOnlyList<ActivityDeadlines> Activities, IReadOnlyList<ValidationProblem> Problems);

/// <summary>
/// What dates a definition (a draft too) would give its waiting activities for a given input, before anyone runs it:
/// every activity with a deadline or reminder ladder is bound and asked through the very methods it uses when it
/// starts waiting (<see cref="WaitingActivity.ResolveDeadlineAsync"/>, <see cref="WaitingActivity.ReminderSteps"/>),
/// in an unsaved instance started with that input, on the business calendar. Nothing is stored; no timer is set.
/// </summary>
public sealed class DeadlinePreviewer(WorkflowCompiler compiler, ExpressionEvaluator evaluator, IServiceProvider services, TimeProvider time)
{
    public async Task<DeadlinePreview> PreviewAsync(WorkflowDefinition definition, IReadOnlyDictionary<string, JsonNode?> input, CancellationToken cancellationToken)
    {
        // Compiled afresh, not from the graph cache: a draft keeps its version id while its content changes.
        var validation = compiler.Validate(definition);
        if (validation.Graph is not { } graph) return new DeadlinePreview([], validation.Problems);

        var instance = WorkflowRuntime.NewInstance(definition, new StartOptions { Input = input.ToDictionary(p => p.Key, p => p.Value?.DeepClone()) }, time.GetUtcNow());
        var probe = new Burst(graph, instance, evaluator, services, instance.CreatedAt, true, cancellationToken);
        var activities = new List<ActivityDeadlines>();
        foreach (var node in graph.Nodes.Values.OrderBy(n => n.Order))
        {
            if (node.Activity is not WaitingActivity waiting) continue;
            var hasDeadline = node.Node.Properties["deadline"] is not null;
            var hasLadder = waiting.Reminders is not null;
            if (!hasDeadline && !hasLadder) continue;
            var context = new ActivityContext(probe, node);
            DateTimeOffset? deadline = null;
            IReadOnlyList<ReminderStep> reminders = [];
            string? error = null;
            try
            {
                deadline = await waiting.ResolveDeadlineAsync(context);
                // Every step, also those past, moved or merged: the preview hides nothing of the ladder.
                if (deadline is { } due) reminders = waiting.ReminderSteps(context, due);
                else if (hasLadder) error = "the activity has a reminder ladder but no deadline, so no reminder would be sent";
            }
            catch (Exception ex) when (ex is ExpressionException or FormatException or InvalidOperationException or InvalidCastException)
            {
                error = $"input 'deadline': {ex.Message}";
            }
            activities.Add(new ActivityDeadlines(node.Node.Id, node.Node.Name, node.Node.Type, deadline, reminders, waiting.Reminders, error));
        }
        return new DeadlinePreview(activities, validation.Problems);
    }
}
