using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// Drafts of a task's form: what was typed but not yet submitted, saved as it is typed and restored on any device. A
/// task has one draft, shared by whoever may act on it (<see cref="TaskAccess"/>, the rule of completing it), except
/// that an administrator, who may act on every task, never reads or replaces a draft someone else saved: before it is
/// submitted it belongs to those who fill it in. A draft is checked for its shape and size only — it may be incomplete;
/// the form is checked on completion. It ends with its task: the burst that closes the task deletes it
/// (<see cref="SqlWorkflowStore"/>), and a draft of a closed task met here is deleted too.
/// </summary>
public sealed class TaskDrafts(ManyiDbContext db, TaskAccess access, TaskService tasks, CurrentUser user, TimeProvider time)
{
    /// <summary>The most a draft's JSON may take: a form's data, however many table rows, is far smaller.</summary>
    public const int MaxBytes = 256 * 1024;

    public static string TooLargeMessage => $"草稿超过 {MaxBytes / 1024} KB，未能保存。The draft is larger than {MaxBytes / 1024} KB and was not saved.";

    /// <summary>The task's draft, or <see cref="Failure.NotFound"/> when it has none this user may read.</summary>
    public async Task<Outcome<TaskDraft>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return TaskService.NotFound(id);
        var draft = await db.TaskDrafts.FirstOrDefaultAsync(d => d.TaskId == id, cancellationToken);
        if (draft is not null && task.Status != HumanTaskStatus.Open)
        {
            db.TaskDrafts.Remove(draft);
            await db.SaveChangesAsync(cancellationToken);
            draft = null;
        }
        return draft is not null && IsMine(draft) && JsonNode.Parse(draft.Data) is JsonObject data
            ? new TaskDraft(data, draft.SavedAt)
            : new Failure.NotFound($"任务 {id} 没有草稿。Task '{id}' has no draft.");
    }

    /// <summary>Saves (or replaces) the task's draft; a closed task refuses it (409), as it refuses a completion.</summary>
    public async Task<Outcome<TaskDraft>> SaveAsync(string id, JsonNode? data, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return TaskService.NotFound(id);
        if (await tasks.ClosedAsync(task, cancellationToken) is { } closed) return closed;
        if (data is not JsonObject form)
            return new Failure.Invalid("data", "草稿应为表单的数据（一个 JSON 对象）。A draft is the form's data: a JSON object.");
        var json = form.ToJsonString();
        if (Encoding.UTF8.GetByteCount(json) > MaxBytes) return new Failure.Invalid("data", TooLargeMessage);

        var savedAt = time.GetUtcNow();
        // Two first saves at once (two tabs, two colleagues) both insert: the second replaces the first, as a later save would.
        for (var attempt = 0; ; attempt++)
        {
            var draft = await db.TaskDrafts.FirstOrDefaultAsync(d => d.TaskId == id, cancellationToken);
            if (draft is not null && !IsMine(draft))
                return new Failure.Conflict("此任务有他人尚未提交的草稿，不能替换。Someone else's unsubmitted draft of this task cannot be replaced.");
            if (draft is null) db.TaskDrafts.Add(new TaskDraftRecord { TaskId = id, Data = json, SavedAt = savedAt, SavedByUserId = user.Id });
            else (draft.Data, draft.SavedAt, draft.SavedByUserId) = (json, savedAt, user.Id);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException) when (draft is null && attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
        }
        // The task may have closed while this was saved, after its burst deleted the drafts: none may outlive it.
        db.ChangeTracker.Clear();
        var after = await db.Tasks.AsNoTracking().FirstAsync(t => t.Id == id, cancellationToken);
        if (await tasks.ClosedAsync(after, cancellationToken) is { } closedMeanwhile)
        {
            await db.TaskDrafts.Where(d => d.TaskId == id).ExecuteDeleteAsync(cancellationToken);
            return closedMeanwhile;
        }
        return new TaskDraft(form, savedAt);
    }

    /// <summary>Discards the task's draft, and says whether there was one (none is no error); files uploaded meanwhile stay with the task.</summary>
    public async Task<Outcome<bool>> DiscardAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return TaskService.NotFound(id);
        var draft = await db.TaskDrafts.FirstOrDefaultAsync(d => d.TaskId == id, cancellationToken);
        if (draft is null || !IsMine(draft)) return false;
        db.TaskDrafts.Remove(draft);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>An administrator reads only the drafts they saved themselves; the task's own people share theirs.</summary>
    private bool IsMine(TaskDraftRecord draft) => !user.IsAdministrator || draft.SavedByUserId == user.Id;
}

/// <summary>A task's draft: the form's data as it was typed, and when it was saved.</summary>
public sealed record TaskDraft(JsonObject Data, DateTimeOffset SavedAt);
