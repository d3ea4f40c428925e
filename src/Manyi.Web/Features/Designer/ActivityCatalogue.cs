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

    /// <summary>What each activity does, in Chinese; the English is the activity's own description (<see cref="ActivityAttribute.Description"/>).</summary>
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["Elsa.Start"] = "流程从这里开始（没有触发器选定其他活动时）。",
        ["Elsa.End"] = "结束一个分支；没有分支还在进行或等待时，流程结束。",
        ["Elsa.Finish"] = "立即结束整个流程，取消其他所有分支和等待。",
        ["Elsa.Fault"] = "带一条错误信息报错；实例记录一次故障。",
        ["Elsa.WriteLine"] = "把一行文字写入实例日志。",
        ["Elsa.SetVariable"] = "把流程变量设为一个表达式的值。",
        ["Elsa.SetOutput"] = "给所在流程（或作为活动的流程）的一个输出赋值。",
        ["Elsa.SetName"] = "设置流程实例的名称。",
        ["Elsa.Correlate"] = "设置流程实例的关联编号。",
        ["Elsa.Flowchart"] = "按连线执行其中的活动：支持汇合和循环；没有可执行的活动时完成。",
        ["Elsa.Sequence"] = "依次执行其中的活动，全部完成后结束。",
        ["Elsa.If"] = "按条件执行“则 then”或“否则 else”。",
        ["Elsa.Switch"] = "执行第一个（或每个）条件成立的分支，都不成立时执行默认分支。",
        ["Elsa.ForEach"] = "对每一项依次执行一遍循环体。",
        ["Elsa.ParallelForEach"] = "对每一项同时执行循环体，全部完成后结束。",
        ["Elsa.While"] = "条件成立时反复执行循环体。",
        ["Elsa.For"] = "从起始值到结束值按步长，对每个数执行一遍循环体。",
        ["Elsa.Break"] = "跳出最近的一层循环。",
        ["Elsa.Fork"] = "同时执行每个分支；全部完成（WaitAll）或第一个完成（WaitAny）时结束。",
        ["Elsa.Complete"] = "立即以给定的结果完成所在的流程图。",
        ["Elsa.FlowNode"] = "执行其中的活动后继续；没有活动时只作连线的汇接点。",
        ["Elsa.FlowDecision"] = "按条件走 True 或 False 端口。",
        ["Elsa.FlowSwitch"] = "走第一个（或每个）条件成立的分支端口，都不成立时走 Default。",
        ["Elsa.FlowFork"] = "同时开始每个命名的分支；每个分支是一个结果端口。",
        ["Elsa.FlowJoin"] = "汇合分支：WaitAll 等所有进行中的分支到达；WaitAny 第一个到达即继续，并取消其他分支。",
        ["Elsa.Timer"] = "等待一段间隔后继续。",
        ["Elsa.Delay"] = "等待一段时长后继续。",
        ["Elsa.StartAt"] = "等到某一时刻（例如 2025-04-30 18:00 北京时间）再继续；已过则立即继续。",
        ["Elsa.Cron"] = "等到 Cron 表达式在某时区的下一次时间再继续。",
        ["Elsa.Event"] = "等待一个命名事件（及实例的关联编号），可设截止时间和提醒；也可以启动流程。",
        ["Manyi.UserTask"] = "为一名用户、一个角色或每个参评单位开一项人工任务（表单、办理结果、截止时间和提醒），等待办理完成。",
        ["Elsa.SendEmail"] = "发送一封邮件；邮件随流程状态一起保存，之后投递，失败会重试。",
        ["Elsa.DispatchWorkflow"] = "启动一个子流程（或按“逐项启动”每项一个），可等待每个子流程结束。",
        ["Elsa.ExecuteWorkflow"] = "启动一个流程，可等待它结束；结果包含其状态和输出。",
        ["Elsa.HttpEndpoint"] = "在某个路径和方法上等待 HTTP 请求（标为可启动流程时由请求启动）；请求的内容、查询参数、请求头和路由值成为输出。",
        ["Elsa.WriteHttpResponse"] = "回应启动或恢复流程的 HTTP 请求：状态码、内容、内容类型和响应头。",
        ["Elsa.SendHttpRequest"] = "发送 HTTP 请求；按预期状态码的端口继续（或 Unmatched status code、Failed to connect、Timeout），并走 Done。",
        ["Elsa.FlowSendHttpRequest"] = "发送 HTTP 请求；按预期状态码的端口继续（或 Unmatched status code、Failed to connect、Timeout）。",
        ["Elsa.RunJavaScript"] = "运行一段 JavaScript；返回值成为输出 Result，setOutcome/setOutcomes 选择端口。",
        ["Manyi.CheckEligibility"] = "按活动规则核对参评单位的满意度指数、测评日期和培训合格证书；结果为 Eligible（符合）或 NotEligible（不符合，并列出每条不符合的原因）。",
        ["Manyi.NotifyOrganizations"] = "给每个参评单位的联系人发通知邮件（每单位一封，可附日历邀请）；未知或没有联系人的单位跳过并列出。",
        ["Manyi.PublishRatings"] = "发布测评等级（A、AA、AAA 或未评级）：保存各单位的最新等级，给每个单位发结果邮件，为获评单位生成证书（PDF）。",
        ["Manyi.TakeSeat"] = "按报名到达的先后为参评单位占用培训班名额；结果为 Confirmed（已确认）或 WaitListed（候补，并给出候补位次）。",
        ["Manyi.AwaitSeat"] = "等待参评单位培训名额的变动，直到某一时刻：Confirmed（候补转正）、Withdrawn（已退出）或 TimeReached（时间已到）。",
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

    /// <summary>What the activity does: Chinese first, then the activity's own English description.</summary>
    public static string Describe(ActivityDescriptor descriptor) =>
        Descriptions.TryGetValue(descriptor.TypeName, out var zh) ? $"{zh} {descriptor.Description}" : descriptor.Description;

    /// <summary>The Chinese description alone, or null when the catalogue has none (a test keeps that from happening for registered types).</summary>
    public static string? DescriptionZh(string typeName) => Descriptions.GetValueOrDefault(typeName);

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
