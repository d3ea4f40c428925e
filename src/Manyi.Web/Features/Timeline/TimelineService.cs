using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Timeline;

/// <summary>
/// An organization's way through this year's campaign: each stage of <c>workflows/participant.json</c> (with the
/// campaign's notice before and the publication after) as done (when), current (due when, which task) or upcoming
/// (planned when, from the campaign's settings, e.g. <c>campaigns/2025.json</c>). The page, the API
/// (<see cref="TimelineApi"/>) and the calendar feed read the same <see cref="BuildAsync"/>.
/// </summary>
public sealed class TimelineService(
    ManyiDbContext db, IWorkflowStore store, CurrentUser user, TimeProvider time, IDataProtectionProvider protection, UserManager<ManyiUser> users)
{
    /// <summary>The campaign workflow's activity that starts one participant workflow per organization.</summary>
    private const string DispatchActivityId = "participants";

    /// <summary>The campaign workflow's activity that publishes the ratings (<c>Manyi.PublishRatings</c>); its list exists only once published.</summary>
    private const string RatingsActivityId = "ratings";

    /// <summary>The stages a timeline shows: those a task stands for, from <see cref="CampaignStages"/>.</summary>
    public static IReadOnlyList<CampaignStage> Stages => CampaignStages.WithTask;

    /// <summary>The organization's timeline, for its participants and administrators; as if absent for anyone else.</summary>
    public async Task<Outcome<OrganizationTimeline>> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!await user.CanActForAsync(id, cancellationToken) || await BuildAsync(id, time.GetUtcNow(), cancellationToken) is not { } timeline)
            return new Failure.NotFound($"参评单位 {id} 不存在。Organization '{id}' does not exist.");
        return timeline;
    }

    /// <summary>The organizations the user acts for (by id) and the address of the user's calendar feed, relative to the site.</summary>
    public async Task<MyTimelines> MineAsync(CancellationToken cancellationToken)
    {
        var ids = await user.OrganizationsAsync(cancellationToken);
        var organizations = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id)
            .Select(o => new UserOrganizationName(o.Id, o.Name)).ToListAsync(cancellationToken);
        return new MyTimelines(organizations, await CalendarFeed.PathForAsync(protection, users, user.Id));
    }

    /// <summary>
    /// The timeline of the latest campaign (not cancelled) that includes the organization; one without stages when no
    /// campaign includes it yet; null when there is no such organization. Access is the caller's to check.
    /// </summary>
    public async Task<OrganizationTimeline?> BuildAsync(string organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
        if (organization is null) return null;
        var (campaign, participantId) = await CampaignOfAsync(organizationId, cancellationToken);
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
            var open = ofStage.FirstOrDefault(t => t.Status == HumanTaskStatus.Open);
            var last = open ?? ofStage.LastOrDefault();
            var status = last?.Status switch
            {
                HumanTaskStatus.Open => TimelineStatus.Current,
                HumanTaskStatus.Completed => TimelineStatus.Done,
                HumanTaskStatus.Expired => TimelineStatus.Missed,
                HumanTaskStatus.Cancelled => TimelineStatus.Skipped,
                // Not reached: upcoming while its workflow runs (or is yet to start), skipped once the workflow ended without it.
                _ => instanceId is not null && ended.Contains(instanceId) ? TimelineStatus.Skipped : TimelineStatus.Upcoming,
            };
            // A participant opens the organization's own tasks; the association's and the reviewers' are not theirs to open.
            var taskId = last is not null && last.OrganizationId == organizationId ? last.Id : null;
            stages.Add(new TimelineStage(definition.Id, definition.Zh, definition.En, definition.Actor, status, planned,
                last?.DueAt, status is TimelineStatus.Done or TimelineStatus.Missed or TimelineStatus.Skipped ? last?.ClosedAt : null,
                last?.Outcome, taskId, last?.Title, status == TimelineStatus.Current && (last!.IsOverdue || last.DueAt <= now),
                definition == CampaignStages.Publication ? PublishedRating(campaign, organizationId) : null));
        }
        return new OrganizationTimeline(organizationId, organization, settings?["year"]?.GetValue<int>(), campaign.Id, stages);
    }

    /// <summary>The latest campaign that includes the organization, and the organization's participant workflow in it (once started).</summary>
    private async Task<(WorkflowInstance? Campaign, string? ParticipantId)> CampaignOfAsync(string organizationId, CancellationToken cancellationToken)
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

    /// <summary>The organization's rating in the published list, or null while nothing is published.</summary>
    private static string? PublishedRating(WorkflowInstance campaign, string organizationId) =>
        (campaign.State.ActivityOutputs.GetValueOrDefault(RatingsActivityId)?.GetValueOrDefault("Ratings") as JsonArray)?
            .OfType<JsonObject>().FirstOrDefault(r => r["organizationId"]?.GetValue<string>() == organizationId)?["rating"]?.GetValue<string>();

    private static DateTimeOffset? PlannedAt(JsonNode? setting) =>
        setting is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
}

/// <summary>The organizations whose timelines a user may follow, and the user's calendar feed (<c>/calendar/….ics</c>).</summary>
public sealed record MyTimelines(IReadOnlyList<UserOrganizationName> Organizations, string CalendarPath);

public sealed record UserOrganizationName(string Id, string Name);
