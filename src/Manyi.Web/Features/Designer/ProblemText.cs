using System.Text.RegularExpressions;
using Manyi.Engine.Validation;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The designer's problems in Chinese first. The engine's validator, its activities, forms and reminder ladders word
/// their problems in English, once, where each is found (the API returns them so); this is the one place that knows
/// their shapes and says them in Chinese, the English kept after it. A shape it does not know stays English only, and
/// <c>ProblemTextTests</c> makes each known problem through the compiler, so a reworded message fails there.
/// </summary>
public static partial class ProblemText
{
    private static readonly (Regex Shape, string Zh)[] Shapes =
    [
        // Inputs
        (Shape("^is required$"), "必填，不能为空"),
        (Shape("^is empty: the decision always takes False$"), "为空：判断总是走 False"),
        (Shape("^is empty: no event can ever match it$"), "为空：没有事件能匹配，流程会一直等待"),
        (Shape("^is empty: (.+)$"), "为空：$1"),
        (Shape("^JavaScript does not parse: (.+)$"), "JavaScript 有语法错误：$1"),
        (Shape("^Liquid does not parse: (.+)$"), "Liquid 模板有语法错误：$1"),
        (Shape("^JavaScript failed: (.+)$"), "JavaScript 运行出错：$1"),
        (Shape("^Liquid stopped: (.+)$"), "Liquid 模板被中止：$1"),
        (Shape("^refers to the variable '(.+)', which the workflow does not declare$"), "引用了变量“$1”，但流程没有声明它"),
        (Shape("^the expression type '(.+)' is unknown; use one of (.+)$"), "不认识的写法“$1”；可用：$2"),
        (Shape("^is not a valid (\\S+): (.+)$"), "不是有效的 $1 值：$2"),
        (Shape("^must be a literal WaitAll or WaitAny$"), "只能是固定值 WaitAll 或 WaitAny"),
        (Shape("^the choice of organizations names neither all, an operator nor a city$"), "参评单位的选择既不是全部，也没有指定运营商或城市"),
        (Shape("^the choice of organizations has '(.+)', which is not one of all, operator, city$"), "参评单位的选择里有“$1”，只能是全部、运营商或城市"),
        (Shape("^the choice of organizations must be an object: .+$"), "参评单位的选择须是全部、某运营商或某城市"),
        (Shape("^the choice of organizations is not JSON; .+$"), "参评单位的选择不是有效的 JSON"),
        (Shape("^'role:' names no role$"), "“role:”后面没有角色"),
        (Shape("^'user:' names no user$"), "“user:”后面没有用户"),
        (Shape("^'(.+)' is not a valid e-mail address$"), "“$1”不是有效的邮箱地址"),
        (Shape("^(.+) has already passed$"), "$1 已经过去"),
        (Shape("^at least one outcome is needed, e\\.g\\. Done or Submitted$"), "至少需要一个办理结果，例如 Done 或 Submitted"),
        (Shape("^'(.+)' cannot be a task outcome$"), "“$1”不能作为办理结果"),
        (Shape("^'(.+)' is listed twice$"), "“$1”列了两次"),
        (Shape("^case '(.+)': (.+)$"), "分支“$1”：$2"),
        (Shape("^must be positive \\((.+)\\)$"), "必须大于零（现为 $1）"),
        (Shape("^must not be negative \\((.+)\\)$"), "不能为负（现为 $1）"),
        (Shape("^'(.+)' is not a valid cron expression: (.+)$"), "“$1”不是有效的 Cron 表达式：$2"),
        (Shape("^'(.+)' is not a known time zone; use an IANA name such as Asia/Shanghai$"), "不认识的时区“$1”；请用 IANA 名称，例如 Asia/Shanghai"),
        (Shape("^'days' must be between 0 and (\\d+) (.+) \\(got (.+)\\)\\.$"), "天数须在 0 到 $1 之间（现为 $3）"),
        (Shape("^'(.+)' must be an instant with its offset, e\\.g\\. (.+) \\(got '(.*)'\\)\\.$"), "“$1”须是带时区的时刻，例如 $2（现为“$3”）"),
        (Shape("^The deadline (.+) is neither an instant nor .+$"), "截止时间 $1 的写法不对：须是时刻，或在某日之后若干工作日（自然日）"),

        // Reminder ladders
        (Shape("^'before' offsets are whole days before the deadline and must be positive \\(got (.+)\\)$"), "“截止前”的天数须是正整数（现为 $1）"),
        (Shape("^'after' needs everyDays ≥ 1 and times ≥ 0$"), "“逾期后”的间隔天数须不少于 1，次数须不少于 0"),
        (Shape("^'sendAt' must be a local time written HH:mm \\(got '(.*)'\\)$"), "发送时间须写成 HH:mm（现为“$1”）"),

        // Forms: a field's problem is "fields[0] 'name': …", a table column's "fields[0] 'rows' columns[1] 'name': …"
        (Shape("^the name must be an identifier .+$"), "名称须以字母或 _ 开头，后接字母、数字或 _"),
        (Shape("^another field has the same name$"), "与另一个字段同名"),
        (Shape("^the label is empty$"), "标签为空"),
        (Shape("^maxLength must be positive \\(got (.+)\\)$"), "最多字数须大于零（现为 $1）"),
        (Shape("^the pattern is not a valid regular expression: (.+)$"), "格式（正则表达式）无效：$1"),
        (Shape("^min \\((.+)\\) is greater than max \\((.+)\\)$"), "最小值（$1）大于最大值（$2）"),
        (Shape("^min \\((.+)\\) is after max \\((.+)\\)$"), "最早日期（$1）晚于最晚日期（$2）"),
        (Shape("^a choice needs options$"), "选择题需要选项"),
        (Shape("^the option '(.*)' is listed twice$"), "选项“$1”列了两次"),
        (Shape("^an option has an empty value$"), "有一个选项的值为空"),
        (Shape("^a table column cannot be a file$"), "表格的列不能是文件"),
        (Shape("^maxBytes must be positive \\(got (.+)\\)$"), "文件大小上限须大于零（现为 $1）"),
        (Shape("^'(.+)' in allowedTypes is not a MIME type such as application/pdf$"), "允许的文件类型中“$1”不是 MIME 类型（例如 application/pdf）"),
        (Shape("^tables cannot be nested$"), "表格里不能再套表格"),
        (Shape("^a table needs columns$"), "表格需要列"),
        (Shape("^minRows cannot be negative \\(got (.+)\\)$"), "最少行数不能为负（现为 $1）"),
        (Shape("^maxRows must be at least 1 \\(got (.+)\\)$"), "最多行数须不少于 1（现为 $1）"),
        (Shape("^minRows \\((.+)\\) is greater than maxRows \\((.+)\\)$"), "最少行数（$1）大于最多行数（$2）"),
        (Shape("^no field '(.+)'$"), "没有字段“$1”"),
        (Shape("^names no field of the form$"), "没有用到表单的任何字段"),
        (Shape("^compares a number with a date$"), "把数字和日期相比较"),
        (Shape("^requiredWhen names '(.+)', which is not a checkbox of the same row$"), "“勾选时必填”指向的“$1”不是同一行里的勾选框"),
        (Shape("^requiredWhen names '(.+)', which is not a checkbox of the same form$"), "“勾选时必填”指向的“$1”不是同一表单里的勾选框"),

        // Activities and connections
        (Shape("^the activity type '(.+)' is unknown$"), "不认识的活动类型“$1”：该版本的引擎没有这种活动"),
        (Shape("^the activity cannot be reached from the start and will never run$"), "从开始到达不了这个活动，它永远不会执行"),
        (Shape("^the id is used by more than one activity$"), "多个活动用了这个编号"),
        (Shape("^the activity holds activities, but '(.+)' is not a container$"), "活动里放了其他活动，但“$1”不是容器"),
        (Shape("^connection (\\d+) \\((.+)\\) is dangling: no activity has the id '(.+)'$"), "第 $1 条连线（$2）悬空：没有编号为“$3”的活动"),
        (Shape("^connection (\\d+) \\((.+)\\) leaves from port '(.+)', which is not one of its outcomes \\((.+)\\)$"),
            "第 $1 条连线（$2）从端口“$3”连出，但该活动没有这个端口（它的端口：$4）"),
        (Shape("^connection (\\d+) \\((.+)\\) leaves from port '(.+)', but this activity has no outcome ports$"), "第 $1 条连线（$2）从端口“$3”连出，但该活动没有结果端口"),
        (Shape("^the workflow '(.+)' it runs as an activity has no published version$"), "作为活动运行的流程“$1”没有已发布的版本"),
        (Shape("^the workflow '(.+)' uses itself as an activity, which would never end$"), "流程“$1”把自己当作活动使用，永远不会结束"),
        (Shape("^the workflow has no start: .+$"), "流程没有开始：请加一个“开始”活动，或把某个活动标为可启动流程，或留一个没有进入连线的活动"),
        (Shape("^the flowchart has no activities: .+$"), "流程图里没有活动：实例一启动就结束"),
        (Shape("^the variable '(.+)' is declared more than once$"), "变量“$1”声明了不止一次"),
        (Shape("^the variable '(.+)' has an initial value that is not a (\\S+): .+$"), "变量“$1”的初始值不是 $2"),
    ];

