using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Campaign;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Features.Files;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// The task rules, for the task endpoints (<see cref="TasksApi"/>) and the task pages alike: the inbox and what people
/// do with a task — claim, release, complete (with the form's data), attach and read files; and for administrators
/// reassign and cancel. A task someone may not see is <see cref="Failure.NotFound"/>, as if it did not exist.
/// </summary>
public sealed class TaskService(
    ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit, WorkflowRuntime runtime, FileStore store, TimeProvider time,
    Dashboard.CampaignDashboard campaigns)
{
    /// <summary>
    /// A task whose deadline passed between <paramref name="from"/> and <paramref name="now"/> without it done by then: still
    /// open, or done late. The dashboard's "what changed" count and the list its number links to both use it.
    /// </summary>
    public static System.Linq.Expressions.Expression<Func<HumanTaskRecord, bool>> BecameOverdue(DateTimeOffset from, DateTimeOffset now) =>
        t => t.DueAt > from && t.DueAt <= now && (t.Status == HumanTaskStatus.Open || t.ClosedAt > t.DueAt);

    /// <summary>
    /// My tasks (for an administrator with <see cref="TaskQuery.All"/>, everyone's), open ones by default, soonest due
    /// first; filters: status, stage, organization, a due window, overdue only (flagged overdue, or due before now), and
    /// what changed since an instant: closed since, became overdue since (see <c>CampaignChanges</c>), a file uploaded since.
    /// </summary>
    public async Task<Outcome<Page<TaskSummary>>> ListAsync(TaskQuery filter, CancellationToken cancellationToken)
    {
        var status = filter.Status;
        HumanTaskStatus? wanted = null;
        if (status is not (null or "" or "any"))
        {
            // Enum.TryParse also reads numbers ("99"): only the names are statuses.
            if (char.IsAsciiDigit(status[0]) || status[0] == '-' || !Enum.TryParse<HumanTaskStatus>(status, ignoreCase: true, out var parsed))
                return new Failure.Invalid("status",
                    $"状态 '{status}' 无效。Unknown status '{status}'; use {string.Join(", ", Enum.GetNames<HumanTaskStatus>())} or any.");
            wanted = parsed;
        }
        if (filter.DueAfter > filter.DueBefore)
            return new Failure.Invalid("dueBefore", "截止时间范围的结束早于开始。The due window ends (dueBefore) before it begins (dueAfter).");
        var query = db.Tasks.AsNoTracking();
        if (!(filter.All && user.IsAdministrator)) query = await access.VisibleAsync(query, cancellationToken);
        if (wanted is { } only) query = query.Where(t => t.Status == only);
        if (!string.IsNullOrEmpty(filter.Stage)) query = query.Where(t => t.Stage == filter.Stage);
        if (!string.IsNullOrEmpty(filter.Organization)) query = query.Where(t => t.OrganizationId == filter.Organization);
        if (filter.Year is { } year)
        {
            var instanceIds = await campaigns.InstanceIdsAsync(year, cancellationToken);
            query = query.Where(t => instanceIds.Contains(t.InstanceId));
        }
        // PostgreSQL compares instants in UTC only.
        if (filter.DueAfter?.ToUniversalTime() is { } after) query = query.Where(t => t.DueAt >= after);
        if (filter.DueBefore?.ToUniversalTime() is { } before) query = query.Where(t => t.DueAt <= before);
        if (filter.Overdue)
        {
            var now = time.GetUtcNow();
            query = query.Where(t => t.IsOverdue || (t.DueAt != null && t.DueAt < now));
        }
        // The dashboard's "what changed" links: closed since, deadline passed since without the task done by it, a file uploaded since.
        if (filter.ClosedSince?.ToUniversalTime() is { } closedSince) query = query.Where(t => t.ClosedAt >= closedSince);
        if (filter.OverdueSince?.ToUniversalTime() is { } overdueSince)
        {
            var now = time.GetUtcNow();
            query = query.Where(BecameOverdue(overdueSince, now));
        }
        if (filter.UploadedSince?.ToUniversalTime() is { } uploadedSince)
            query = query.Where(t => db.Files.Any(f => f.TaskId == t.Id && f.UploadedAt >= uploadedSince));
        var (page, pageSize) = Page.Clamp(filter.Page, filter.PageSize);
        // Tasks without a due date come last; ties by age. One query for the page with its organizations' names and
        // instances' correlation ids, and only the columns a list shows (not the form, data or description).
        var rows = await query.OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(t => new
            {
                Task = new HumanTaskRecord
                {
                    Id = t.Id, InstanceId = t.InstanceId, ActivityId = t.ActivityId, DefinitionId = t.DefinitionId, Title = t.Title, Stage = t.Stage,
                    Status = t.Status, Outcomes = t.Outcomes, DueAt = t.DueAt, IsOverdue = t.IsOverdue, OrganizationId = t.OrganizationId,
                    AssigneeUserId = t.AssigneeUserId, AssigneeRole = t.AssigneeRole, ClaimedByUserId = t.ClaimedByUserId, CreatedAt = t.CreatedAt,
                    ClosedAt = t.ClosedAt, ClosedByName = t.ClosedByName, Outcome = t.Outcome,
                },
                OrganizationName = db.Organizations.Where(o => o.Id == t.OrganizationId).Select(o => o.Name).FirstOrDefault(),
                CorrelationId = db.WorkflowInstances.Where(i => i.Id == t.InstanceId).Select(i => i.CorrelationId).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        // A page that is not full tells the total itself, unless it is empty beyond the first (most inboxes: a few tasks on
        // one page, and no second statement); a full or empty later page has the rows counted.
        var total = rows.Count < pageSize && (rows.Count > 0 || page == 1)
            ? (page - 1) * pageSize + rows.Count
            : await query.CountAsync(cancellationToken);
        var lookups = new TaskLookups(
            rows.Where(r => r.Task.OrganizationId is not null && r.OrganizationName is not null).DistinctBy(r => r.Task.OrganizationId)
                .ToDictionary(r => r.Task.OrganizationId!, r => r.OrganizationName!),
            rows.Where(r => r.CorrelationId is not null).DistinctBy(r => r.Task.InstanceId).ToDictionary(r => r.Task.InstanceId, r => r.CorrelationId!));
        return new Page<TaskSummary>([.. rows.Select(r => TaskSummary.From(r.Task, lookups))], total, page, pageSize);
    }

    /// <summary>The e-mail (or else the name) of each of these users, for a list that shows assignees and claims.</summary>
    public async Task<Dictionary<string, string>> EmailsAsync(IEnumerable<string> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.DisplayName, cancellationToken);
    }

    /// <summary>Whether a user with this id or e-mail exists (a reassignment's target).</summary>
    public Task<bool> UserExistsAsync(string idOrEmail, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Email == idOrEmail || u.Id == idOrEmail, cancellationToken);

    public async Task<Outcome<TaskDetail>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        return await DetailAsync(task, cancellationToken);
    }

    /// <summary>
    /// The task as its page shows it: the detail, who is looking, who claimed it, and for a task for no organization the
    /// organization its instance serves (its correlation id names it, e.g. the one a reviewer reviews).
    /// </summary>
    public async Task<Outcome<TaskView>> ViewAsync(string id, CancellationToken cancellationToken)
    {
        var outcome = await GetAsync(id, cancellationToken);
        if (outcome.Value is not { } detail) return outcome.Failure!;
        var claimer = detail.Task.ClaimedByUserId;
        var claimedBy = claimer is null ? null
            : await db.Users.Where(u => u.Id == claimer).Select(u => u.DisplayName + " <" + u.Email + ">").FirstOrDefaultAsync(cancellationToken);
        var correlation = detail.Task.OrganizationId is null ? detail.Task.CorrelationId : null;
        var about = correlation is null ? null
            : await db.Organizations.Where(o => o.Id == correlation).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
        // For the secretariat, that someone has begun (the risk signal's "draft saved"): when, never what.
        var draftSavedAt = user.IsAdministrator && detail.Task.Status == HumanTaskStatus.Open
            ? await db.TaskDrafts.Where(d => d.TaskId == id).Select(d => (DateTimeOffset?)d.SavedAt).FirstOrDefaultAsync(cancellationToken)
            : null;
        return new TaskView(detail, user.Id, user.IsAdministrator, claimedBy, about, draftSavedAt);
    }

    public async Task<Outcome<TaskDetail>> ClaimAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId == user.Id) return await DetailAsync(task, cancellationToken);
        if (task.ClaimedByUserId is not null) return await ClaimedByOtherAsync(task, cancellationToken);
        task.ClaimedByUserId = user.Id;
        task.Revision++;
        audit.Record(AuditActions.TaskClaimed, AuditSubjects.Task, id);
        // Revision is a concurrency token: of two claims at once, the second fails here and is told who won.
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateConcurrencyException) { return await ClaimedByOtherAsync(await ReloadAsync(id, cancellationToken), cancellationToken); }
        return await DetailAsync(task, cancellationToken);
    }

    public async Task<Outcome<TaskDetail>> ReleaseAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId is not null && task.ClaimedByUserId != user.Id && !user.IsAdministrator)
            return await ClaimedByOtherAsync(task, cancellationToken);
        if (task.ClaimedByUserId is not null)
        {
            task.ClaimedByUserId = null;
            task.Revision++;
            audit.Record(AuditActions.TaskReleased, AuditSubjects.Task, id);
            await db.SaveChangesAsync(cancellationToken);
        }
        return await DetailAsync(task, cancellationToken);
    }

    /// <summary>
    /// Completes a task: the outcome must be one the task allows and the data must pass its form (its problems keyed
    /// <c>data.&lt;field&gt;</c>); then the workflow resumes with them. Of two completions at once only one resumes the
    /// workflow; the other is told who completed the task and when.
    /// </summary>
    public async Task<Outcome<TaskDetail>> CompleteAsync(string id, CompleteTaskRequest body, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId is not null && task.ClaimedByUserId != user.Id) return await ClaimedByOtherAsync(task, cancellationToken);

        var outcomes = JsonSerializer.Deserialize<string[]>(task.Outcomes) ?? [];
        var outcome = body.Outcome ?? (outcomes.Length == 1 ? outcomes[0] : null);
        if (outcome is null || !outcomes.Contains(outcome))
            return new Failure.Invalid("outcome", $"请选择结果：{string.Join("、", outcomes)}。Choose an outcome: {string.Join(", ", outcomes)}.");
        var files = await db.Files.AsNoTracking().Where(f => f.TaskId == id)
            .ToDictionaryAsync(f => f.Id, f => new Manyi.Engine.Forms.FormFile(f.Id, f.FileName, f.ContentType, f.Size), cancellationToken);
        var validation = FormValidator.Validate(FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)), body.Data, files, outcome);
        if (!validation.IsValid)
            return new Failure.Invalid(validation.Errors.ToDictionary(e => DataField + e.Key, e => e.Value));

        var stimulus = HumanTask.Completion(id, task.InstanceId, outcome, validation.Values, new TaskActor(user.Id, user.Name));
        var result = await runtime.SendStimulusAsync(stimulus, cancellationToken);
        var after = await ReloadAsync(id, cancellationToken);
        if (result.Resumed.Count == 0 || after.ClosedByUserId != user.Id)
            return await ClosedAsync(after, cancellationToken) ?? new Failure.Conflict($"任务 {id} 未能完成，请重试。Task {id} could not be completed; try again.");
        audit.Record(AuditActions.TaskCompleted, AuditSubjects.Task, id, new { outcome, instanceId = task.InstanceId });
        await db.SaveChangesAsync(cancellationToken);
        return await DetailAsync(after, cancellationToken);
    }

    /// <summary>The prefix of a form field's problem key: completion's <c>data</c> holds the form's values.</summary>
    public const string DataField = "data.";

    /// <summary>
    /// Attaches a file to an open task; a form's file field then names the file's id. With <paramref name="field"/> (a
    /// file field of the task's form) the file must also fit that field (its types and size), or it is refused and not
    /// kept, the problem keyed <c>data.&lt;field&gt;</c> as on completion. Checks the task and the field, stores the
    /// file, audits it.
    /// </summary>
    public async Task<Outcome<TaskFile>> AttachAsync(string id, string? field, string fileName, Stream content, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        FormField? target = null;
        if (!string.IsNullOrEmpty(field))
        {
            target = FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)).Fields
                .FirstOrDefault(f => f.Name == field && f.Type == FormFieldType.File);
            if (target is null)
                return new Failure.Invalid("field", $"表单中没有文件字段 '{field}'。The task's form has no file field '{field}'.");
        }
        StoredFileRecord stored;
        try
        {
            await using var checkedContent = target is null ? content : new FieldFileStream(content, target, fileName, DataField + target.Name);
            stored = await store.SaveAsync(id, task.OrganizationId, fileName, checkedContent, user.Id, cancellationToken);
        }
        catch (FileRejectedException ex)
        {
            return new Failure.Invalid(target is null ? ex.Field : DataField + target.Name, ex.Message);
        }
        audit.Record(AuditActions.FileUploaded, AuditSubjects.File, stored.Id, new { taskId = id, field, stored.FileName, stored.Size, stored.ContentType, stored.Sha256 });
        await db.SaveChangesAsync(cancellationToken);
        return TaskFile.From(stored);
    }

    /// <summary>Whether the task exists for this user: who may not see it learns nothing, not even that a request lacked a file.</summary>
    public async Task<Failure?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        return task is null || !await access.CanActOnAsync(task, cancellationToken) ? NotFound(id) : null;
    }

    /// <summary>
    /// A task's file, for whoever may read it (<see cref="TaskAccess.MayReadFileAsync"/>): the task's organization, and
    /// the reviewer of that organization's package; anyone else is told it does not exist. The caller disposes the content.
    /// </summary>
    public async Task<Outcome<OpenedFile>> OpenFileAsync(string fileId, CancellationToken cancellationToken)
    {
        var record = await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId, cancellationToken);
        var task = record is null ? null : await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == record.TaskId, cancellationToken);
        if (task is null || !await access.MayReadFileAsync(record!, task, cancellationToken) || await store.OpenAsync(fileId, cancellationToken) is not { } opened)
            return new Failure.NotFound($"文件 {fileId} 不存在。File '{fileId}' does not exist.");
        audit.Record(AuditActions.FileDownloaded, AuditSubjects.File, fileId, new { taskId = task.Id });
        await db.SaveChangesAsync(cancellationToken);
        return new OpenedFile(opened.Record, opened.Content);
    }

    /// <summary>An administrator gives the task to someone else (a user by id or e-mail, and/or an organization); a claim is dropped.</summary>
    public async Task<Outcome<TaskDetail>> ReassignAsync(string id, ReassignTaskRequest body, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        var errors = new Dictionary<string, string[]>();
        string? userId = null;
        if (!string.IsNullOrWhiteSpace(body.User))
        {
            userId = await db.Users.Where(u => u.Id == body.User || u.Email == body.User).Select(u => u.Id).FirstOrDefaultAsync(cancellationToken);
            if (userId is null) errors["user"] = [$"用户 '{body.User}' 不存在。No user '{body.User}'."];
        }
        if (!string.IsNullOrWhiteSpace(body.Organization) && !await db.Organizations.AnyAsync(o => o.Id == body.Organization, cancellationToken))
            errors["organization"] = [$"单位 '{body.Organization}' 不存在。No organization '{body.Organization}'."];
        if (userId is null && string.IsNullOrWhiteSpace(body.Organization) && errors.Count == 0)
            errors["user"] = ["请指定用户或单位。Name a user or an organization."];
        if (string.IsNullOrWhiteSpace(body.Reason)) errors["reason"] = ["请说明原因。Say why; the audit trail records it."];
        if (errors.Count > 0) return new Failure.Invalid(errors);
        var before = new { task.AssigneeUserId, task.OrganizationId, task.ClaimedByUserId };
        task.AssigneeUserId = userId;
        if (!string.IsNullOrWhiteSpace(body.Organization)) task.OrganizationId = body.Organization;
        task.ClaimedByUserId = null;
        task.Revision++;
        // The draft was typed by the people the task leaves: those it goes to (another organization, perhaps) never read it.
        if (before.OrganizationId != task.OrganizationId || before.AssigneeUserId != task.AssigneeUserId)
            db.TaskDrafts.RemoveRange(await db.TaskDrafts.Where(d => d.TaskId == id).ToListAsync(cancellationToken));
        audit.Record(AuditActions.TaskReassigned, AuditSubjects.Task, id, new { before, after = new { task.AssigneeUserId, task.OrganizationId }, body.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return await DetailAsync(task, cancellationToken);
    }

    /// <summary>
    /// An administrator withdraws one task (e.g. an organization left the campaign): it closes as Cancelled and the
    /// workflow goes on without it — a fanned-out activity waits for the others; a lone task ends its branch.
    /// </summary>
    public async Task<Outcome<TaskDetail>> CancelAsync(string id, CancelTaskRequest body, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return NotFound(id);
        if (await ClosedAsync(task, cancellationToken) is { } closed) return closed;
        if (string.IsNullOrWhiteSpace(body.Reason)) return new Failure.Invalid("reason", "请说明原因。Say why; the audit trail records it.");
        await runtime.SendStimulusAsync(HumanTask.Cancellation(id, task.InstanceId, body.Reason, new TaskActor(user.Id, user.Name)), cancellationToken);
        var after = await ReloadAsync(id, cancellationToken);
        if (after.Status != HumanTaskStatus.Cancelled)
            return await ClosedAsync(after, cancellationToken) ?? new Failure.Conflict($"任务 {id} 未能取消。Task {id} could not be cancelled.");
        audit.Record(AuditActions.TaskCancelled, AuditSubjects.Task, id, new { body.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return await DetailAsync(after, cancellationToken);
    }

    internal static Failure.NotFound NotFound(string id) => new($"任务 {id} 不存在。Task '{id}' does not exist.");

    /// <summary>A closed task is a conflict, saying who closed it and when (in Beijing time).</summary>
    internal async Task<Failure.Conflict?> ClosedAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.Status == HumanTaskStatus.Open) return null;
        var at = task.ClosedAt is { } closedAt ? Dates.Beijing(closedAt) : "?";
        var by = task.ClosedByName ?? await db.Users.Where(u => u.Id == task.ClosedByUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        return new Failure.Conflict(task.Status switch
        {
            HumanTaskStatus.Completed => $"任务已由 {by} 于 {at} 完成。The task was already completed by {by} at {at}.",
            HumanTaskStatus.Expired => $"任务已于 {at} 过期。The task expired at {at}: its deadline passed.",
            _ => $"任务已于 {at} 取消。The task was cancelled at {at}.",
        });
    }

    private async Task<Failure.Conflict> ClaimedByOtherAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        var name = await db.Users.Where(u => u.Id == task.ClaimedByUserId).Select(u => u.DisplayName + " <" + u.Email + ">").FirstOrDefaultAsync(cancellationToken);
        return new Failure.Conflict($"任务已被 {name} 认领。The task is claimed by {name}.");
    }

    private async Task<HumanTaskRecord> ReloadAsync(string id, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Tasks.AsNoTracking().FirstAsync(t => t.Id == id, cancellationToken);
    }

    /// <summary>The organizations' names and the instances' correlation ids (e.g. the organization a reviewer's task is about).</summary>
    private async Task<TaskLookups> LookupsAsync(IReadOnlyCollection<HumanTaskRecord> tasks, CancellationToken cancellationToken)
    {
        var organizations = tasks.Select(t => t.OrganizationId).OfType<string>().Distinct().ToList();
        var instances = tasks.Select(t => t.InstanceId).Distinct().ToList();
        return new TaskLookups(
            await db.Organizations.AsNoTracking().Where(o => organizations.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken),
            await db.WorkflowInstances.AsNoTracking().Where(i => instances.Contains(i.Id) && i.CorrelationId != null)
                .ToDictionaryAsync(i => i.Id, i => i.CorrelationId!, cancellationToken));
    }

    private async Task<TaskDetail> DetailAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        var files = await db.Files.AsNoTracking().Where(f => f.TaskId == task.Id).OrderBy(f => f.UploadedAt).ToListAsync(cancellationToken);
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.SubjectType == AuditSubjects.Task && a.SubjectId == task.Id)
            .OrderBy(a => a.Id).Select(a => new TaskHistoryEntry(a.At, a.Action, a.UserName)).ToListAsync(cancellationToken);
        var lookups = await LookupsAsync([task], cancellationToken);
        return new TaskDetail(TaskSummary.From(task, lookups), task.Description, task.Form is null ? null : JsonNode.Parse(task.Form),
            task.Data is null ? null : JsonNode.Parse(task.Data), task.InstanceId, [.. files.Select(TaskFile.From)], history,
            await PackageFilesAsync(task, cancellationToken), await PackageAsync(task, cancellationToken));
    }

    /// <summary>
    /// For a task without an organization (the completeness check, the national review): the organization's year as it
    /// was submitted, the last completed task of each stage of the instance with its form and data, so that the labels
    /// and values can be read and only the files the data names (the current ones, not those replaced) are listed.
    /// Empty for an organization's own task, and for someone who may not see the instance.
    /// </summary>
    private async Task<IReadOnlyList<PackageTask>> PackageAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.OrganizationId is not null || !await access.MaySeeInstanceAsync(task.InstanceId, cancellationToken)) return [];
        var completed = HumanTaskStatus.Completed;
        var tasks = await db.Tasks.AsNoTracking()
            .Where(t => t.InstanceId == task.InstanceId && t.Id != task.Id && t.OrganizationId != null && t.Status == completed)
            .ToListAsync(cancellationToken);
        var latest = tasks.GroupBy(t => t.Stage ?? t.Title).Select(g => g.OrderBy(t => t.ClosedAt).Last())
            .OrderBy(t => CampaignStages.Find(t.Stage) is { } stage ? CampaignStages.All.ToList().IndexOf(stage) : int.MaxValue).ThenBy(t => t.ClosedAt)
            .ToList();
        var ids = latest.Select(t => t.Id).ToList();
        var files = await db.Files.AsNoTracking().Where(f => ids.Contains(f.TaskId)).ToListAsync(cancellationToken);
        return [.. latest.Select(t => new PackageTask(t.Id, t.Title, t.Stage, t.ClosedAt, t.ClosedByName,
            t.Form is null ? null : JsonNode.Parse(t.Form), t.Data is null ? null : JsonNode.Parse(t.Data),
            [.. files.Where(f => f.TaskId == t.Id).OrderBy(f => f.UploadedAt).Select(TaskFile.From)]))];
    }

    /// <summary>
    /// For a task for a role or a person (no organization), e.g. the completeness check or the national review in an
    /// organization's workflow: the files of the instance's other tasks that the user may read, the organization's
    /// package. Empty for an organization's task: its instance's other files are another matter.
    /// </summary>
    private async Task<IReadOnlyList<PackageFile>> PackageFilesAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.OrganizationId is not null) return [];
        var rows = await (from f in db.Files.AsNoTracking()
                          join t in db.Tasks.AsNoTracking() on f.TaskId equals t.Id
                          where t.InstanceId == task.InstanceId && t.Id != task.Id
                          select new { File = f, Task = t }).ToListAsync(cancellationToken);
        var readable = new List<PackageFile>();
        foreach (var row in rows.OrderBy(r => r.File.UploadedAt).ThenBy(r => r.File.Id))
            if (await access.MayReadFileAsync(row.File, row.Task, cancellationToken))
                readable.Add(new PackageFile(row.File.TaskId, row.Task.Title, TaskFile.From(row.File)));
        return readable;
    }
}

