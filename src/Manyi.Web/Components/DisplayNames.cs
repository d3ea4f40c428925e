using Manyi.Campaign;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Designer;

namespace Manyi.Web.Components;

/// <summary>
/// The one catalogue of the words people read for the codes the system stores: stages (from <see cref="CampaignStages"/>),
/// task and instance statuses, outcomes, roles, e-mail kinds, journal events, reminder steps, file types (through
/// <see cref="FileTypes"/>) and activities (through <see cref="ActivityCatalogue"/>); each Chinese first, English
/// second. A code the catalogue does not know is shown as it is, so that nothing is hidden; <see cref="Codes"/> lists
/// every known code, so that a test can check that none reaches a page in Chinese mode.
/// </summary>
public static class DisplayNames
{
    private static readonly Dictionary<string, (string Zh, string En)> TaskStatuses = new(StringComparer.Ordinal)
    {
        ["Open"] = ("待办", "Open"),
        ["Completed"] = ("已完成", "Completed"),
        ["Expired"] = ("已过期", "Expired"),
        ["Cancelled"] = ("已取消", "Cancelled"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> InstanceStatuses = new(StringComparer.Ordinal)
    {
        [nameof(WorkflowStatus.Running)] = ("运行中", "Running"),
        [nameof(WorkflowStatus.Suspended)] = ("等待中", "Waiting"),
        [nameof(WorkflowStatus.Finished)] = ("已完成", "Finished"),
        [nameof(WorkflowStatus.Cancelled)] = ("已取消", "Cancelled"),
        [nameof(WorkflowStatus.Faulted)] = ("出错", "Faulted"),
    };

    /// <summary>An outcome as the button that chooses it says it.</summary>
    private static readonly Dictionary<string, (string Zh, string En)> Outcomes = new(StringComparer.Ordinal)
    {
        ["Submitted"] = ("提交", "Submit"),
        ["SignedUp"] = ("提交报名", "Sign up"),
        ["Complete"] = ("材料齐全", "Complete"),
        ["Returned"] = ("退回补正", "Return for completion"),
        ["Rated"] = ("提交评审结果", "Submit the rating"),
        ["Approved"] = ("通过", "Approve"),
        ["Rejected"] = ("不通过", "Reject"),
        ["Published"] = ("发布", "Publish"),
    };

    /// <summary>The ports of a flowchart's connections that are not a task's outcome.</summary>
    private static readonly Dictionary<string, (string Zh, string En)> Ports = new(StringComparer.Ordinal)
    {
        ["Done"] = ("完成", "Done"),
        ["True"] = ("是", "True"),
        ["False"] = ("否", "False"),
        ["Overdue"] = ("逾期", "Overdue"),
        ["Expired"] = ("过期", "Expired"),
        ["Default"] = ("其他", "Default"),
        ["Completed"] = ("完成", "Completed"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> TaskHistory = new(StringComparer.Ordinal)
    {
        [AuditActions.TaskClaimed] = ("认领", "Claimed"),
        [AuditActions.TaskReleased] = ("释放认领", "Released"),
        [AuditActions.TaskReassigned] = ("改派", "Reassigned"),
        [AuditActions.TaskCompleted] = ("完成", "Completed"),
        [AuditActions.TaskCancelled] = ("取消", "Cancelled"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Roles = new(StringComparer.Ordinal)
    {
        [ManyiRoles.Administrator] = ("秘书处", "Secretariat"),
        [ManyiRoles.Participant] = ("联系人", "Participant"),
        [ManyiRoles.Reviewer] = ("评审专家", "Reviewer"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> EmailKinds = new(StringComparer.Ordinal)
    {
        ["reminder"] = ("截止提醒", "Reminder"),
        ["overdue"] = ("逾期提醒", "Overdue"),
        ["escalation"] = ("逾期上报", "Escalation"),
        ["notice"] = ("通知", "Notice"),
        ["generic"] = ("一般邮件", "General"),
        ["rating"] = ("评级结果", "Rating"),
        ["workflow"] = ("流程邮件", "Workflow e-mail"),
        ["invitation"] = ("账号邀请", "Invitation"),
        ["password-reset"] = ("重置密码", "Password reset"),
        ["account-confirmation"] = ("账号确认", "Account confirmation"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> JournalEvents = new(StringComparer.Ordinal)
    {
        [nameof(JournalEvent.WorkflowStarted)] = ("流程启动", "Workflow started"),
        [nameof(JournalEvent.Executed)] = ("已执行", "Executed"),
        [nameof(JournalEvent.Suspended)] = ("开始等待", "Waiting"),
        [nameof(JournalEvent.Resumed)] = ("继续执行", "Resumed"),
        [nameof(JournalEvent.Message)] = ("记录", "Message"),
        [nameof(JournalEvent.Faulted)] = ("出错", "Faulted"),
        [nameof(JournalEvent.Retried)] = ("重试", "Retried"),
        [nameof(JournalEvent.WorkflowFinished)] = ("流程完成", "Workflow finished"),
        [nameof(JournalEvent.WorkflowCancelled)] = ("流程取消", "Workflow cancelled"),
        [nameof(JournalEvent.WorkflowFaulted)] = ("流程出错", "Workflow faulted"),
    };

    /// <summary>How an organization's year ended: its participant workflow's result (<c>result</c>), or where a rehearsal left it.</summary>
    private static readonly Dictionary<string, (string Zh, string En)> Results = new(StringComparer.Ordinal)
    {
        ["Reviewed"] = ("已评审", "Reviewed"),
        ["SignupClosed"] = ("未报名", "Did not sign up"),
        ["NoSeat"] = ("未获名额", "No seat"),
        ["Withdrawn"] = ("已退出报名", "Sign-up withdrawn"),
        ["NoCertificate"] = ("无合格证书", "No certificate"),
        ["NotEligible"] = ("不符合条件", "Not eligible"),
        ["Late"] = ("逾期未报", "Late"),
        ["Incomplete"] = ("材料不全", "Incomplete"),
        ["NotFinished"] = ("未结束", "Not finished"),
        ["NotStarted"] = ("未开始", "Not started"),
        ["Faulted"] = ("出错", "Faulted"),
        ["Finished"] = ("已结束", "Ended"),
    };

    public static (string Zh, string En) TaskStatus(string status) => Find(TaskStatuses, status);

    public static (string Zh, string En) TaskStatus(HumanTaskStatus status) => TaskStatus(status.ToString());

    public static (string Zh, string En) Result(string result) => Find(Results, result);

    public static (string Zh, string En) InstanceStatus(string status) => Find(InstanceStatuses, status);

    /// <summary>A task's stage by its name in <see cref="CampaignStages"/>; a stage not there shows its code.</summary>
    public static (string Zh, string En) Stage(string? stage) => stage switch
    {
        null or "" => ("—", "—"),
        _ when CampaignStages.Find(stage) is { } known => (known.Zh, known.En),
        _ => (stage, stage),
    };

    public static (string Zh, string En) Outcome(string outcome) => Find(Outcomes, outcome);

    /// <summary>A connection's port in a flowchart: an outcome as its button says it, else the port's own word.</summary>
    public static (string Zh, string En) Port(string port) => Outcomes.TryGetValue(port, out var outcome) ? outcome : Find(Ports, port);

    public static (string Zh, string En) History(string action) => Find(TaskHistory, action);

    public static (string Zh, string En) Role(string role) => Find(Roles, role);

    public static (string Zh, string En) EmailKind(string kind) => Find(EmailKinds, kind);

    public static (string Zh, string En) Journal(string journalEvent) => Find(JournalEvents, journalEvent);

    /// <summary>A rating: A, AA and AAA read as they are; "not rated" in words.</summary>
    public static (string Zh, string En) Rating(string rating) => rating == "NotRated" ? ("未获评级", "Not rated") : (rating, rating);

    public static (string Zh, string En) Activity(string typeName) => ActivityCatalogue.NameOf(typeName);

    /// <summary>A step of a reminder ladder (<c>before-3</c>, <c>at</c>, <c>after-1</c>, <c>escalation</c>) in words.</summary>
    public static (string Zh, string En) ReminderStep(string? step) => step switch
    {
        null or "" => ("—", "—"),
        "at" => ("截止时提醒", "at the deadline"),
        "escalation" => ("逾期上报", "escalation"),
        _ when step.StartsWith("before-", StringComparison.Ordinal) && int.TryParse(step[7..], out var days) =>
            ($"截止前 {days} 天提醒", $"{days} day{(days == 1 ? "" : "s")} before the deadline"),
        _ when step.StartsWith("after-", StringComparison.Ordinal) && int.TryParse(step[6..], out var k) =>
            ($"逾期第 {k} 次提醒", $"overdue reminder {k}"),
        _ => (step, step),
    };

    /// <summary>What a bookmark waits for, by its name (<c>Manyi.UserTask</c>, <c>Manyi.Deadline</c>, …); an activity's name for one named after its type.</summary>
    public static (string Zh, string En) Bookmark(string name) => name switch
    {
        Engine.Tasks.HumanTask.BookmarkName => ("任务完成", "the task completed"),
        Engine.Activities.Waiting.WaitingActivity.DeadlineBookmark => ("截止时间", "the deadline"),
        Engine.Activities.Waiting.WaitingActivity.ReminderBookmark => ("下次提醒", "the next reminder"),
        Engine.Activities.Composition.DispatchWorkflow.ChildEndedBookmark => ("子流程结束", "a child workflow to end"),
        Manyi.Campaign.Activities.AwaitSeat.BookmarkName => ("培训名额", "a training seat"),
        Manyi.Campaign.Activities.AwaitSeat.TimerName => ("培训结束", "the end of the training"),
        Engine.Activities.Events.Event.BookmarkName => ("事件", "an event"),
        Engine.Activities.Http.HttpRoute.BookmarkName => ("HTTP 请求", "an HTTP request"),
        _ when ActivityCatalogue.Knows(name) => ActivityCatalogue.NameOf(name),
        _ => ("等待", "waiting"),
    };

    /// <summary>A file type (a media type such as <c>application/pdf</c>) as people know it: PDF (the forms' own list, <see cref="FileTypes"/>).</summary>
    public static string FileType(string mediaType) => FileTypes.Name(mediaType);

    /// <summary>"中文 English" (or the one word when both are the same), for a place with room for one string, e.g. a select's option.</summary>
    public static string Label((string Zh, string En) words) => words.Zh == words.En ? words.Zh : $"{words.Zh} {words.En}";

    /// <summary>
    /// Every code this catalogue names (stages, statuses, outcomes, roles, e-mail kinds, journal events) with its Chinese
    /// name: in Chinese mode a code may be read on a page only as the English after its Chinese name.
    /// </summary>
    public static IEnumerable<(string Code, string Zh)> Codes =>
        CampaignStages.All.Select(s => (s.Id, s.Zh))
            .Concat(new[] { TaskStatuses, InstanceStatuses, Outcomes, TaskHistory, Roles, EmailKinds, JournalEvents }
                .SelectMany(names => names.Select(n => (n.Key, n.Value.Zh))));

    private static (string Zh, string En) Find(Dictionary<string, (string Zh, string En)> names, string code) =>
        names.TryGetValue(code, out var words) ? words : (code, code);
}
