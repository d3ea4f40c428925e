using System.Globalization;
using System.Text.Json.Nodes;
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

    /// <summary>
    /// The stages in campaign order: the task stage names of <c>workflows/campaign.json</c> (notice, publication) and
    /// <c>workflows/participant.json</c> (the rest), and the campaign setting (<c>campaign.dates.*</c>) that plans each.
    /// </summary>
    public static readonly IReadOnlyList<TimelineStageDefinition> Stages =
    [
        new("notice", "活动通知", "Campaign notice", "noticeIssued", TimelineActor.Association, InCampaignWorkflow: true),
        new("headcount", "培训人数报送", "Headcount report", "headcountDue", TimelineActor.Organization),
        new("signup", "培训报名", "Training sign-up", "signupDue", TimelineActor.Organization),
        new("certificate", "培训合格证书", "Training certificates", "certificateDue", TimelineActor.Organization),
        new("survey", "满意度测评结果", "Satisfaction survey", "surveyDue", TimelineActor.Organization),
        new("conditions", "基本条件", "Basic conditions", "submissionDue", TimelineActor.Organization),
        new("submission", "申报材料报送", "Submission", "submissionDue", TimelineActor.Organization),
        new("completeness", "申报材料形式审查", "Completeness check", "reviewDue", TimelineActor.Association),
        new("review", "国家评审", "National review", "reviewDue", TimelineActor.Reviewers),
        new("publication", "评级结果发布", "Publication of the ratings", "publishBy", TimelineActor.Association, InCampaignWorkflow: true),
    ];

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
        var dates = settings?["dates"] as JsonObject;
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
            var instanceId = definition.InCampaignWorkflow ? campaign.Id : participant?.Id;
            var planned = PlannedAt(dates, definition.DateSetting);
            var ofStage = tasks.Where(t => t.InstanceId == instanceId && t.Stage == definition.Stage)
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
            stages.Add(new TimelineStage(definition.Stage, definition.Title, definition.TitleEn, definition.Actor, status, planned,
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
            .Where(i => i.DefinitionId == CampaignsApi.DefinitionId && i.Status != nameof(WorkflowStatus.Cancelled))
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

    private static DateTimeOffset? PlannedAt(JsonObject? dates, string setting) =>
        dates?[setting] is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
}

/// <summary>Who acts in a stage: the organization's participants, the association's secretariat, or the reviewers.</summary>
public enum TimelineActor
{
    Organization,
    Association,
    Reviewers,
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

public sealed record TimelineStageDefinition(string Stage, string Title, string TitleEn, string DateSetting, TimelineActor Actor, bool InCampaignWorkflow = false);

/// <summary>An organization's campaign; <see cref="Year"/> and <see cref="CampaignInstanceId"/> are null when no campaign includes it yet.</summary>
public sealed record OrganizationTimeline(string OrganizationId, string OrganizationName, int? Year, string? CampaignInstanceId, IReadOnlyList<TimelineStage> Stages);

/// <summary>
/// One stage: <see cref="PlannedAt"/> from the campaign's settings; <see cref="DueAt"/> and <see cref="TaskId"/> from its
/// task once opened (the task id only for the organization's own tasks); <see cref="CompletedAt"/> once it closed.
/// </summary>
public sealed record TimelineStage(string Stage, string Title, string TitleEn, TimelineActor Actor, TimelineStatus Status, DateTimeOffset? PlannedAt,
    DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, string? Outcome, string? TaskId, string? TaskTitle, bool IsOverdue);