/// <summary>The task list's filters (see <see cref="TaskService.ListAsync"/>).</summary>
public sealed record TaskQuery(
    [FromQuery(Name = "status")] string? Status = "Open",
    [FromQuery(Name = "stage")] string? Stage = null,
    [FromQuery(Name = "organization")] string? Organization = null,
    [FromQuery(Name = "dueAfter")] DateTimeOffset? DueAfter = null,
    [FromQuery(Name = "dueBefore")] DateTimeOffset? DueBefore = null,
    [FromQuery(Name = "all")] bool All = false,
    [FromQuery(Name = "page")] int Page = 1,
    [FromQuery(Name = "pageSize")] int PageSize = 50,
    [FromQuery(Name = "overdue")] bool Overdue = false,
    [FromQuery(Name = "closedSince")] DateTimeOffset? ClosedSince = null,
    [FromQuery(Name = "overdueSince")] DateTimeOffset? OverdueSince = null,
    [FromQuery(Name = "uploadedSince")] DateTimeOffset? UploadedSince = null,
    [FromQuery(Name = "year")] int? Year = null);

/// <summary>A stored file and its content, to be disposed by whoever sends it.</summary>
public sealed record OpenedFile(StoredFileRecord Record, Stream Content);

/// <summary>
/// A task as its page shows it; see <see cref="TaskService.ViewAsync"/>. <see cref="DraftSavedAt"/>, for administrators
/// only, is when the open task's draft was last saved (by anyone), the data staying with those who fill it in.
/// </summary>
public sealed record TaskView(TaskDetail Detail, string Me, bool IsAdministrator, string? ClaimedBy, string? AboutOrganization, DateTimeOffset? DraftSavedAt);
