using Manyi.Engine.Activities;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The one catalogue of activity input names people read, beside <see cref="ActivityCatalogue"/>: each input's Chinese
/// and English name and a Chinese help text, which says what an empty input means where that matters. The English help
/// is the input's own description (<see cref="InputAttribute.Description"/>), kept with the code that reads the input.
/// The property panel shows the code name (<c>remindTo</c>) only small, for people who write the JSON.
/// </summary>
/// <remarks>
/// Keyed by the activity type and the input; an input declared once for several activities (a waiting activity's
/// deadline and reminders, an HTTP request's headers) is keyed by the class that declares it, and an activity may
/// still say it differently (what an empty <c>remindTo</c> means for a task).
/// </remarks>
public static class InputCatalogue
{
    public sealed record InputName(string Zh, string En, string HelpZh);

    private const string Waiting = nameof(Manyi.Engine.Activities.Waiting.WaitingActivity);
    private const string HttpRequest = nameof(Manyi.Engine.Activities.Http.SendHttpRequestBase);

    private static readonly Dictionary<(string Owner, string Input), InputName> Names = new()
    {
        // Every activity that waits (a task, an event, child workflows): the deadline and the reminders.
        [(Waiting, "deadline")] = new("截止时间", "Deadline", "具体日期时间，或流程开始、活动日期之后若干工作日（或自然日）的某一时刻。为空则没有截止时间，也不发提醒。"),
        [(Waiting, "deadlineBehaviour")] = new("逾期处理", "When overdue", "截止时间过后：Outcome 以“逾期 Overdue”端口结束本活动；Flag 保持打开，只标记为逾期。"),
        [(Waiting, "reminders")] = new("提醒", "Reminders", "截止前几天、截止时、逾期后每隔几天提醒，以及逾期后上报管理员；只在工作时间发送。为空则不提醒。"),
        [(Waiting, "remindTo")] = new("提醒对象", "Remind to", "收到提醒邮件的人：按角色（秘书处）或姓名选择，发送时按当时的名单查找；也可直接填写邮箱，每行一个。为空则不发提醒邮件（已设置的群机器人仍会收到）。"),
        [(Waiting, "escalateTo")] = new("上报对象", "Escalate to", "逾期后收到上报邮件的人：按角色（秘书处）或姓名选择，发送时按当时的名单查找；也可直接填写邮箱，每行一个。为空则不发上报邮件。"),
        [(Waiting, "title")] = new("事项名称", "Title", "提醒邮件对所等待事项的称呼，例如“培训人数报送”。为空则用活动的显示名称。"),

        [("Manyi.UserTask", "title")] = new("任务名称", "Title", "待办列表、任务页和提醒邮件中的任务名称，简短，例如“培训人数报送”。为空则用活动的显示名称。"),
        [("Manyi.UserTask", "description")] = new("任务说明", "Description", "任务页上告诉办理人要做什么、交什么的说明（可用 Liquid），例如“请上传整改报告（PDF）并简述整改情况”。"),
        [("Manyi.UserTask", "stage")] = new("活动阶段", "Stage", "任务所属的年度活动阶段代码，例如 headcount（培训人数报送）；待办列表按它筛选，提醒邮件用它称呼阶段。"),
        [("Manyi.UserTask", "assignee")] = new("指派给", "Assignee", "办理任务的用户（编号或邮箱）。指派对象、角色、参评单位至少填一项。"),
        [("Manyi.UserTask", "role")] = new("角色", "Role", "该角色的成员都可认领办理：Administrator 管理员、Reviewer 评审专家、Participant 联系人。"),
        [("Manyi.UserTask", "organizations")] = new("参评单位", "Organizations", "每个参评单位各开一项任务，由其联系人办理；全部完成后本活动才结束。"),
        [("Manyi.UserTask", "outcomes")] = new("办理结果", "Outcomes", "办理人完成任务时可选的结果，每行一个，每个结果是一个端口，例如 Submitted、Approved、Returned。"),
        [("Manyi.UserTask", "form")] = new("表单", "Form", "办理人填写的字段；完成任务时服务器按字段的规则检查。"),
        [("Manyi.UserTask", "remindTo")] = new("提醒对象", "Remind to",
            "收到提醒邮件的人：按角色或姓名选择，或直接填写邮箱，每行一个。为空则提醒任务当前的办理人：已认领或被指派的用户；否则该参评单位的联系人和成员（按角色指派时为该角色的成员）。"),

        [("Elsa.Event", "eventName")] = new("事件名称", "Event name", "要等待的事件名称。为空则没有事件能匹配，流程会一直等待。"),

        [("Elsa.DispatchWorkflow", "workflowDefinitionId")] = new("子流程", "Workflow", "要启动的流程定义编号，使用其已发布的版本。"),
        [("Elsa.DispatchWorkflow", "input")] = new("子流程输入", "Input", "一个对象，其属性成为子流程的输入。"),
        [("Elsa.DispatchWorkflow", "correlationId")] = new("关联编号", "Correlation id", "子流程的关联编号（不逐项启动时）。"),
        [("Elsa.DispatchWorkflow", "forEach")] = new("逐项启动", "For each", "为每一项各启动一个子流程，例如参评单位编号的列表；子流程的输入 item 是该项。为空则只启动一个。"),
        [("Elsa.DispatchWorkflow", "waitForCompletion")] = new("等待完成", "Wait for completion", "勾选后，等所有子流程结束（完成或取消）再继续。"),

        [("Elsa.ExecuteWorkflow", "workflowDefinitionId")] = new("流程", "Workflow", "要执行的流程定义编号，使用其已发布的版本。"),
        [("Elsa.ExecuteWorkflow", "correlationId")] = new("关联编号", "Correlation id", "给被执行流程的关联编号。"),
        [("Elsa.ExecuteWorkflow", "input")] = new("流程输入", "Input", "一个对象，其属性成为被执行流程的输入。"),
        [("Elsa.ExecuteWorkflow", "waitForCompletion")] = new("等待完成", "Wait for completion", "勾选后，等被执行的流程结束再继续。"),
        [("Elsa.ExecuteWorkflow", "result")] = new("结果变量", "Result variable", "接收结果（流程的状态和输出）的变量。"),

        [("Elsa.FlowJoin", "mode")] = new("汇合方式", "Join mode", "WaitAll 等所有进入的分支都到达；WaitAny 第一个到达即继续，并取消其他分支。只能是固定值。"),
        [("Elsa.FlowSwitch", "cases")] = new("分支条件", "Cases", "每个分支一个标签（即端口）和一个条件。"),
        [("Elsa.FlowSwitch", "mode")] = new("匹配方式", "Match mode", "MatchFirst 只走第一个条件成立的分支；MatchAny 走所有条件成立的分支。都不成立时走 Default。"),
        [("Elsa.FlowFork", "branches")] = new("分支", "Branches", "分支名称（即端口），每行一个；只能是固定值。"),
        [("Elsa.FlowDecision", "condition")] = new("条件", "Condition", "条件成立走 True，否则走 False。为空则总是走 False。"),
        [("Elsa.Complete", "outcomes")] = new("完成结果", "Outcomes", "所在流程图以这些结果完成：一个名称，或名称的列表。"),
        [("Elsa.If", "condition")] = new("条件", "Condition", "条件成立执行“则 then”，否则执行“否则 else”。"),
        [("Elsa.Switch", "mode")] = new("匹配方式", "Match mode", "MatchFirst 执行第一个条件成立的分支；MatchAny 执行所有条件成立的分支。"),
        [("Elsa.ForEach", "items")] = new("项目", "Items", "要逐项执行循环体的列表，一项接一项。"),
        [("Elsa.ParallelForEach", "items")] = new("项目", "Items", "对每一项同时执行循环体的列表。"),
        [("Elsa.While", "condition")] = new("条件", "Condition", "每轮开始前检查，成立就再执行一轮。"),
        [("Elsa.For", "start")] = new("起始值", "Start", "第一个值。"),
        [("Elsa.For", "end")] = new("结束值", "End", "最后一个值。"),
        [("Elsa.For", "step")] = new("步长", "Step", "每轮增加的数；负数为递减。"),
        [("Elsa.For", "outerBoundInclusive")] = new("包含结束值", "Include the end", "勾选后结束值本身也执行一轮。"),

        [("Elsa.StartAt", "dateTime")] = new("时间", "Date and time", "到这一时刻再继续（带时区）；已经过了则立即继续。"),
        [("Elsa.Timer", "interval")] = new("间隔", "Interval", "等待多长时间，例如 1 小时。"),
        [("Elsa.Delay", "timeSpan")] = new("时长", "Duration", "等待多久再继续。为空则不等待。"),
        [("Elsa.Cron", "cronExpression")] = new("Cron 表达式", "Cron expression", "五段（分 时 日 月 星期）或带秒的六段，例如 0 9 * * 1-5 表示周一至周五 9:00。"),
        [("Elsa.Cron", "timeZone")] = new("时区", "Time zone", "解读表达式所用的时区（IANA 名称）。为空则为北京时间 Asia/Shanghai。"),

        [("Elsa.SetName", "value")] = new("实例名称", "Instance name", "流程实例的名称。"),
        [("Elsa.Correlate", "correlationId")] = new("关联编号", "Correlation id", "流程实例的关联编号，例如参评单位编号。"),
        [("Elsa.SetOutput", "outputName")] = new("输出名称", "Output name", "流程输出的名称。"),
        [("Elsa.SetOutput", "outputValue")] = new("值", "Value", "赋给该输出的值。"),
        [("Elsa.Fault", "message")] = new("错误信息", "Message", "出了什么错；实例会记录一条故障。"),
        [("Elsa.Fault", "code")] = new("错误代码", "Code", "可选的错误代码。"),
        [("Elsa.SetVariable", "variable")] = new("变量", "Variable", "要设置的变量。"),
        [("Elsa.SetVariable", "value")] = new("值", "Value", "要存入变量的值。"),
        [("Elsa.WriteLine", "text")] = new("文字", "Text", "写入实例日志的文字。为空则写一个空行。"),

        [(HttpRequest, "url")] = new("地址", "URL", "请求发往的地址（http 或 https）。"),
        [(HttpRequest, "method")] = new("方法", "Method", "HTTP 方法。"),
        [(HttpRequest, "content")] = new("内容", "Content", "要发送的内容：文本原样发送，其他按 JSON 发送。"),
        [(HttpRequest, "contentType")] = new("内容类型", "Content type", "为空时文本用 text/plain，其他用 application/json。"),
        [(HttpRequest, "authorization")] = new("授权头", "Authorization", "Authorization 请求头，例如 Bearer 加令牌。"),
        [(HttpRequest, "disableAuthorizationHeaderValidation")] = new("不检查授权头", "Skip the Authorization check", "勾选后原样发送 Authorization 头，不检查其格式。"),
        [(HttpRequest, "requestHeaders")] = new("请求头", "Headers", "要发送的请求头：由名称和值组成的对象。"),
        [("Elsa.SendHttpRequest", "expectedStatusCodes")] = new("预期状态码", "Expected status codes", "要处理的状态码，每个是一个端口，例如 200、404；其他状态码走 Unmatched status code。"),
        [("Elsa.FlowSendHttpRequest", "expectedStatusCodes")] = new("预期状态码", "Expected status codes", "各有一个端口的状态码，例如 200、404；其他状态码走 Unmatched status code。"),
        [("Elsa.WriteHttpResponse", "statusCode")] = new("状态码", "Status code", "数字（200）或 Elsa 的名称（OK、Created、NotFound）。"),
        [("Elsa.WriteHttpResponse", "content")] = new("内容", "Content", "响应的内容：文本原样发送，其他按 JSON 发送。"),
        [("Elsa.WriteHttpResponse", "contentType")] = new("内容类型", "Content type", "为空时文本用 text/plain，其他用 application/json。"),
        [("Elsa.WriteHttpResponse", "responseHeaders")] = new("响应头", "Headers", "要发送的响应头：由名称和值组成的对象。"),
        [("Elsa.HttpEndpoint", "path")] = new("路径", "Path", "工作流接口基础路径下的路径，例如 training/signups 或 orders/{id}。"),
        [("Elsa.HttpEndpoint", "supportedMethods")] = new("方法", "Methods", "接受的 HTTP 方法，每行一个。为空则只接受 GET。"),
        [("Elsa.HttpEndpoint", "authorize")] = new("仅限已登录", "Signed-in only", "勾选后只接受已登录的调用方（否则回应 401）。"),
        [("Elsa.HttpEndpoint", "policy")] = new("授权策略", "Policy", "仅限已登录时调用方还须满足的策略（否则回应 403），例如 Administrator 或 Reviewer。"),
        [("Elsa.RunJavaScript", "script")] = new("脚本", "Script", "要运行的 JavaScript；可返回一个值，可调用 setOutcome('…') 选择端口。"),
        [("Elsa.RunJavaScript", "possibleOutcomes")] = new("可选结果", "Possible outcomes", "脚本可以选择的结果，每行一个，每个是一个端口。"),
        [("Elsa.RunJavaScript", "result")] = new("结果变量", "Result variable", "接收脚本返回值的变量。"),

        [("Elsa.SendEmail", "from")] = new("发件人", "From", "发件地址。为空则用系统设置的发件地址。"),
        [("Elsa.SendEmail", "to")] = new("收件人", "To", "收件地址，每行一个。"),
        [("Elsa.SendEmail", "cc")] = new("抄送", "Cc", "收到副本的地址，每行一个。"),
        [("Elsa.SendEmail", "bcc")] = new("密送", "Bcc", "收到副本、但其他收件人看不到的地址，每行一个。"),
        [("Elsa.SendEmail", "subject")] = new("主题", "Subject", "邮件主题。"),
        [("Elsa.SendEmail", "body")] = new("正文", "Body", "HTML 或纯文本，可以是 Liquid 模板。"),

        [("Manyi.TakeSeat", "campaign")] = new("年度设置", "Campaign settings", "该年度活动的设置：年份和培训班次（如 campaigns/2025.json 中的 campaign）。"),
        [("Manyi.TakeSeat", "organization")] = new("参评单位", "Organization", "参评单位的编号。"),
        [("Manyi.TakeSeat", "session")] = new("培训班次", "Session", "报名的班次编号。为空则为第一期。"),
        [("Manyi.TakeSeat", "attendees")] = new("报名人数", "Attendees", "报名参加培训的人数，即占用的名额。"),
        [("Manyi.TakeSeat", "receivedAt")] = new("报名时间", "Received at", "报名到达的时间（报名任务完成时），带时区。为空则为当前时间。"),
        [("Manyi.TakeSeat", "result")] = new("结果变量", "Result variable", "接收所得培训班次的变量。"),
        [("Manyi.AwaitSeat", "campaign")] = new("年度设置", "Campaign settings", "该年度活动的设置：其中的培训班次。"),
        [("Manyi.AwaitSeat", "organization")] = new("参评单位", "Organization", "参评单位的编号。"),
        [("Manyi.AwaitSeat", "until")] = new("等到", "Until", "最晚等到何时（带时区），例如培训班结束时。"),
        [("Manyi.AwaitSeat", "result")] = new("结果变量", "Result variable", "名额确认时接收培训班次的变量。"),
        [("Manyi.PublishRatings", "results")] = new("测评结果", "Results", "按参评单位编号列出的结果：等级 A、AA、AAA，或 NotRated 表示未评级。"),
        [("Manyi.PublishRatings", "year")] = new("年度", "Year", "结果所属的活动年度，例如 2025。"),
        [("Manyi.NotifyOrganizations", "organizations")] = new("参评单位", "Organizations", "要通知的参评单位（编号）。"),
        [("Manyi.NotifyOrganizations", "title")] = new("通知标题", "Title", "中文标题，例如“关于开展2025年用户满意服务组织建设活动的通知”。"),
        [("Manyi.NotifyOrganizations", "body")] = new("通知正文", "Body", "中文正文（纯文本，保留换行）。"),
        [("Manyi.NotifyOrganizations", "titleEn")] = new("英文标题", "Title in English", "为空则英文部分显示中文标题。"),
        [("Manyi.NotifyOrganizations", "bodyEn")] = new("英文正文", "Text in English", "为空则不写英文部分。"),
        [("Manyi.NotifyOrganizations", "deadline")] = new("截止时间", "Deadline", "通知所述的截止时间，按北京时间显示。为空则通知不写截止时间。"),
        [("Manyi.NotifyOrganizations", "link")] = new("链接", "Link", "详情链接（http 或 https）。"),
        [("Manyi.NotifyOrganizations", "attachCalendar")] = new("日历邀请", "Calendar invitation", "作为日历邀请（.ics）附上的事件：标题、地点、开始和结束时间。为空则不附。"),
        [("Manyi.NotifyOrganizations", "copyTo")] = new("抄送", "Copy to", "也收到每个单位那封邮件的地址，例如阶段结束时秘书处的邮箱，每行一个。"),
        [("Manyi.CheckEligibility", "index")] = new("满意度指数", "Satisfaction index", "该单位的满意度指数，0 到 100。"),
        [("Manyi.CheckEligibility", "minimumIndex")] = new("最低指数", "Minimum index", "达到多少才有参评资格；2024 测评年度为 81。"),
        [("Manyi.CheckEligibility", "surveyEnd")] = new("测评结束日", "Survey end", "满意度测评的最后一天（年-月-日）。为空表示没有报告测评。"),
        [("Manyi.CheckEligibility", "surveyNotBefore")] = new("最早结束日", "Survey not before", "测评结束日不得早于这一天，例如 2024-10-01。"),
        [("Manyi.CheckEligibility", "certificateHolders")] = new("持证人数", "Certificate holders", "持有本年度培训合格证书的员工人数；至少需要 1 人。"),
    };

