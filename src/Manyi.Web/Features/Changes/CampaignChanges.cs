using Manyi.Campaign;
using Manyi.Engine.Calendar;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Components;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Manyi.Web.Infrastructure.Services;

namespace Manyi.Web.Features.Changes;

/// <summary>
/// What changed in a campaign year since the same time on the previous working day (or since a given instant), as the
/// secretariat asks each morning: tasks completed by stage, tasks whose deadline passed without them done, files
/// uploaded, and reminders, overdue notices and escalations e-mailed. Counts the year's own instances (the campaign's
/// and each organization's), for the dashboard's panel and <c>GET /api/campaigns/{year}/changes</c> alike.
/// </summary>
public sealed class CampaignChanges(ManyiDbContext db, CampaignDashboard dashboard, BusinessCalendar calendar, TimeProvider time)
{
    public async Task<Outcome<CampaignChangeList>> SinceAsync(int year, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = (since ?? PreviousWorkingDay(now)).ToUniversalTime();
        if (from > now)
            return new Failure.Invalid("since", $"起点 {Dates.Beijing(from)} 晚于现在。since ({from:O}) is after now.");
        if (await dashboard.InstanceIdsAsync(year, cancellationToken) is not { Count: > 0 } instanceIds)
            return new Failure.NotFound($"{year} 年度活动不存在。There is no {year} campaign.");
        var tasks = db.Tasks.AsNoTracking().Where(t => instanceIds.Contains(t.InstanceId));

        // PostgreSQL compares instants in UTC only: every bound here is UTC.
        var completed = await tasks.Where(t => t.Status == HumanTaskStatus.Completed && t.ClosedAt >= from && t.ClosedAt <= now)
            .GroupBy(t => t.Stage).Select(g => new { Stage = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        // A deadline that passed in the window with the task not done by it: still open, or closed (done, expired, withdrawn) after it.
        var overdue = await tasks.Where(Tasks.TaskService.BecameOverdue(from, now))
            .CountAsync(cancellationToken);
        var uploads = await db.Files.AsNoTracking().Where(f => f.UploadedAt >= from && f.UploadedAt <= now && tasks.Any(t => t.Id == f.TaskId))
            .Select(f => f.TaskId).ToListAsync(cancellationToken);
        var kinds = ReminderKinds.All.ToList();
        // E-mails only: a chat robot's line repeats what the e-mails say.
        var messages = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.InstanceId != null && instanceIds.Contains(m.InstanceId) && kinds.Contains(m.Kind) && m.ChannelId == null
                && m.CreatedAt >= from && m.CreatedAt <= now)
            .GroupBy(m => m.Kind).Select(g => new { Kind = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);

        var stages = completed.OrderBy(c => StageRank(c.Stage)).ThenBy(c => c.Stage, StringComparer.Ordinal).Select(c =>
        {
            var (zh, en) = DisplayNames.Stage(c.Stage);
            return new StageCount(c.Stage, zh, en, c.Count);
        }).ToList();
        var sent = messages.OrderBy(m => kinds.IndexOf(m.Kind)).Select(m =>
        {
            var (zh, en) = DisplayNames.EmailKind(m.Kind);
            return new KindCount(m.Kind, zh, en, m.Count);
        }).ToList();
        return new CampaignChangeList(year, from, now, stages, overdue, uploads.Count, uploads.Distinct().Count(), sent);
    }

    /// <summary>The same local time on the working day before today's (a Monday morning looks back to Friday's).</summary>
    public DateTimeOffset PreviousWorkingDay(DateTimeOffset now)
    {
        var local = calendar.ToLocal(now);
        var day = calendar.PreviousWorkingDay(DateOnly.FromDateTime(local.DateTime), includingToday: false);
        return calendar.At(day, TimeOnly.FromDateTime(local.DateTime)).ToUniversalTime();
    }

    private static int StageRank(string? stage) =>
        CampaignStages.Find(stage) is { } known ? CampaignStages.All.ToList().IndexOf(known) : int.MaxValue;
}

/// <summary>
/// What changed in <see cref="Year"/> between <see cref="Since"/> and <see cref="Now"/>: tasks completed by stage, tasks that
/// became overdue, files uploaded (and the tasks they went to), and chasing e-mails by kind. <see cref="Quiet"/> when nothing did.
/// </summary>
public sealed record CampaignChangeList(int Year, DateTimeOffset Since, DateTimeOffset Now, IReadOnlyList<StageCount> Completed, int BecameOverdue,
    int FilesUploaded, int TasksWithUploads, IReadOnlyList<KindCount> Emails)
{
    public bool Quiet => Completed.Count == 0 && BecameOverdue == 0 && FilesUploaded == 0 && Emails.Count == 0;
}

/// <summary>Tasks of a stage (its code and names; no stage: null) counted.</summary>
public sealed record StageCount(string? Stage, string Zh, string En, int Count);

/// <summary>E-mails of a kind (its code and names) counted.</summary>
public sealed record KindCount(string Kind, string Zh, string En, int Count);
