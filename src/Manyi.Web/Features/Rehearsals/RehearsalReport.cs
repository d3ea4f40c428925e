using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Campaign;
using Manyi.Engine.Calendar;
using Manyi.Engine.Tasks;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Web.Components;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// Reads what the sandboxed year left behind into a <see cref="RehearsalResult"/>'s lists: the tasks as deadlines, the
/// outbox as the messages that would have been sent (each by organization: the workflow it came from, else its
/// addresses), the participant workflows' results as the ends, and the incidents and unsent ladder steps as findings.
/// </summary>
public sealed partial class RehearsalReport(ManyiDbContext sandbox, BusinessCalendar calendar, RehearsalPlan plan, IReadOnlyCollection<string> secretariat)
{
    /// <summary>The e-mail kinds of a reminder ladder's steps (<see cref="ReminderKind"/>).</summary>

    public async Task<IReadOnlyList<RehearsalDeadline>> DeadlinesAsync(CancellationToken cancellationToken)
    {
        var organizationOf = await OrganizationOfInstanceAsync(cancellationToken);
        var tasks = await sandbox.Tasks.AsNoTracking().ToListAsync(cancellationToken);
        return [.. tasks.Select(t => new RehearsalDeadline(t.OrganizationId ?? organizationOf.GetValueOrDefault(t.InstanceId), t.Stage, t.Title,
                t.CreatedAt, t.DueAt, t.ClosedAt, t.Status.ToString(), t.IsOverdue))
            .OrderBy(d => d.DueAt ?? d.OpenedAt).ThenBy(d => d.OrganizationId, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<RehearsalMessage>> MessagesAsync(CancellationToken cancellationToken)
    {
        var organizationOf = await OrganizationOfInstanceAsync(cancellationToken);
        var contacts = await sandbox.OrganizationContacts.AsNoTracking().Select(c => new { c.Email, c.OrganizationId }).ToListAsync(cancellationToken);
        var byAddress = contacts.GroupBy(c => c.Email, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(c => c.OrganizationId).ToList(), StringComparer.OrdinalIgnoreCase);
        var stages = await sandbox.Tasks.AsNoTracking().Select(t => new { t.InstanceId, t.ActivityId, t.Stage }).Distinct().ToListAsync(cancellationToken);
        var stageOf = stages.GroupBy(s => (s.InstanceId, s.ActivityId)).ToDictionary(g => g.Key, g => g.First().Stage);
        var rows = await sandbox.OutboxMessages.AsNoTracking().OrderBy(m => m.Id)
            .Select(m => new { m.Key, m.Kind, m.InstanceId, m.To, m.Subject, m.CreatedAt, m.ChannelId }).ToListAsync(cancellationToken);
        var messages = new List<RehearsalMessage>();
        foreach (var row in rows)
        {
            // "Name" <address> or a bare address, comma-separated.
            var addresses = Address().Matches(row.To).Select(m => m.Value).ToList();
            var toSecretariat = addresses.Any(a => secretariat.Contains(a, StringComparer.OrdinalIgnoreCase));
            // A reminder's key: instance:activity:deadline:step — the step and, through the task, the stage.
            var key = row.Key.Split(':');
            var isReminder = ReminderKinds.All.Contains(row.Kind) && key.Length == 4 && row.InstanceId == key[0];
            var stage = isReminder ? stageOf.GetValueOrDefault((key[0], key[1])) : null;
            var step = isReminder ? key[3] : null;
            var day = DateOnly.FromDateTime(calendar.ToLocal(row.CreatedAt).DateTime);
            var reached = addresses.SelectMany(a => byAddress.GetValueOrDefault(a) ?? []).Distinct().ToList();
            var fromInstance = row.InstanceId is null ? null : organizationOf.GetValueOrDefault(row.InstanceId);
            IEnumerable<string?> organizations = reached.Count > 0 ? reached.Cast<string?>() : [fromInstance];
            foreach (var organization in organizations)
                messages.Add(new RehearsalMessage(row.CreatedAt, day, row.Kind, organization, toSecretariat, row.ChannelId is not null,
                    row.Subject, stage, step));
        }
        return messages;
    }

    /// <summary>Each organization's end: its participant workflow's result, the stage that result ends at, when, and the rating.</summary>
    public async Task<IReadOnlyList<RehearsalEnd>> EndsAsync(CancellationToken cancellationToken)
    {
        var instances = await sandbox.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == RehearsalService.ParticipantDefinitionId)
            .Select(i => new { i.CorrelationId, i.Status, i.FinishedAt, i.State }).ToListAsync(cancellationToken);
        var ends = new List<RehearsalEnd>();
        foreach (var organization in plan.Organizations)
        {
            var instance = instances.FirstOrDefault(i => i.CorrelationId == organization);
            if (instance is null)
            {
                ends.Add(new RehearsalEnd(organization, RehearsalEnds.NotStarted, null, null, null));
                continue;
            }
            var variables = StateFormat.Read(instance.State).Variables;
            var result = variables.GetValueOrDefault("result") is JsonValue value ? value.ToString() : null;
            var rating = variables.GetValueOrDefault("rating") is JsonValue r ? r.ToString() : null;
            ends.Add(instance.Status switch
            {
                nameof(WorkflowStatus.Finished) when result is not null => new RehearsalEnd(organization, result, RehearsalEnds.StageOf(result), instance.FinishedAt, rating),
                nameof(WorkflowStatus.Finished) => new RehearsalEnd(organization, RehearsalEnds.FinishedWithoutResult, null, instance.FinishedAt, null),
                nameof(WorkflowStatus.Faulted) => new RehearsalEnd(organization, RehearsalEnds.Faulted, null, null, null),
                _ => new RehearsalEnd(organization, RehearsalEnds.NotFinished, await OpenStageAsync(organization, cancellationToken), null, null),
            });
        }
        return ends;
    }

    private async Task<string?> OpenStageAsync(string organization, CancellationToken cancellationToken) =>
        await sandbox.Tasks.AsNoTracking().Where(t => t.OrganizationId == organization && t.Status == HumanTaskStatus.Open)
            .Select(t => t.Stage).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Incidents of the sandboxed workflows, each a finding naming the organization and the activity.</summary>
    public async Task<IReadOnlyList<RehearsalFinding>> IncidentsAsync(CancellationToken cancellationToken)
    {
        var organizationOf = await OrganizationOfInstanceAsync(cancellationToken);
        var incidents = await sandbox.Incidents.AsNoTracking().OrderBy(i => i.At).ToListAsync(cancellationToken);
        return [.. incidents.GroupBy(i => (i.ActivityId, i.Message)).Select(g =>
        {
            var who = string.Join("、", g.Select(i => plan.NameOf(organizationOf.GetValueOrDefault(i.InstanceId))).Distinct().Take(5));
            var activity = DisplayNames.Activity(g.First().ActivityType);
            return RehearsalFinding.Error(null,
                $"流程步骤「{activity.Zh}」出错（{g.Count()} 次，{who}）：{g.Key.Message}",
                $"The workflow step '{activity.En}' failed ({g.Count()} times, {who}): {g.Key.Message}");
        })];
    }

    /// <summary>
    /// Reminder steps that could never be sent because they fall before their task opens (a ladder step before the year
    /// starts): the ladder of the task's activity, scheduled from the deadline, against the moment the task opened.
    /// </summary>
    public async Task<IReadOnlyList<RehearsalFinding>> UnsentStepsAsync(CancellationToken cancellationToken)
    {
        var definitions = await sandbox.WorkflowDefinitions.AsNoTracking().Where(d => d.Status == Manyi.Persistence.Records.DefinitionStatus.Published)
            .ToListAsync(cancellationToken);
        var ladders = new Dictionary<(string, string), ReminderLadder>();
        foreach (var definition in definitions)
            foreach (var (activityId, ladder) in LaddersOf(ElsaJson.Read(definition.Json).Root))
                ladders[(definition.DefinitionId, activityId)] = ladder;
        var tasks = await sandbox.Tasks.AsNoTracking().Where(t => t.DueAt != null)
            .Select(t => new { t.DefinitionId, t.ActivityId, t.Stage, t.Title, t.CreatedAt, t.DueAt }).ToListAsync(cancellationToken);
        var findings = new List<RehearsalFinding>();
        foreach (var group in tasks.GroupBy(t => (t.DefinitionId, t.ActivityId)))
        {
            if (!ladders.TryGetValue(group.Key, out var ladder)) continue;
            var missed = group.Select(t => ladder.Schedule(t.DueAt!.Value, DateTimeOffset.MinValue, calendar).Where(s => s.At <= t.CreatedAt)
                .Select(s => (s.Label, s.At)).ToList()).Where(steps => steps.Count > 0).ToList();
            if (missed.Count == 0) continue;
            var unsent = missed.SelectMany(steps => steps).Distinct().OrderBy(s => s.At).ToList();
            var first = group.First();
            var stage = DisplayNames.Stage(first.Stage ?? first.ActivityId);
            var steps = unsent.Select(s => (Step: DisplayNames.ReminderStep(s.Label), s.At)).ToList();
            findings.Add(RehearsalFinding.Warning($"{group.Key.DefinitionId}.{group.Key.ActivityId}.reminders",
                $"「{stage.Zh}」有 {missed.Count} 个任务的提醒早于任务开始，不会发送：{string.Join("、", steps.Select(s => $"{s.Step.Zh}（{Dates.Beijing(s.At)}）"))}。",
                $"For {missed.Count} '{stage.En}' task(s), reminders fall before the task opens and are never sent: {string.Join(", ", steps.Select(s => $"{s.Step.En} ({Dates.Beijing(s.At)})"))}."));
        }
        return findings;
    }

    private static IEnumerable<(string ActivityId, ReminderLadder Ladder)> LaddersOf(Manyi.Engine.Model.ActivityNode node)
    {
        if (node.Properties["reminders"] is JsonObject ladder && !ladder.ContainsKey("expression")
            && ladder.Deserialize<ReminderLadder>(JsonSerializerOptions.Web) is { } parsed)
            yield return (node.Id, parsed);
        foreach (var child in node.Activities ?? [])
            foreach (var found in LaddersOf(child))
                yield return found;
    }

    [GeneratedRegex(@"[^\s<>"",]+@[^\s<>"",]+")]
    private static partial Regex Address();

    private async Task<Dictionary<string, string>> OrganizationOfInstanceAsync(CancellationToken cancellationToken)
    {
        var instances = await sandbox.WorkflowInstances.AsNoTracking().Where(i => i.CorrelationId != null)
            .Select(i => new { i.Id, i.CorrelationId }).ToListAsync(cancellationToken);
        return instances.Where(i => plan.Knows(i.CorrelationId!)).ToDictionary(i => i.Id, i => i.CorrelationId!, StringComparer.Ordinal);
    }
}

/// <summary>How an organization's year ended, beyond the participant workflow's own results, and the stage each result ends at.</summary>
public static class RehearsalEnds
{
    public const string NotStarted = "NotStarted";
    public const string NotFinished = "NotFinished";
    public const string Faulted = "Faulted";
    public const string FinishedWithoutResult = "Finished";

    /// <summary>The stage a participant workflow's result ends the year at (the dashboard's table); a rating ends at the rating.</summary>
    public static string? StageOf(string result) => result switch
    {
        "Reviewed" => CampaignStages.Rated.Id,
        "SignupClosed" => CampaignStages.Signup.Id,
        _ => CampaignDashboard.EndedAt.GetValueOrDefault(result),
    };
}