    /// <summary>
    /// What people read for the fixed choices of an input (<see cref="InputDescriptor.Options"/>), Chinese first; the
    /// code is what is stored. A role is named as everywhere else (<see cref="Manyi.Web.Components.DisplayNames.Role"/>);
    /// an HTTP method is its own name.
    /// </summary>
    private static readonly Dictionary<string, (string Zh, string En)> OptionNames = new(StringComparer.Ordinal)
    {
        ["Outcome"] = ("结束本活动，走“逾期”端口", "End the activity through Overdue"),
        ["Flag"] = ("保持打开，标记为逾期", "Keep it open, flagged overdue"),
        ["WaitAll"] = ("全部到达", "Wait for all"),
        ["WaitAny"] = ("任一到达即继续", "Go on at the first"),
        ["MatchFirst"] = ("只走第一个成立的分支", "The first that matches"),
        ["MatchAny"] = ("走所有成立的分支", "Every one that matches"),
    };

    /// <summary>"中文 English" for one fixed choice of an input; the empty choice reads "— 不设 None —".</summary>
    public static string OptionLabel(InputDescriptor input, string option)
    {
        if (option.Length == 0) return "— 不设 None —";
        if (input.Name == "role")
        {
            var (zh, en) = Manyi.Web.Components.DisplayNames.Role(option);
            return $"{zh} {en}";
        }
        return OptionNames.TryGetValue(option, out var name) ? $"{name.Zh} {name.En}" : option;
    }

