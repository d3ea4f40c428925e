using System.Text.Json.Nodes;

namespace Manyi.Campaign;

/// <summary>
/// The one list of the campaign's stages, in campaign order, with the only Chinese and English name each has: the
/// dashboard, the timeline, the task pages, e-mails, filters and exports all read it, so a stage is never named two
/// ways. Names follow the notice (豫通行协〔2025〕6号) and the glossary.
/// </summary>
public static class CampaignStages
{
    public static readonly CampaignStage Notice = new("notice", "活动通知", "Campaign notice", StageActor.Association,
        StageWorkflow.Campaign, "notice", "dates.noticeIssued");
    public static readonly CampaignStage Headcount = new("headcount", "培训人数报送", "Headcount report", StageActor.Organization,
        StageWorkflow.Participant, "headcount", "dates.headcountDue");
    public static readonly CampaignStage Signup = new("signup", "培训报名", "Training sign-up", StageActor.Organization,
        StageWorkflow.Participant, "signup", "dates.signupDue");

    /// <summary>
    /// The course is an event, not a task: no activity stands for it; it ends when the organization's own session ends
    /// (its seat, <c>Manyi.TakeSeat</c>), planned at the first session's end.
    /// </summary>
    public static readonly CampaignStage Training = new("training", "培训班", "Training", StageActor.Organization,
        StageWorkflow.Participant, null, "training.sessions.0.end");
    public static readonly CampaignStage Certificate = new("certificate", "培训合格证书", "Training certificate", StageActor.Organization,
        StageWorkflow.Participant, "certificate", "dates.certificateDue");
    public static readonly CampaignStage Survey = new("survey", "满意度测评", "Satisfaction survey", StageActor.Organization,
        StageWorkflow.Participant, "survey", "dates.surveyDue");

    /// <summary>The notice's 基本条件 (under 申请条件), attested with the submission, so planned on its deadline.</summary>
    public static readonly CampaignStage Conditions = new("conditions", "基本条件", "Basic conditions", StageActor.Organization,
        StageWorkflow.Participant, "conditions", "dates.submissionDue");
    public static readonly CampaignStage Submission = new("submission", "申报材料", "Submission", StageActor.Organization,
        StageWorkflow.Participant, "submission", "dates.submissionDue");
    public static readonly CampaignStage Completeness = new("completeness", "形式审查", "Completeness check", StageActor.Association,
        StageWorkflow.Participant, "completeness", "dates.reviewDue");
    public static readonly CampaignStage Review = new("review", "评审", "Review", StageActor.Reviewers,
        StageWorkflow.Participant, "review", "dates.reviewDue");

    /// <summary>An organization's rating: no activity of its own, it is the review's result.</summary>
    public static readonly CampaignStage Rated = new("rated", "评定等级", "Rating", StageActor.Reviewers,
        StageWorkflow.Participant, null, "dates.publishBy");
    public static readonly CampaignStage Publication = new("publication", "评级结果发布", "Publication of the ratings", StageActor.Association,
        StageWorkflow.Campaign, "publish", "dates.publishBy");

    /// <summary>Every stage, in campaign order.</summary>
    public static readonly IReadOnlyList<CampaignStage> All =
        [Notice, Headcount, Signup, Training, Certificate, Survey, Conditions, Submission, Completeness, Review, Rated, Publication];

    /// <summary>The stages a task stands for (an activity of a workflow), in campaign order.</summary>
    public static readonly IReadOnlyList<CampaignStage> WithTask = [.. All.Where(s => s.ActivityId is not null)];

    /// <summary>The stages each organization goes through (its participant workflow, the course and its rating), in campaign order.</summary>
    public static readonly IReadOnlyList<CampaignStage> OfOrganization = [.. All.Where(s => s.Workflow == StageWorkflow.Participant)];

    /// <summary>The stage with this id (a task's stage code), or null.</summary>
    public static CampaignStage? Find(string? id) => All.FirstOrDefault(s => s.Id == id);
}

/// <summary>
/// A stage: its id (the stage code of its tasks), its names, who acts, the workflow and activity (in <c>workflows/</c>)
/// that opens its task, if any, and the campaign setting that plans it (a path under <c>campaign</c> in
/// <c>campaigns/2025.json</c>, e.g. <c>dates.headcountDue</c>; a number picks a list's item, e.g. <c>training.sessions.0.end</c>).
/// </summary>
public sealed record CampaignStage(string Id, string Zh, string En, StageActor Actor, StageWorkflow Workflow, string? ActivityId, string Setting)
{
    /// <summary>The value of <see cref="Setting"/> in the campaign's settings, or null when absent.</summary>
    public JsonNode? SettingIn(JsonNode? campaign) =>
        Setting.Split('.').Aggregate(campaign, (node, key) => node switch
        {
            JsonObject o => o[key],
            JsonArray a when int.TryParse(key, out var index) && index >= 0 && index < a.Count => a[index],
            _ => null,
        });
}

/// <summary>Who acts in a stage: the organization's participants, the association's secretariat, or the reviewers.</summary>
public enum StageActor
{
    Organization,
    Association,
    Reviewers,
}

/// <summary>The workflow a stage belongs to: <c>workflows/campaign.json</c> (once a year) or <c>workflows/participant.json</c> (per organization).</summary>
public enum StageWorkflow
{
    Campaign,
    Participant,
}
