using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Audit;
using Manyi.Web.Features.Files;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// The task inbox and what people do with a task: claim, release, complete (with the form's data), attach files; and
/// for administrators reassign and cancel. A task someone may not see answers 404, as if it did not exist.
/// </summary>
public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tasks").WithTags("Tasks");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/claim", Claim);
        group.MapPost("/{id}/release", Release);
        group.MapPost("/{id}/complete", Complete);
        group.MapPost("/{id}/files", Upload).DisableAntiforgery();
        group.MapPost("/{id}/reassign", Reassign).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/remind", RemindNow.Send).RequireAuthorization(ManyiPolicies.Administrator)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        routes.MapGet("/files/{fileId}", Download).WithTags("Tasks").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>
    /// My tasks (for an administrator with <c>all=true</c>, everyone's), open ones by default, soonest due first; filters:
    /// status, stage, organization, a due window, overdue only (flagged overdue, or due before now).
    /// </summary>
    public static async Task<Results<Ok<Page<TaskSummary>>, ValidationProblem>> List(
        ManyiDbContext db, TaskAccess access, CurrentUser user, CancellationToken cancellationToken,
        string? status = "Open", string? stage = null, string? organization = null, DateTimeOffset? dueAfter = null, DateTimeOffset? dueBefore = null,
        bool all = false, int page = 1, int pageSize = 50, bool overdue = false, TimeProvider? time = null)
    {
        if (status is not (null or "" or "any") && (!Enum.TryParse<HumanTaskStatus>(status, ignoreCase: true, out var known) || !Enum.IsDefined(known) || char.IsAsciiDigit(status[0])))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"状态 '{status}' 无效。Unknown status '{status}'; use {string.Join(", ", Enum.GetNames<HumanTaskStatus>())} or any."],
            });
        var query = db.Tasks.AsNoTracking();
        if (!(all && user.IsAdministrator)) query = await access.VisibleAsync(query, cancellationToken);
        if (status is not (null or "" or "any")) query = query.Where(t => t.Status == Enum.Parse<HumanTaskStatus>(status, true).ToString());
        if (!string.IsNullOrEmpty(stage)) query = query.Where(t => t.Stage == stage);
        if (!string.IsNullOrEmpty(organization)) query = query.Where(t => t.OrganizationId == organization);
        // PostgreSQL compares instants in UTC only.
        if (dueAfter?.ToUniversalTime() is { } after) query = query.Where(t => t.DueAt >= after);
        if (dueBefore?.ToUniversalTime() is { } before) query = query.Where(t => t.DueAt <= before);
        if (dueAfter > dueBefore)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["dueBefore"] = ["截止时间范围的结束早于开始。The due window ends (dueBefore) before it begins (dueAfter)."],
            });
        if (overdue)
        {
            var now = (time ?? TimeProvider.System).GetUtcNow();
            query = query.Where(t => t.IsOverdue || (t.DueAt != null && t.DueAt < now));
        }
        (page, pageSize) = Page.Clamp(page, pageSize);
        var total = await query.CountAsync(cancellationToken);
        // Tasks without a due date come last; ties by age.
        var rows = await query.OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var lookups = await LookupsAsync(db, rows, cancellationToken);
        return TypedResults.Ok(new Page<TaskSummary>([.. rows.Select(t => TaskSummary.From(t, lookups))], total, page, pageSize));
    }

    public static async Task<Results<Ok<TaskDetail>, ProblemHttpResult>> Get(
        string id, ManyiDbContext db, TaskAccess access, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        return TypedResults.Ok(await DetailAsync(db, task, cancellationToken));
    }

    public static async Task<Results<Ok<TaskDetail>, ProblemHttpResult>> Claim(
        string id, ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId == user.Id) return TypedResults.Ok(await DetailAsync(db, task, cancellationToken));
        if (task.ClaimedByUserId is not null) return await ClaimedByOtherAsync(db, task, cancellationToken);
        task.ClaimedByUserId = user.Id;
        task.Revision++;
        audit.Record(AuditActions.TaskClaimed, "task", id);
        // Revision is a concurrency token: of two claims at once, the second fails here and is told who won.
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateConcurrencyException) { return await ClaimedByOtherAsync(db, await ReloadAsync(db, id, cancellationToken), cancellationToken); }
        return TypedResults.Ok(await DetailAsync(db, task, cancellationToken));
    }

    public static async Task<Results<Ok<TaskDetail>, ProblemHttpResult>> Release(
        string id, ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId is not null && task.ClaimedByUserId != user.Id && !user.IsAdministrator)
            return await ClaimedByOtherAsync(db, task, cancellationToken);
        if (task.ClaimedByUserId is not null)
        {
            task.ClaimedByUserId = null;
            task.Revision++;
            audit.Record(AuditActions.TaskReleased, "task", id);
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(await DetailAsync(db, task, cancellationToken));
    }

    /// <summary>
    /// Completes a task: the outcome must be one the task allows and the data must pass its form; then the workflow
    /// resumes with them. Of two completions at once only one resumes the workflow; the other is told who completed
    /// the task and when.
    /// </summary>
    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Complete(
        string id, CompleteTaskRequest body, ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit, WorkflowRuntime runtime,
        CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
        if (task.ClaimedByUserId is not null && task.ClaimedByUserId != user.Id) return await ClaimedByOtherAsync(db, task, cancellationToken);

        var outcomes = JsonSerializer.Deserialize<string[]>(task.Outcomes) ?? [];
        var outcome = body.Outcome ?? (outcomes.Length == 1 ? outcomes[0] : null);
        if (outcome is null || !outcomes.Contains(outcome))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["outcome"] = [$"请选择结果：{string.Join("、", outcomes)}。Choose an outcome: {string.Join(", ", outcomes)}."],
            });
        var files = await db.Files.AsNoTracking().Where(f => f.TaskId == id)
            .ToDictionaryAsync(f => f.Id, f => new Manyi.Engine.Forms.FormFile(f.Id, f.FileName, f.ContentType, f.Size), cancellationToken);
        var validation = FormValidator.Validate(FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)), body.Data, files);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.Errors.ToDictionary(e => "data." + e.Key, e => e.Value));

        var stimulus = HumanTask.Completion(id, task.InstanceId, outcome, validation.Values, new TaskActor(user.Id, user.Name));
        var result = await runtime.SendStimulusAsync(stimulus, cancellationToken);
        var after = await ReloadAsync(db, id, cancellationToken);
        if (result.Resumed.Count == 0 || after.ClosedByUserId != user.Id)
            return await ClosedAsync(db, after, cancellationToken) ?? Conflict($"任务 {id} 未能完成，请重试。Task {id} could not be completed; try again.");
        audit.Record(AuditActions.TaskCompleted, "task", id, new { outcome, instanceId = task.InstanceId });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await DetailAsync(db, after, cancellationToken));
    }

    /// <summary>
    /// Attaches a file to an open task; a form's file field then names the file's id. With <c>field</c> (a file field of
    /// the task's form) the file must also fit that field (its types and size), or it is refused and not kept, the
    /// problem keyed <c>data.&lt;field&gt;</c> as on completion.
    /// </summary>
    public static async Task<Results<Created<TaskFile>, ValidationProblem, ProblemHttpResult>> Upload(
        string id, IFormFile? file, [FromQuery] string? field, ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit, FileStore store,
        CancellationToken cancellationToken)
    {
        if (file is null)
        {
            // Who may not see the task learns nothing, not even that the request lacked a file.
            var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
            if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [FileStore.Field] = ["请选择文件（multipart 字段 file）。Attach a file as the multipart field 'file'."],
            });
        }
        await using var content = file.OpenReadStream();
        return await AttachAsync(id, field, file.FileName, content, db, access, user, audit, store, cancellationToken);
    }

    /// <summary>
    /// What <see cref="Upload"/> does with the uploaded stream, shared with the task page (which reads the browser's
    /// file in chunks to show progress): checks the task and the field, stores the file, audits it.
    /// </summary>
    public static async Task<Results<Created<TaskFile>, ValidationProblem, ProblemHttpResult>> AttachAsync(
        string id, string? field, string fileName, Stream content, ManyiDbContext db, TaskAccess access, CurrentUser user, AuditTrail audit,
        FileStore store, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null || !await access.CanActOnAsync(task, cancellationToken)) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
        FormField? target = null;
        if (!string.IsNullOrEmpty(field))
        {
            target = FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)).Fields
                .FirstOrDefault(f => f.Name == field && f.Type == FormFieldType.File);
            if (target is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["field"] = [$"表单中没有文件字段 '{field}'。The task's form has no file field '{field}'."],
                });
        }
        StoredFileRecord stored;
        try
        {
            await using var checkedContent = target is null ? content : new FieldFileStream(content, target, fileName, "data." + target.Name);
            stored = await store.SaveAsync(id, task.OrganizationId, fileName, checkedContent, user.Id, cancellationToken);
        }
        catch (FileRejectedException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [target is null ? ex.Field : "data." + target.Name] = [ex.Message] });
        }
        audit.Record(AuditActions.FileUploaded, "file", stored.Id, new { taskId = id, field, stored.FileName, stored.Size, stored.ContentType, stored.Sha256 });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/files/{stored.Id}", TaskFile.From(stored));
    }

    /// <summary>
    /// A task's file, for whoever may see the task, and for whoever may see a task for a role or a person (no
    /// organization) of the same instance: the administrator's completeness check or the reviewer's review of an
    /// organization's package.
    /// </summary>
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(
        string fileId, ManyiDbContext db, TaskAccess access, AuditTrail audit, FileStore store, CancellationToken cancellationToken)
    {
        var record = await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId, cancellationToken);
        var task = record is null ? null : await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == record.TaskId, cancellationToken);
        if (task is null || !await MayReadFilesOfAsync(db, access, task, cancellationToken) || await store.OpenAsync(fileId, cancellationToken) is not { } opened)
            return Problems.NotFound($"文件 {fileId} 不存在。File '{fileId}' does not exist.");
        audit.Record(AuditActions.FileDownloaded, "file", fileId, new { taskId = task.Id });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.File(opened.Content, opened.Record.ContentType, opened.Record.FileName);
    }

    /// <summary>An administrator gives the task to someone else (a user by id or e-mail, and/or an organization); a claim is dropped.</summary>
    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Reassign(
        string id, ReassignTaskRequest body, ManyiDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
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
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var before = new { task.AssigneeUserId, task.OrganizationId, task.ClaimedByUserId };
        task.AssigneeUserId = userId;
        if (!string.IsNullOrWhiteSpace(body.Organization)) task.OrganizationId = body.Organization;
        task.ClaimedByUserId = null;
        task.Revision++;
        audit.Record(AuditActions.TaskReassigned, "task", id, new { before, after = new { task.AssigneeUserId, task.OrganizationId }, body.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await DetailAsync(db, task, cancellationToken));
    }

    /// <summary>
    /// An administrator withdraws one task (e.g. an organization left the campaign): it closes as Cancelled and the
    /// workflow goes on without it — a fanned-out activity waits for the others; a lone task ends its branch.
    /// </summary>
    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Cancel(
        string id, CancelTaskRequest body, ManyiDbContext db, CurrentUser user, AuditTrail audit, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return NotFound(id);
        if (await ClosedAsync(db, task, cancellationToken) is { } closed) return closed;
        if (string.IsNullOrWhiteSpace(body.Reason))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["请说明原因。Say why; the audit trail records it."] });
        await runtime.SendStimulusAsync(HumanTask.Cancellation(id, task.InstanceId, body.Reason, new TaskActor(user.Id, user.Name)), cancellationToken);
        var after = await ReloadAsync(db, id, cancellationToken);
        if (after.Status != nameof(HumanTaskStatus.Cancelled))
            return await ClosedAsync(db, after, cancellationToken) ?? Conflict($"任务 {id} 未能取消。Task {id} could not be cancelled.");
        audit.Record(AuditActions.TaskCancelled, "task", id, new { body.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await DetailAsync(db, after, cancellationToken));
    }

    private static async Task<bool> MayReadFilesOfAsync(ManyiDbContext db, TaskAccess access, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (await access.CanActOnAsync(task, cancellationToken)) return true;
        var reviews = db.Tasks.AsNoTracking().Where(t => t.InstanceId == task.InstanceId && t.Id != task.Id && t.OrganizationId == null);
        return await (await access.VisibleAsync(reviews, cancellationToken)).AnyAsync(cancellationToken);
    }

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"任务 {id} 不存在。Task '{id}' does not exist.");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.");

    /// <summary>A closed task answers 409, saying who closed it and when (in Beijing time).</summary>
    private static async Task<ProblemHttpResult?> ClosedAsync(ManyiDbContext db, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.Status == nameof(HumanTaskStatus.Open)) return null;
        var at = task.ClosedAt is { } closedAt ? Dates.Beijing(closedAt) : "?";
        var by = task.ClosedByName ?? await db.Users.Where(u => u.Id == task.ClosedByUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        return Conflict(task.Status switch
        {
            nameof(HumanTaskStatus.Completed) => $"任务已由 {by} 于 {at} 完成。The task was already completed by {by} at {at}.",
            nameof(HumanTaskStatus.Expired) => $"任务已于 {at} 过期。The task expired at {at}: its deadline passed.",
            _ => $"任务已于 {at} 取消。The task was cancelled at {at}.",
        });
    }

    private static async Task<ProblemHttpResult> ClaimedByOtherAsync(ManyiDbContext db, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        var name = await db.Users.Where(u => u.Id == task.ClaimedByUserId).Select(u => u.DisplayName + " <" + u.Email + ">").FirstOrDefaultAsync(cancellationToken);
        return Conflict($"任务已被 {name} 认领。The task is claimed by {name}.");
    }

    private static async Task<HumanTaskRecord> ReloadAsync(ManyiDbContext db, string id, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Tasks.AsNoTracking().FirstAsync(t => t.Id == id, cancellationToken);
    }

    /// <summary>The organizations' names and the instances' correlation ids (e.g. the organization a reviewer's task is about).</summary>
    private static async Task<TaskLookups> LookupsAsync(ManyiDbContext db, IReadOnlyCollection<HumanTaskRecord> tasks, CancellationToken cancellationToken)
    {
        var organizations = tasks.Select(t => t.OrganizationId).OfType<string>().Distinct().ToList();
        var instances = tasks.Select(t => t.InstanceId).Distinct().ToList();
        return new TaskLookups(
            await db.Organizations.AsNoTracking().Where(o => organizations.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken),
            await db.WorkflowInstances.AsNoTracking().Where(i => instances.Contains(i.Id) && i.CorrelationId != null)
                .ToDictionaryAsync(i => i.Id, i => i.CorrelationId!, cancellationToken));
    }

    private static async Task<TaskDetail> DetailAsync(ManyiDbContext db, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        var files = await db.Files.AsNoTracking().Where(f => f.TaskId == task.Id).OrderBy(f => f.UploadedAt).ToListAsync(cancellationToken);
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.SubjectType == "task" && a.SubjectId == task.Id)
            .OrderBy(a => a.Id).Select(a => new TaskHistoryEntry(a.At, a.Action, a.UserName)).ToListAsync(cancellationToken);
        var lookups = await LookupsAsync(db, [task], cancellationToken);
        return new TaskDetail(TaskSummary.From(task, lookups), task.Description, task.Form is null ? null : JsonNode.Parse(task.Form),
            task.Data is null ? null : JsonNode.Parse(task.Data), task.InstanceId, [.. files.Select(TaskFile.From)], history,
            await PackageFilesAsync(db, task, cancellationToken));
    }

    /// <summary>
    /// For a task for a role or a person (no organization), e.g. the completeness check or the national review in an
    /// organization's workflow: the files of the instance's other tasks, the organization's package. Empty otherwise,
    /// since an instance may hold several organizations' tasks.
    /// </summary>
    private static async Task<IReadOnlyList<PackageFile>> PackageFilesAsync(ManyiDbContext db, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (task.OrganizationId is not null) return [];
        var rows = await (from f in db.Files.AsNoTracking()
                          join t in db.Tasks.AsNoTracking() on f.TaskId equals t.Id
                          where t.InstanceId == task.InstanceId && t.Id != task.Id
                          select new { File = f, t.Title }).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.File.UploadedAt).ThenBy(r => r.File.Id).Select(r => new PackageFile(r.File.TaskId, r.Title, TaskFile.From(r.File)))];
    }
}

