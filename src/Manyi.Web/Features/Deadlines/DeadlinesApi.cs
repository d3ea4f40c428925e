using Manyi.Engine.Calendar;
using Manyi.Persistence.Audit;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Deadlines;

/// <summary>
/// Moving deadlines and changing reminder ladders: of one waiting activity of one instance, or of every instance
/// waiting in a stage (an activity of a definition), whatever version it is pinned to. Each instance changes in its
/// own transaction, through the engine; the journal and the audit trail record who and why.
/// </summary>
public sealed class DeadlineService(WorkflowRuntime runtime, CurrentUser user, ManyiDbContext db, AuditTrail audit)
{
    public async Task<Outcome<InstanceResponse>> ExtendOneAsync(string id, string activityId, ExtendDeadlineRequest body, CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var instance = await runtime.ExtendDeadlineAsync(id, activityId, body.Deadline!.Value, user.Name, body.Reason!, cancellationToken);
        await AuditAsync(AuditActions.DeadlineExtended, [id], activityId, new { body.Deadline, body.Reason }, cancellationToken);
        return InstanceResponse.From(instance);
    }

    /// <summary>Every instance of the definition still waiting in the activity with a deadline gets the new one; each in its own transaction.</summary>
    public async Task<Outcome<StageExtended>> ExtendStageAsync(string definitionId, string activityId, ExtendDeadlineRequest body, CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var changed = await ForEachWaitingAsync(definitionId, activityId, AuditActions.DeadlineExtended, new { definitionId, body.Deadline, body.Reason },
            instanceId => runtime.ExtendDeadlineAsync(instanceId, activityId, body.Deadline!.Value, user.Name, body.Reason!, cancellationToken), cancellationToken);
        return changed == 0 ? NoneWaiting(definitionId, activityId) : new StageExtended(changed, body.Deadline!.Value);
    }

    public async Task<Outcome<InstanceResponse>> ChangeRemindersAsync(string id, string activityId, ChangeRemindersRequest body, CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var instance = await runtime.ChangeRemindersAsync(id, activityId, body.Reminders!, user.Name, body.Reason!, cancellationToken);
        await AuditAsync(AuditActions.RemindersChanged, [id], activityId, new { body.Reminders, body.Reason }, cancellationToken);
        return InstanceResponse.From(instance);
    }

    /// <summary>Every instance waiting in the activity gets the new ladder, whichever version it runs: a ladder changed mid-campaign applies to open tasks.</summary>
    public async Task<Outcome<StageRemindersChanged>> ChangeStageRemindersAsync(string definitionId, string activityId, ChangeRemindersRequest body,
        CancellationToken cancellationToken)
    {
        if (body.Validate() is { } invalid) return invalid;
        var changed = await ForEachWaitingAsync(definitionId, activityId, AuditActions.RemindersChanged, new { definitionId, body.Reminders, body.Reason },
            instanceId => runtime.ChangeRemindersAsync(instanceId, activityId, body.Reminders!, user.Name, body.Reason!, cancellationToken), cancellationToken);
        return changed == 0 ? NoneWaiting(definitionId, activityId) : new StageRemindersChanged(changed);
    }

