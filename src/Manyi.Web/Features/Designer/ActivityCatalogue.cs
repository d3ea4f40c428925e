using Manyi.Engine.Activities;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The one catalogue of activity names people read: each activity type's Chinese and English name and its palette
/// group. The palette, the canvas, the breadcrumbs, the instance viewer and its journal all name activities through it,
/// so that no type name such as <c>Elsa.Sequence</c> reaches a person where a name exists.
/// </summary>
public static class ActivityCatalogue
{
    private static readonly Dictionary<string, (string Zh, string En)> Names = new(StringComparer.Ordinal)
    {
        ["Elsa.Start"] = ("开始", "Start"),
        ["Elsa.End"] = ("结束分支", "End"),
        ["Elsa.Finish"] = ("结束流程", "Finish"),
        ["Elsa.Fault"] = ("报错", "Fault"),
        ["Elsa.WriteLine"] = ("写日志", "Write line"),
        ["Elsa.SetVariable"] = ("设置变量", "Set variable"),
        ["Elsa.SetOutput"] = ("设置输出", "Set output"),
        ["Elsa.SetName"] = ("设置实例名称", "Set name"),
        ["Elsa.Correlate"] = ("设置关联编号", "Correlate"),
        ["Elsa.Flowchart"] = ("流程图", "Flowchart"),
        ["Elsa.Sequence"] = ("顺序执行", "Sequence"),
        ["Elsa.If"] = ("条件分支", "If"),
        ["Elsa.Switch"] = ("多路分支", "Switch"),
        ["Elsa.ForEach"] = ("逐项循环", "For each"),
        ["Elsa.ParallelForEach"] = ("并行逐项循环", "Parallel for each"),
        ["Elsa.While"] = ("条件循环", "While"),
        ["Elsa.For"] = ("计数循环", "For"),
        ["Elsa.Break"] = ("跳出循环", "Break"),
        ["Elsa.Fork"] = ("并行分支", "Fork"),
        ["Elsa.Complete"] = ("完成流程图", "Complete"),
        ["Elsa.FlowNode"] = ("容器", "Container"),
        ["Elsa.FlowDecision"] = ("判断", "Decision"),
        ["Elsa.FlowSwitch"] = ("多路选择", "Flow switch"),
        ["Elsa.FlowFork"] = ("分叉", "Flow fork"),
        ["Elsa.FlowJoin"] = ("汇合", "Flow join"),
        ["Elsa.Timer"] = ("间隔定时", "Timer"),
        ["Elsa.Delay"] = ("延时", "Delay"),
        ["Elsa.StartAt"] = ("定时开始", "Start at"),
        ["Elsa.Cron"] = ("周期定时", "Cron"),
        ["Elsa.Event"] = ("等待事件", "Event"),
        ["Manyi.UserTask"] = ("人工任务", "User task"),
        ["Elsa.SendEmail"] = ("发送邮件", "Send e-mail"),
        ["Elsa.DispatchWorkflow"] = ("启动子流程", "Dispatch workflow"),
        ["Elsa.ExecuteWorkflow"] = ("执行流程", "Execute workflow"),
        ["Elsa.HttpEndpoint"] = ("HTTP 接口", "HTTP endpoint"),
        ["Elsa.WriteHttpResponse"] = ("写 HTTP 响应", "Write HTTP response"),
        ["Elsa.SendHttpRequest"] = ("发送 HTTP 请求", "Send HTTP request"),
        ["Elsa.FlowSendHttpRequest"] = ("发送 HTTP 请求（按状态码分支）", "Send HTTP request (flow)"),
        ["Elsa.RunJavaScript"] = ("运行 JavaScript", "Run JavaScript"),
        ["Manyi.CheckEligibility"] = ("核对参评资格", "Check eligibility"),
        ["Manyi.NotifyOrganizations"] = ("通知参评单位", "Notify organizations"),
        ["Manyi.PublishRatings"] = ("发布测评结果", "Publish ratings"),
        ["Manyi.TakeSeat"] = ("安排培训名额", "Take a training seat"),
        ["Manyi.AwaitSeat"] = ("等待培训名额变动", "Await seat news"),
    };

    /// <summary>
    /// The name of an activity type: the catalogue's, else (a workflow used as an activity, or a type added later) the
    /// type's short name for both languages.
    /// </summary>
    public static (string Zh, string En) NameOf(string typeName) =>
        Names.TryGetValue(typeName, out var name) ? name : (Short(typeName), Short(typeName));

    /// <summary>"中文 English" for places with room for one string (a breadcrumb, a tooltip, a journal cell).</summary>
    public static string Label(string typeName)
    {
        var (zh, en) = NameOf(typeName);
        return zh == en ? zh : $"{zh} {en}";
    }

    /// <summary>Whether the catalogue knows the type (the palette lists the rest under "other").</summary>
    public static bool Knows(string typeName) => Names.ContainsKey(typeName);

    public static string Group(ActivityDescriptor descriptor) => descriptor.Category switch
    {
        "Flow" or "Primitives" or "Composition" => "flow",
        "Workflows" or "Branching" or "Looping" or "Control Flow" => "containers",
        "Timers" => "timers",
        "Tasks" or "Events" => "tasks",
        "Email" => "email",
        "Campaign" => "campaign",
        "HTTP" => "http",
        "Scripting" => "scripting",
        _ => "other",
    };

    public static (string Zh, string En) GroupName(string group) => group switch
    {
        "flow" => ("流程控制", "Flow"),
        "containers" => ("容器与循环", "Containers and loops"),
        "timers" => ("定时", "Timers"),
        "tasks" => ("任务与事件", "Tasks and events"),
        "email" => ("邮件", "E-mail"),
        "campaign" => ("活动", "Campaign"),
        "http" => ("HTTP 接口", "HTTP"),
        "scripting" => ("脚本", "Scripting"),
        "workflows" => ("作为活动的流程", "Workflows as activities"),
        _ => ("其他", "Other"),
    };

    public static readonly string[] GroupOrder = ["flow", "containers", "timers", "tasks", "email", "campaign", "http", "scripting", "workflows", "other"];

    private static string Short(string typeName) => typeName[(typeName.LastIndexOf('.') + 1)..];
}