public sealed record CompleteTaskRequest(string? Outcome, JsonObject? Data);

public sealed record ReassignTaskRequest(string? User, string? Organization, string? Reason);

public sealed record CancelTaskRequest(string? Reason);

public sealed record TaskLookups(IReadOnlyDictionary<string, string> OrganizationNames, IReadOnlyDictionary<string, string> CorrelationIds);

/// <summary>A task in a list; <see cref="CorrelationId"/> is its instance's, e.g. the organization a reviewer's task is about.</summary>
public sealed record TaskSummary(
    string Id, string InstanceId, string? CorrelationId, string Title, string? Stage, string Status, string[] Outcomes, DateTimeOffset? DueAt, bool IsOverdue,
    string? OrganizationId, string? OrganizationName, string? AssigneeUserId, string? AssigneeRole, string? ClaimedByUserId,
    DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, string? ClosedBy, string? Outcome)
{
    public static TaskSummary From(HumanTaskRecord t, TaskLookups lookups) => new(
        t.Id, t.InstanceId, lookups.CorrelationIds.GetValueOrDefault(t.InstanceId), t.Title, t.Stage, t.Status, JsonSerializer.Deserialize<string[]>(t.Outcomes) ?? [], t.DueAt, t.IsOverdue,
        t.OrganizationId, t.OrganizationId is null ? null : lookups.OrganizationNames.GetValueOrDefault(t.OrganizationId), t.AssigneeUserId, t.AssigneeRole,
        t.ClaimedByUserId, t.CreatedAt, t.ClosedAt, t.ClosedByName, t.Outcome);
}

public sealed record TaskDetail(
    TaskSummary Task, string? Description, JsonNode? Form, JsonNode? Data, string InstanceId, IReadOnlyList<TaskFile> Files,
    IReadOnlyList<TaskHistoryEntry> History, IReadOnlyList<PackageFile> PackageFiles);

/// <summary>A file of another task of the same instance, with that task's title: part of the package a reviewer reads.</summary>
public sealed record PackageFile(string TaskId, string TaskTitle, TaskFile File);

public sealed record TaskFile(string Id, string FileName, string ContentType, long Size, string Sha256, DateTimeOffset UploadedAt)
{
    public static TaskFile From(StoredFileRecord f) => new(f.Id, f.FileName, f.ContentType, f.Size, f.Sha256, f.UploadedAt);
}

public sealed record TaskHistoryEntry(DateTimeOffset At, string Action, string? By);
