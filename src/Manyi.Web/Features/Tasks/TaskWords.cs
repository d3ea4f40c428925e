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

    /// <summary>The stages of workflows/participant.json; another stage shows its code.</summary>
    public static (string Zh, string En) Stage(string? stage) => stage switch
    {
        null or "" => ("—", "—"),
        "headcount" => ("培训人数报送", "Headcount report"),
        "signup" => ("培训报名", "Training sign-up"),
        "certificate" => ("培训合格证书", "Training certificate"),
        "survey" => ("满意度测评", "Survey"),
        "conditions" => ("申请条件", "Basic conditions"),
        "submission" => ("申报材料", "Submission"),
        "completeness" => ("材料完整性审核", "Completeness check"),
        "review" => ("评审", "Review"),
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
