using Manyi.Campaign;
using Manyi.Engine.Calendar;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Risks;

/// <summary>
/// Who is at risk of being late: every open, not yet overdue task of the year's organizations scored by
/// <see cref="RiskRule"/> from what the database already holds — the working days left on the business calendar,
/// reminders sent since the task opened with no upload or draft after the last one, files uploaded or a draft saved, and the organization's
/// late tasks this year and in earlier years.
/// </summary>
public sealed class CampaignRisks(ManyiDbContext db, CampaignDashboard dashboard, BusinessCalendar calendar, IOptions<RiskRule> rule, TimeProvider time)
{
    /// <summary>The most working days counted; further deadlines score nothing for nearness anyway.</summary>
    private const int Horizon = 30;

    /// <summary>The messages that remind the organization itself (an escalation goes to the secretariat).</summary>
    private static readonly string[] ReminderKindsToOrganization = [ReminderKind.Reminder.Name(), ReminderKind.Overdue.Name()];

    public async Task<Outcome<CampaignRiskList>> ListAsync(int year, CancellationToken cancellationToken)
    {
        if (await dashboard.ParticipantsAsync(year, cancellationToken) is not { } participants)
            return new Failure.NotFound($"{year} 年度活动不存在。There is no {year} campaign.");
        var now = time.GetUtcNow();
        var organizationOf = participants.Children.ToDictionary(c => c.Value, c => c.Key, StringComparer.Ordinal);
        var instanceIds = organizationOf.Keys.ToList();

        var tasks = await db.Tasks.AsNoTracking().Where(t => instanceIds.Contains(t.InstanceId))
            .Select(t => new { t.Id, t.InstanceId, t.Stage, t.Status, t.DueAt, t.IsOverdue, t.CreatedAt, t.ClosedAt })
            .ToListAsync(cancellationToken);
        var open = tasks.Where(t => t.Status == HumanTaskStatus.Open && t.DueAt is { } due && due > now && !t.IsOverdue).ToList();
        var openIds = open.Select(t => t.Id).ToList();
        var openInstances = open.Select(t => t.InstanceId).Distinct().ToList();

        var uploads = await db.Files.AsNoTracking().Where(f => openIds.Contains(f.TaskId))
            .GroupBy(f => f.TaskId).Select(g => new { TaskId = g.Key, Last = g.Max(f => f.UploadedAt) })
            .ToDictionaryAsync(g => g.TaskId, g => g.Last, cancellationToken);
        // A draft saved counts as progress as an upload does: the organization is working on it.
        foreach (var draft in await db.TaskDrafts.AsNoTracking().Where(d => openIds.Contains(d.TaskId))
                     .Select(d => new { d.TaskId, d.SavedAt }).ToListAsync(cancellationToken))
            if (!uploads.TryGetValue(draft.TaskId, out var upload) || draft.SavedAt > upload) uploads[draft.TaskId] = draft.SavedAt;
        var reminders = (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.InstanceId != null && openInstances.Contains(m.InstanceId) && ReminderKindsToOrganization.Contains(m.Kind) && m.ChannelId == null)
                .Select(m => new { m.InstanceId, m.CreatedAt }).ToListAsync(cancellationToken))
            .ToLookup(m => m.InstanceId!, m => m.CreatedAt);
        var lateThisYear = tasks.Where(t => IsLate(t.Status, t.DueAt, t.ClosedAt, t.IsOverdue, now))
            .GroupBy(t => organizationOf[t.InstanceId]).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var lateEarlier = await LateInEarlierYearsAsync(participants, now, cancellationToken);
        var names = await db.Organizations.AsNoTracking().Where(o => participants.OrganizationIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

        var rows = new List<OrganizationRisk>();
        foreach (var task in open)
        {
            var organization = organizationOf[task.InstanceId];
            var uploaded = uploads.TryGetValue(task.Id, out var lastUpload);
            // One reminder goes to several recipients, one row each, queued at one instant: distinct instants are reminders.
            var sent = reminders[task.InstanceId].Where(at => at >= task.CreatedAt).Distinct().ToList();
            var unanswered = sent.Count(at => !uploaded || at > lastUpload);
            var facts = new RiskFacts(WorkingDaysLeft(now, task.DueAt!.Value), unanswered, uploaded,
                lateThisYear.GetValueOrDefault(organization), lateEarlier.GetValueOrDefault(organization));
            var score = rule.Value.Score(facts);
            var stage = task.Stage is null ? null : CampaignStages.Find(task.Stage);
            rows.Add(new OrganizationRisk(organization, names.GetValueOrDefault(organization) ?? organization, task.Stage, stage?.Zh, stage?.En,
                task.Id, task.DueAt.Value, facts.WorkingDaysLeft, score.Level, score.Points, score.Reasons, facts));
        }
        var ordered = rows.OrderByDescending(r => r.Points).ThenBy(r => r.DueAt).ThenBy(r => r.TaskId, StringComparer.Ordinal).ToList();
        return new CampaignRiskList(year, now, rule.Value, ordered);
    }