    /// <summary>Inputs an activity shows before the others, where the declared order reads badly (a task's name before its description).</summary>
    private static readonly Dictionary<string, string[]> First = new(StringComparer.Ordinal)
    {
        ["Manyi.UserTask"] = ["title", "description"],
    };

    /// <summary>Every entry's key: an activity type name, or the name of the class that declares the input for several.</summary>
    public static IEnumerable<(string Owner, string Input)> Keys => Names.Keys;

    /// <summary>The input's name and help in the catalogue, or null when it has none (a test keeps that from happening).</summary>
    public static InputName? Find(string activityType, InputDescriptor input) =>
        Names.GetValueOrDefault((activityType, input.Name))
        ?? (input.Property.DeclaringType is { } declaring ? Names.GetValueOrDefault((declaring.Name, input.Name)) : null);

    /// <summary>The input's name and help; an input of a workflow used as an activity, or one added later, goes by its own name.</summary>
    public static InputName Of(string activityType, InputDescriptor input) =>
        Find(activityType, input) ?? new InputName(input.Name, input.Name, "");

    /// <summary>"中文 English" for places with room for one string (a problem in the list); the code name when the catalogue has none.</summary>
    public static string Label(ActivityDescriptor? descriptor, string input) =>
        descriptor?.Inputs.FirstOrDefault(i => i.Name == input) is { } declared && Find(descriptor.TypeName, declared) is { } name
            ? $"{name.Zh} {name.En}"
            : input;

    /// <summary>The activity's inputs in the order the property panel shows them.</summary>
    public static IEnumerable<InputDescriptor> InOrder(ActivityDescriptor descriptor)
    {
        var first = First.GetValueOrDefault(descriptor.TypeName) ?? [];
        return descriptor.Inputs.OrderBy(i => Array.IndexOf(first, i.Name) is var at and >= 0 ? at : first.Length);
    }
}