    /// <summary>The problem in Chinese, or null when its shape is not known here (it is shown in English then).</summary>
    public static string? Chinese(string message)
    {
        if (HasChinese(message)) return null; // said in both languages where it was found
        if (FieldProblem().Match(message) is { Success: true } field && Chinese(field.Groups["problem"].Value) is { } inField)
            return field.Groups["column"].Success
                ? $"表格字段“{field.Groups["field"].Value}”的列“{field.Groups["column"].Value}”：{inField}"
                : $"字段“{field.Groups["field"].Value}”：{inField}";
        if (RuleProblem().Match(message) is { Success: true } rule && Chinese(rule.Groups["problem"].Value) is { } inRule)
            return $"第 {int.Parse(rule.Groups["index"].Value) + 1} 条规则：{inRule}";
        if (LiquidProblem().Match(message) is { Success: true } liquid)
            return $"Liquid 模板第 {liquid.Groups["line"].Value} 行第 {liquid.Groups["column"].Value} 列有语法错误：{LiquidWhat(liquid.Groups["what"].Value)}";
        foreach (var (shape, zh) in Shapes)
            if (shape.Match(message) is { Success: true } match)
                return match.Result(zh);
        return null;
    }

    /// <summary>What Fluid says is wrong in a template, in Chinese; a message it has not been seen to give reads "写法不对".</summary>
    private static readonly (Regex Shape, string Zh)[] LiquidShapes =
    [
        (Shape("^End of tag '(.+)' was expected$"), "缺少结束标记 $1"),
        (Shape("^'(.+)' was expected$"), "缺少 $1"),
        (Shape("^An identifier was expected after the '\\|' sign$"), "“|”后面缺少过滤器名"),
        (Shape("^An identifier was expected after the '\\.' sign$"), "“.”后面缺少名称"),
        (Shape("^Unknown tag '(.+)'$"), "不认识的标签“$1”"),
        (Shape("^Invalid '(.+)' tag$"), "“$1”标签的写法不对"),
        (Shape("^A value was expected$"), "这里缺少一个值（例如引号没有闭合）"),
        (Shape("^Expected (.+)$"), "这里应为 $1"),
    ];

