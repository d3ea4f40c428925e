using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Email.Outbox;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// An administrator's "remind now" (<c>POST /api/tasks/{id}/remind</c>): the task's reminder e-mail, sent at once to
/// the people the engine's reminder ladder would send it to now (<see cref="ITaskDirectory"/>), rendered from the same
/// templates (<c>reminder</c> before the deadline, <c>overdue</c> after it), through the outbox. Each recipient gets one
/// e-mail of their own per call; the messages and the audit line commit together.
/// </summary>
public sealed class RemindNow(
    ManyiDbContext db, ITaskDirectory directory, IEmailTemplates templates, EmailOutbox outbox, BusinessCalendar calendar, AuditTrail audit,
    TimeProvider time, IOptions<ManyiOptions> options)
{
    public const string AuditAction = "task.reminded";

    public static async Task<Results<Ok<TaskReminded>, ValidationProblem, ProblemHttpResult>> Send(string id, RemindNow remind, CancellationToken cancellationToken) =>
        (await remind.SendAsync(id, cancellationToken)).ToOk();

    /// <summary>Who a "remind now" of these tasks would reach, each address once: the confirmation names how many before anything is sent.</summary>
    public Task<IReadOnlyList<string>> RecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
        directory.ReminderRecipientsAsync(taskIds, cancellationToken);

    public async Task<Outcome<TaskReminded>> SendAsync(string id, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return new Failure.NotFound($"任务 {id} 不存在。Task '{id}' does not exist.");
        if (task.Status != HumanTaskStatus.Open)
            return new Failure.Conflict(task.Status switch
            {
                HumanTaskStatus.Completed => $"任务已完成，无需提醒。The task is already completed; there is nobody to remind.",
                HumanTaskStatus.Expired => $"任务已过期关闭，无法提醒。The task expired and is closed; there is nothing to remind of.",
                _ => $"任务已取消，无需提醒。The task was cancelled; there is nothing to remind of.",
            });
        if (task.DueAt is not { } due)
            return new Failure.Conflict("任务没有截止时间；提醒邮件说明何时截止，请先设置截止时间。The task has no deadline, and a reminder says when it is due; set a deadline first.");
        var to = await directory.ReminderRecipientsAsync([id], cancellationToken);
        if (to.Count == 0)
            return new Failure.Conflict("没有可提醒的人：任务未指派给任何用户，其参评单位也没有成员或联系人。" +
                            "There is nobody to remind: the task has no assignee, and its organization has no members or contacts.");

        var now = time.GetUtcNow();
        var names = await NamesAsync(to, task.OrganizationId, cancellationToken);
        var organization = task.OrganizationId is null ? null
            : await db.Organizations.Where(o => o.Id == task.OrganizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) ?? task.OrganizationId;
        var correlationId = await db.WorkflowInstances.Where(i => i.Id == task.InstanceId).Select(i => i.CorrelationId).FirstOrDefaultAsync(cancellationToken);
        var localDue = calendar.ToLocal(due);
        // As the engine's reminder step: the reminder before the deadline, the overdue notice after it.
        var kind = due <= now || task.IsOverdue ? ReminderKind.Overdue : ReminderKind.Reminder;
        var templateKind = kind.Name();
        var publicUrl = options.Value.LinkBase;
        var batch = Guid.NewGuid().ToString("N");
        var emails = new List<OutgoingEmail>();
        foreach (var (address, index) in to.Select((a, i) => (a, i)))
        {
            var model = new JsonObject
            {
                ["title"] = task.Title,
                ["deadline"] = localDue.ToString("O", CultureInfo.InvariantCulture),
                ["daysLeft"] = DateOnly.FromDateTime(localDue.DateTime).DayNumber - DateOnly.FromDateTime(calendar.ToLocal(now).DateTime).DayNumber,
                ["step"] = "now",
                ["workflowInstanceId"] = task.InstanceId,
                ["correlationId"] = correlationId,
                ["stage"] = task.Stage,
                ["organization"] = organization,
                ["recipientName"] = names.GetValueOrDefault(address),
                ["link"] = $"{publicUrl}/tasks/{id}",
            };
            var rendered = await templates.RenderAsync(templateKind, model, cancellationToken);
            var email = new OutgoingEmail($"remind:{id}:{batch}:{index}", templateKind, [address], rendered.Subject, rendered.TextBody, rendered.HtmlBody)
            {
                InstanceId = task.InstanceId,
            };
            emails.Add(email);
        }
        outbox.Queue(emails);
        audit.Record(AuditAction, AuditSubjects.Task, id, new { kind = templateKind, to, task.InstanceId, task.ActivityId });
        // One SaveChanges: the queued e-mails and the audit line commit together; delivery follows the commit.
        await db.SaveChangesAsync(cancellationToken);
        await outbox.DispatchAsync(emails, cancellationToken);
        return new TaskReminded(id, templateKind, [.. to], now);
    }

    /// <summary>Display names of the recipients who are users or the organization's contacts, by address (any case).</summary>
    private async Task<Dictionary<string, string>> NamesAsync(IReadOnlyList<string> addresses, string? organizationId,
        CancellationToken cancellationToken)
    {
        var upper = addresses.Select(a => a.ToUpperInvariant()).ToList();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (organizationId is not null)
            foreach (var c in await db.OrganizationContacts.AsNoTracking().Where(c => c.OrganizationId == organizationId).ToListAsync(cancellationToken))
                names.TryAdd(c.Email, c.Name);
        foreach (var u in await db.Users.AsNoTracking().Where(u => upper.Contains(u.NormalizedEmail!)).Select(u => new { u.Email, u.DisplayName }).ToListAsync(cancellationToken))
            names[u.Email!] = u.DisplayName;
        return names;
    }
}

/// <summary>A reminder sent now: the template used (<c>reminder</c> or <c>overdue</c>) and who got it, one e-mail each.</summary>
public sealed record TaskReminded(string TaskId, string Kind, IReadOnlyList<string> To, DateTimeOffset At);
