using Manyi.Campaign;
using Manyi.Persistence.Audit;

namespace Manyi.Web.Features.Tasks;

/// <summary>The words the task page shows for a task's codes: its status, stage, outcomes and history entries (Chinese, English).</summary>
public static class TaskWords
{
    public static (string Zh, string En) Status(string status) => status switch
    {
        "Open" => ("待办", "Open"),
        "Completed" => ("已完成", "Completed"),
        "Expired" => ("已过期", "Expired"),
        "Cancelled" => ("已取消", "Cancelled"),
        _ => (status, status),
    };

    /// <summary>A task's stage by its name in <see cref="CampaignStages"/>; a stage not there shows its code.</summary>
    public static (string Zh, string En) Stage(string? stage) => stage switch
    {
        null or "" => ("—", "—"),
        _ when CampaignStages.Find(stage) is { } known => (known.Zh, known.En),
        _ => (stage, stage),
    };

    /// <summary>An outcome as the button that chooses it says it.</summary>
    public static (string Zh, string En) Outcome(string outcome) => outcome switch
    {
        "Submitted" => ("提交", "Submit"),
        "SignedUp" => ("提交报名", "Sign up"),
        "Complete" => ("材料齐全", "Complete"),
        "Returned" => ("退回补正", "Return for completion"),
        "Rated" => ("提交评审结果", "Submit the rating"),
        "Approved" => ("通过", "Approve"),
        "Rejected" => ("不通过", "Reject"),
        _ => (outcome, outcome),
    };

    public static (string Zh, string En) History(string action) => action switch
    {
        AuditActions.TaskClaimed => ("认领", "Claimed"),
        AuditActions.TaskReleased => ("释放认领", "Released"),
        AuditActions.TaskReassigned => ("改派", "Reassigned"),
        AuditActions.TaskCompleted => ("完成", "Completed"),
        AuditActions.TaskCancelled => ("取消", "Cancelled"),
        _ => (action, action),
    };
}