    /// <summary>
    /// A task the organization was late with: done after its deadline, closed by its deadline undone (a stage that closes
    /// at its deadline, such as the sign-up: the worst lateness, and before, not counted), or still open past it (flagged
    /// overdue, or its deadline's timer not yet run).
    /// </summary>
    private static bool IsLate(HumanTaskStatus status, DateTimeOffset? due, DateTimeOffset? closed, bool overdue, DateTimeOffset now) =>
        status == HumanTaskStatus.Expired
        || (status == HumanTaskStatus.Completed && due is not null && closed > due)
        || (status == HumanTaskStatus.Open && (overdue || due <= now));

    /// <summary>Working days from today (when a working day) up to the deadline's day, both in the calendar's zone.</summary>
    private int WorkingDaysLeft(DateTimeOffset now, DateTimeOffset due)
    {
        var day = DateOnly.FromDateTime(calendar.ToLocal(now).DateTime);
        var last = DateOnly.FromDateTime(calendar.ToLocal(due).DateTime);
        var count = 0;
        for (; day <= last && count < Horizon; day = day.AddDays(1))
            if (calendar.IsWorkingDay(day)) count++;
        return count;
    }

    /// <summary>Per organization, the tasks of its participant instances of earlier years it was late with (<see cref="IsLate"/>).</summary>
    private async Task<Dictionary<string, int>> LateInEarlierYearsAsync(CampaignParticipants participants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = participants.Campaign.CreatedAt;
        var organizations = participants.OrganizationIds.ToList();
        // Earlier years ran the same definition the campaign dispatches now, correlated by organization.
        var current = participants.Children.Values.ToList();
        var definitions = await db.WorkflowInstances.AsNoTracking().Where(i => current.Contains(i.Id)).Select(i => i.DefinitionId).Distinct()
            .ToListAsync(cancellationToken);
        var earlier = await db.WorkflowInstances.AsNoTracking()
            .Where(i => definitions.Contains(i.DefinitionId) && i.CreatedAt < started && i.CorrelationId != null && organizations.Contains(i.CorrelationId))
            .Select(i => new { i.Id, i.CorrelationId }).ToListAsync(cancellationToken);
        if (earlier.Count == 0) return [];
        var organizationOf = earlier.ToDictionary(i => i.Id, i => i.CorrelationId!, StringComparer.Ordinal);
        var ids = organizationOf.Keys.ToList();
        var ended = await db.Tasks.AsNoTracking()
            .Where(t => ids.Contains(t.InstanceId) && t.DueAt != null)
            .Select(t => new { t.InstanceId, t.Status, t.DueAt, t.ClosedAt, t.IsOverdue }).ToListAsync(cancellationToken);
        return ended.Where(t => IsLate(t.Status, t.DueAt, t.ClosedAt, t.IsOverdue, now)).GroupBy(t => organizationOf[t.InstanceId])
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }
}

/// <summary>The year's open tasks by risk, and the rule (its weights) that scored them.</summary>
public sealed record CampaignRiskList(int Year, DateTimeOffset Now, RiskRule Rule, IReadOnlyList<OrganizationRisk> Items);

/// <summary>One open task of an organization, its level, points and reasons, and the facts the rule read.</summary>
public sealed record OrganizationRisk(string OrganizationId, string OrganizationName, string? Stage, string? StageZh, string? StageEn,
    string TaskId, DateTimeOffset DueAt, int WorkingDaysLeft, RiskLevel Level, int Points, IReadOnlyList<RiskReason> Reasons, RiskFacts Facts);