    /// <summary>
    /// A task's deadline, as the all-tasks page extends it: the task's activity in its instance, unless the task is closed
    /// (its deadline no longer applies). Returns the activity extended.
    /// </summary>
    public async Task<Outcome<string>> ExtendForTaskAsync(string taskId, ExtendDeadlineRequest body, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.InstanceId, t.ActivityId, t.Status }).FirstOrDefaultAsync(cancellationToken);
        if (task is null) return new Failure.NotFound($"任务 {taskId} 不存在。Task '{taskId}' does not exist.");
        if (task.Status != HumanTaskStatus.Open)
            return new Failure.Conflict($"任务已关闭（{task.Status}），截止时间不再适用。The task is closed ({task.Status}); its deadline no longer applies.");
        var extended = await ExtendOneAsync(task.InstanceId, task.ActivityId, body, cancellationToken);
        return extended.Failure is { } failure ? failure : task.ActivityId;
    }

    /// <summary>
    /// The open tasks outside <paramref name="taskIds"/> whose deadline moves with theirs: those of the same step (instance
    /// and activity), which has one deadline for all its organizations. The extension dialog names them before it runs.
    /// </summary>
    public async Task<IReadOnlyList<string>> AlsoExtendedAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        var open = HumanTaskStatus.Open;
        var steps = db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id));
        return await db.Tasks.AsNoTracking()
            .Where(t => t.Status == open && !taskIds.Contains(t.Id) && steps.Any(s => s.InstanceId == t.InstanceId && s.ActivityId == t.ActivityId))
            .Select(t => t.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The instance and activity of a task: a step fanned out to several organizations has one deadline for all.</summary>
    public async Task<(string InstanceId, string ActivityId)?> StepOfAsync(string taskId, CancellationToken cancellationToken) =>
        await db.Tasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.InstanceId, t.ActivityId }).FirstOrDefaultAsync(cancellationToken)
            is { } step ? (step.InstanceId, step.ActivityId) : null;

    /// <summary>
    /// Applies a change to every instance of the definition (any version) with a bookmark at the activity — waiting
    /// there, flagged overdue or not — each in its own transaction, then audits them; returns how many there were.
    /// </summary>
    private async Task<int> ForEachWaitingAsync(string definitionId, string activityId, string action, object details, Func<string, Task> change,
        CancellationToken cancellationToken)
    {
        var instanceIds = await db.Bookmarks.AsNoTracking()
            .Where(b => b.ActivityId == activityId && db.WorkflowInstances.Any(i => i.Id == b.InstanceId && i.DefinitionId == definitionId))
            .Select(b => b.InstanceId).Distinct().ToListAsync(cancellationToken);
        foreach (var instanceId in instanceIds) await change(instanceId);
        if (instanceIds.Count > 0) await AuditAsync(action, instanceIds, activityId, details, cancellationToken);
        return instanceIds.Count;
    }

    private static Failure.NotFound NoneWaiting(string definitionId, string activityId) =>
        new($"No instance of '{definitionId}' is waiting in '{activityId}'.");

    private async Task AuditAsync(string action, IReadOnlyList<string> instanceIds, string activityId, object details, CancellationToken cancellationToken)
    {
        foreach (var instanceId in instanceIds) audit.Record(action, AuditSubjects.WorkflowInstance, instanceId, new { activityId, details });
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>The deadline endpoints; the rules are <see cref="DeadlineService"/>'s.</summary>
public static class DeadlinesApi
{
    public static RouteGroupBuilder MapDeadlinesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Deadlines");
        group.MapPost("/workflow-instances/{id}/activities/{activityId}/deadline", ExtendOne);
        group.MapPost("/workflow-definitions/{definitionId}/activities/{activityId}/deadline", ExtendStage);
        group.MapPut("/workflow-instances/{id}/activities/{activityId}/reminders", ChangeReminders);
        group.MapPut("/workflow-definitions/{definitionId}/activities/{activityId}/reminders", ChangeStageReminders);
        return group;
    }

    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> ExtendOne(
        string id, string activityId, ExtendDeadlineRequest body, DeadlineService deadlines, CancellationToken cancellationToken) =>
        (await deadlines.ExtendOneAsync(id, activityId, body, cancellationToken)).ToOk();

    public static async Task<Results<Ok<StageExtended>, ValidationProblem, ProblemHttpResult>> ExtendStage(
        string definitionId, string activityId, ExtendDeadlineRequest body, DeadlineService deadlines, CancellationToken cancellationToken) =>
        (await deadlines.ExtendStageAsync(definitionId, activityId, body, cancellationToken)).ToOk();

    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> ChangeReminders(
        string id, string activityId, ChangeRemindersRequest body, DeadlineService deadlines, CancellationToken cancellationToken) =>
        (await deadlines.ChangeRemindersAsync(id, activityId, body, cancellationToken)).ToOk();

    public static async Task<Results<Ok<StageRemindersChanged>, ValidationProblem, ProblemHttpResult>> ChangeStageReminders(
        string definitionId, string activityId, ChangeRemindersRequest body, DeadlineService deadlines, CancellationToken cancellationToken) =>
        (await deadlines.ChangeStageRemindersAsync(definitionId, activityId, body, cancellationToken)).ToOk();
}

/// <summary>The new ladder for the activity and why.</summary>
public sealed record ChangeRemindersRequest(ReminderLadder? Reminders, string? Reason)
{
    public Failure.Invalid? Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Reminders is null) errors["reminders"] = ["请给出提醒阶梯。The new ladder is required, e.g. {\"before\": [7, 3, 1], \"atDeadline\": true}."];
        else if (Reminders.Problems().ToArray() is { Length: > 0 } problems) errors["reminders"] = problems;
        if (string.IsNullOrWhiteSpace(Reason)) errors["reason"] = ["请说明原因。Say why the ladder changes; the journal records it."];
        return errors.Count == 0 ? null : new Failure.Invalid(errors);
    }
}

public sealed record StageRemindersChanged(int Instances);

/// <summary>The new deadline (an instant with its offset) and why; the journal records it with the signed-in administrator.</summary>
public sealed record ExtendDeadlineRequest(DateTimeOffset? Deadline, string? Reason)
{
    public Failure.Invalid? Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Deadline is null) errors["deadline"] = ["The new deadline is required, e.g. 2025-05-09T18:00:00+08:00."];
        else if (Manyi.Engine.Calendar.DueDate.OutOfRange(Deadline.Value, "deadline") is { } outOfRange) errors["deadline"] = [outOfRange];
        if (string.IsNullOrWhiteSpace(Reason)) errors["reason"] = ["Say why the deadline moves; the journal records it."];
        return errors.Count == 0 ? null : new Failure.Invalid(errors);
    }
}

public sealed record StageExtended(int Instances, DateTimeOffset Deadline);