    private static string LiquidWhat(string what)
    {
        foreach (var (shape, zh) in LiquidShapes)
            if (shape.Match(what) is { Success: true } match)
                return match.Result(zh);
        return "写法不对";
    }

    /// <summary>"中文。 English" for a problem; the English alone when its shape is not known, or when it already has both.</summary>
    public static string Of(ValidationProblem problem) => Of(problem.Message);

    public static string Of(string message) => Chinese(message) is { } zh ? $"{zh}。 {message}" : message;

    /// <summary>Whether the text has a Chinese character (CJK unified ideographs): said in Chinese, at least in part.</summary>
    public static bool HasChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    private static Regex Shape(string pattern) => new(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline);

    [GeneratedRegex(@"^fields\[\d+\] '(?<field>[^']*)'(?: columns\[\d+\] '(?<column>[^']*)')?: (?<problem>.+)$", RegexOptions.Singleline)]
    private static partial Regex FieldProblem();

    /// <summary>Fluid's parse error as the evaluator passes it on: what is wrong, at (line:column), then the source.</summary>
    [GeneratedRegex(@"^Liquid does not parse: (?<what>.+?) at \((?<line>\d+):(?<column>\d+)\)(?:\s*Source:.*)?$", RegexOptions.Singleline)]
    private static partial Regex LiquidProblem();

    [GeneratedRegex(@"^rules\[(?<index>\d+)\]: (?<problem>.+)$", RegexOptions.Singleline)]
    private static partial Regex RuleProblem();
}
