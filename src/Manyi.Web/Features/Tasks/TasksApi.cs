using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Tasks;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Files;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// The task endpoints: the inbox and what people do with a task: claim, release, complete (with the form's data), attach
/// files, keep a draft of the form; and for administrators reassign and cancel. The rules are <see cref="TaskService"/>'s; a task someone may not
/// see answers 404, as if it did not exist.
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
        group.MapGet("/{id}/draft", GetDraft).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}/draft", SaveDraft).Accepts<JsonObject>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapDelete("/{id}/draft", DiscardDraft).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/reassign", Reassign).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(ManyiPolicies.Administrator);
        group.MapPost("/{id}/remind", RemindNow.Send).RequireAuthorization(ManyiPolicies.Administrator)
            .RequireAccountLimit(AccountThrottle.Kind.AdministratorEmail)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        routes.MapGet("/files/{fileId}", Download).WithTags("Tasks").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>My tasks, or for an administrator with <c>all=true</c> everyone's; see <see cref="TaskService.ListAsync"/>.</summary>
    public static async Task<Results<Ok<Page<TaskSummary>>, ValidationProblem, ProblemHttpResult>> List(
        [AsParameters] TaskQuery query, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.ListAsync(query, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Get(string id, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.GetAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Claim(string id, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.ClaimAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Release(string id, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.ReleaseAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Complete(
        string id, CompleteTaskRequest body, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.CompleteAsync(id, body, cancellationToken)).ToOk();

    /// <summary>Attaches the multipart field <c>file</c> to a task; see <see cref="TaskService.AttachAsync"/>.</summary>
    public static async Task<Results<Created<TaskFile>, ValidationProblem, ProblemHttpResult>> Upload(
        string id, IFormFile? file, [FromQuery] string? field, TaskService tasks, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            if (await tasks.FindAsync(id, cancellationToken) is { } missing) return missing.ToProblem();
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [FileStore.Field] = ["请选择文件（multipart 字段 file）。Attach a file as the multipart field 'file'."],
            });
        }
        await using var content = file.OpenReadStream();
        return (await tasks.AttachAsync(id, field, file.FileName, content, cancellationToken))
            .To(stored => TypedResults.Created($"/api/files/{stored.Id}", stored));
    }

    public static async Task<Results<Ok<TaskDraft>, ValidationProblem, ProblemHttpResult>> GetDraft(string id, TaskDrafts drafts, CancellationToken cancellationToken) =>
        (await drafts.GetAsync(id, cancellationToken)).ToOk();

    /// <summary>
    /// Saves the body, the form's data as typed so far, as the task's draft; see <see cref="TaskDrafts.SaveAsync"/>. The
    /// body is read raw, no more than <see cref="TaskDrafts.MaxBytes"/>, so that a draft too large is told so (413).
    /// </summary>
    public static async Task<Results<Ok<TaskDraft>, ValidationProblem, ProblemHttpResult>> SaveDraft(
        string id, HttpRequest request, TaskDrafts drafts, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        if (request.ContentLength is > TaskDrafts.MaxBytes
            || !await CopyAtMostAsync(request.Body, body, TaskDrafts.MaxBytes, cancellationToken))
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Draft too large.", detail: TaskDrafts.TooLargeMessage);
        JsonNode? data;
        try
        {
            data = body.Length == 0 ? null : JsonNode.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["data"] = [$"草稿不是有效的 JSON。The draft is not valid JSON: {ex.Message}"],
            });
        }
        return (await drafts.SaveAsync(id, data, cancellationToken)).ToOk();
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DiscardDraft(string id, TaskDrafts drafts, CancellationToken cancellationToken) =>
        (await drafts.DiscardAsync(id, cancellationToken)).To(_ => TypedResults.NoContent());

    /// <summary>Copies <paramref name="source"/> whole, or stops and answers false once it is longer than <paramref name="limit"/> bytes.</summary>
    private static async Task<bool> CopyAtMostAsync(Stream source, Stream target, int limit, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (target.Length + read > limit) return false;
            await target.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
        return true;
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> Download(
        string fileId, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.OpenFileAsync(fileId, cancellationToken)).To(opened => TypedResults.File(opened.Content, opened.Record.ContentType, opened.Record.FileName));

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Reassign(
        string id, ReassignTaskRequest body, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.ReassignAsync(id, body, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> Cancel(
        string id, CancelTaskRequest body, TaskService tasks, CancellationToken cancellationToken) =>
        (await tasks.CancelAsync(id, body, cancellationToken)).ToOk();
}

public sealed record CompleteTaskRequest(string? Outcome, JsonObject? Data);

public sealed record ReassignTaskRequest(string? User, string? Organization, string? Reason);

public sealed record CancelTaskRequest(string? Reason);

public sealed record TaskLookups(IReadOnlyDictionary<string, string> OrganizationNames, IReadOnlyDictionary<string, string> CorrelationIds);

/// <summary>A task in a list; <see cref="CorrelationId"/> is its instance's, e.g. the organization a reviewer's task is about.</summary>
public sealed record TaskSummary(
    string Id, string InstanceId, string? CorrelationId, string Title, string? Stage, HumanTaskStatus Status, string[] Outcomes, DateTimeOffset? DueAt, bool IsOverdue,
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
    IReadOnlyList<TaskHistoryEntry> History, IReadOnlyList<PackageFile> PackageFiles, IReadOnlyList<PackageTask> Package);

/// <summary>A completed task of the same instance with what was submitted, its stage's last: the organization's year as a reviewer reads it.</summary>
public sealed record PackageTask(string TaskId, string Title, string? Stage, DateTimeOffset? ClosedAt, string? ClosedBy, JsonNode? Form, JsonNode? Data,
    IReadOnlyList<TaskFile> Files);

/// <summary>A file of another task of the same instance, with that task's title: part of the package a reviewer reads.</summary>
public sealed record PackageFile(string TaskId, string TaskTitle, TaskFile File);

public sealed record TaskFile(string Id, string FileName, string ContentType, long Size, string Sha256, DateTimeOffset UploadedAt)
{
    public static TaskFile From(StoredFileRecord f) => new(f.Id, f.FileName, f.ContentType, f.Size, f.Sha256, f.UploadedAt);
}

public sealed record TaskHistoryEntry(DateTimeOffset At, string Action, string? By);
