using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Timeline;

/// <summary>
/// An organization's way through this year's campaign: each stage of <c>workflows/participant.json</c> (with the
/// campaign's notice before and the publication after) as done (when), current (due when, which task) or upcoming
/// (planned when, from the campaign's settings, e.g. <c>campaigns/2025.json</c>). The page, the API and the calendar
/// feed read the same <see cref="BuildAsync"/>.
/// </summary>
public static class TimelineApi
{
    /// <summary>The campaign workflow's activity that starts one participant workflow per organization.</summary>
    private const string DispatchActivityId = "participants";

    /// <summary>The stages a timeline shows: those a task stands for, from <see cref="CampaignStages"/>.</summary>
    public static IReadOnlyList<CampaignStage> Stages => CampaignStages.WithTask;

    public static RouteGroupBuilder MapTimelineApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/organizations").WithTags("Timeline");
        group.MapGet("/{id}/timeline", Get).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The organization's timeline, for its participants and administrators; anyone else gets 404.</summary>
    public static async Task<Results<Ok<OrganizationTimeline>, ProblemHttpResult>> Get(
        string id, ManyiDbContext db, IWorkflowStore store, CurrentUser user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await user.CanActForAsync(id, cancellationToken) || await BuildAsync(db, store, id, time.GetUtcNow(), cancellationToken) is not { } timeline)
            return Problems.NotFound($"参评单位 {id} 不存在。Organization '{id}' does not exist.");
        return TypedResults.Ok(timeline);
    }

    /// <summary>
    /// The timeline of the latest campaign (not cancelled) that includes the organization; one without stages when no
    /// campaign includes it yet; null when there is no such organization. Access is the caller's to check.
    /// </summary>
    public static async Task<OrganizationTimeline?> BuildAsync(ManyiDbContext db, IWorkflowStore store, string organizationId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
        if (organization is null) return null;
        var (campaign, participantId) = await CampaignOfAsync(db, store, organizationId, cancellationToken);
        if (campaign is null) return new OrganizationTimeline(organizationId, organization, null, null, []);

        var settings = campaign.State.Input.GetValueOrDefault("campaign") as JsonObject;
        var participant = participantId is null ? null
            : await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == participantId).Select(i => new { i.Id, i.Status }).FirstOrDefaultAsync(cancellationToken);
        var instanceIds = new[] { campaign.Id, participant?.Id }.OfType<string>().ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => instanceIds.Contains(t.InstanceId)).ToListAsync(cancellationToken);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        if (campaign.Status is WorkflowStatus.Finished or WorkflowStatus.Cancelled or WorkflowStatus.Faulted) ended.Add(campaign.Id);
        if (participant?.Status is nameof(WorkflowStatus.Finished) or nameof(WorkflowStatus.Cancelled) or nameof(WorkflowStatus.Faulted)) ended.Add(participant.Id);

        var stages = new List<TimelineStage>();
        foreach (var definition in Stages)
        {
            var instanceId = definition.Workflow == StageWorkflow.Campaign ? campaign.Id : participant?.Id;
            var planned = PlannedAt(definition.SettingIn(settings));
            var ofStage = tasks.Where(t => t.InstanceId == instanceId && t.Stage == definition.Id)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
            var open = ofStage.FirstOrDefault(t => t.Status == nameof(HumanTaskStatus.Open));
            var last = open ?? ofStage.LastOrDefault();
            var status = last?.Status switch
            {
                nameof(HumanTaskStatus.Open) => TimelineStatus.Current,
                nameof(HumanTaskStatus.Completed) => TimelineStatus.Done,
                nameof(HumanTaskStatus.Expired) => TimelineStatus.Missed,
                nameof(HumanTaskStatus.Cancelled) => TimelineStatus.Skipped,
                // Not reached: upcoming while its workflow runs (or is yet to start), skipped once the workflow ended without it.
                _ => instanceId is not null && ended.Contains(instanceId) ? TimelineStatus.Skipped : TimelineStatus.Upcoming,
            };
            // A participant opens the organization's own tasks; the association's and the reviewers' are not theirs to open.
            var taskId = last is not null && last.OrganizationId == organizationId ? last.Id : null;
            stages.Add(new TimelineStage(definition.Id, definition.Zh, definition.En, definition.Actor, status, planned,
                last?.DueAt, status is TimelineStatus.Done or TimelineStatus.Missed or TimelineStatus.Skipped ? last?.ClosedAt : null,
                last?.Outcome, taskId, last?.Title, status == TimelineStatus.Current && (last!.IsOverdue || last.DueAt <= now)));
        }
        return new OrganizationTimeline(organizationId, organization, settings?["year"]?.GetValue<int>(), campaign.Id, stages);
    }

    /// <summary>The latest campaign that includes the organization, and the organization's participant workflow in it (once started).</summary>
    private static async Task<(WorkflowInstance? Campaign, string? ParticipantId)> CampaignOfAsync(ManyiDbContext db, IWorkflowStore store,
        string organizationId, CancellationToken cancellationToken)
    {
        var campaigns = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == CampaignService.DefinitionId && i.Status != nameof(WorkflowStatus.Cancelled))
            .OrderByDescending(i => i.CreatedAt).Select(i => i.Id).ToListAsync(cancellationToken);
        foreach (var id in campaigns)
        {
            if (await store.FindInstanceAsync(id, cancellationToken) is not { } campaign) continue;
            var children = campaign.State.ActivityOutputs.GetValueOrDefault(DispatchActivityId)?.GetValueOrDefault("Children") as JsonObject;
            if (children?[organizationId] is JsonValue child) return (campaign, child.ToString());
            var members = campaign.State.Input.GetValueOrDefault("organizations") as JsonArray ?? [];
            if (members.Any(m => m is JsonValue v && v.ToString() == organizationId)) return (campaign, null);
        }
        return (null, null);
    }

    private static DateTimeOffset? PlannedAt(JsonNode? setting) =>
        setting is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
}

public enum TimelineStatus
{
    /// <summary>Its task was completed.</summary>
    Done,

    /// <summary>Its task is open now.</summary>
    Current,

    /// <summary>Not reached yet; planned on the campaign's date.</summary>
    Upcoming,

    /// <summary>Its task expired: the deadline passed.</summary>
    Missed,

    /// <summary>The organization's workflow ended without it (e.g. not eligible), or its task was withdrawn.</summary>
    Skipped,
}

/// <summary>An organization's campaign; <see cref="Year"/> and <see cref="CampaignInstanceId"/> are null when no campaign includes it yet.</summary>
public sealed record OrganizationTimeline(string OrganizationId, string OrganizationName, int? Year, string? CampaignInstanceId, IReadOnlyList<TimelineStage> Stages);

/// <summary>
/// One stage: <see cref="PlannedAt"/> from the campaign's settings; <see cref="DueAt"/> and <see cref="TaskId"/> from its
/// task once opened (the task id only for the organization's own tasks); <see cref="CompletedAt"/> once it closed.
/// </summary>
public sealed record TimelineStage(string Stage, string Title, string TitleEn, StageActor Actor, TimelineStatus Status, DateTimeOffset? PlannedAt,
    DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, string? Outcome, string? TaskId, string? TaskTitle, bool IsOverdue);
