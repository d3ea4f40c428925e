using System.Globalization;

namespace Manyi.Engine.Forms;

/// <summary>
/// What participants read when a form is refused: Simplified Chinese first, then English, in one string, naming the
/// limit that was passed. Kept together so that the wording stays consistent and can be reviewed in one place.
/// </summary>
internal static class FormMessages
{
    public const string Required = "请填写此项。This field is required.";
    public const string MustTick = "请勾选此项。This box must be ticked.";
    public const string UnknownField = "未知字段。Unknown field.";
    public const string NotText = "应为文本。Must be text.";
    public const string NotUtf8 = "文字编码无效（应为 UTF-8）。The text is not valid UTF-8.";
    public const string NotNumber = "应为数字。Must be a number.";
    public const string NotInteger = "应为整数。Must be a whole number.";
    public const string NotDate = "应为日期，格式 yyyy-MM-dd。Must be a date written yyyy-MM-dd.";
    public const string NotBoolean = "应为 true 或 false。Must be true or false.";
    public const string NotList = "应为列表。Must be a list.";
    public const string NotFileId = "应为已上传文件的编号。Must be the id of an uploaded file.";
    public const string NotRow = "每行应为对象。Each row must be an object.";
    public const string PatternTimeout = "格式检查超时。The format check took too long.";
    public const string PatternBroken = "表单的格式规则无效，请联系管理员。The form's format rule is broken; please tell an administrator.";

    public const string RuleBroken = "表单的字段间规则无效，请联系管理员。The form's rule across fields is broken; please tell an administrator.";

    /// <summary>A field required because a checkbox beside it is ticked, naming the checkbox (证书编号 when 考试通过 is ticked).</summary>
    public static string RequiredWhenTicked(FormField checkbox) => $"勾选“{checkbox.Label}”时请填写此项。This field is required when '{English(checkbox)}' is ticked.";

    /// <summary>Names the file, so that a package missing several files lists each (e.g. 请上传“申报表”).</summary>
    public static string FileRequired(FormField field) => $"请上传“{field.Label}”。Please upload the {English(field)}.";

    /// <summary>A broken <see cref="FormRule"/>, naming both sides by their labels: 参训人员的行数应等于参训人数。</summary>
    public static string RuleFailed(FormRule rule, IReadOnlyList<FormField> fields)
    {
        if (rule.Message is { } own) return rule.MessageEn is { } ownEn ? $"{own} {ownEn}" : own;
        var dates = new[] { rule.Left, rule.Right }.Any(o => Side(o, fields).IsDate);
        var (zh, en) = Words(rule.Op, dates);
        var left = Side(rule.Left, fields);
        var right = Side(rule.Right, fields);
        return $"{left.Zh}应{zh}{right.Zh}。{Capital(left.En)} must {en} {right.En}.";
    }

    private static (string Zh, string En) Words(FormComparison op, bool dates) => op switch
    {
        FormComparison.Equal => ("等于", "equal"),
        FormComparison.NotEqual => ("不等于", "differ from"),
        FormComparison.Less => dates ? ("早于", "be before") : ("小于", "be less than"),
        FormComparison.LessOrEqual => dates ? ("不晚于", "be on or before") : ("不大于", "be at most"),
        FormComparison.Greater => dates ? ("晚于", "be after") : ("大于", "be greater than"),
        _ => dates ? ("不早于", "be on or after") : ("不小于", "be at least"),
    };

    private static (string Zh, string En, bool IsDate) Side(FormOperand operand, IReadOnlyList<FormField> fields)
    {
        var field = fields.FirstOrDefault(f => f.Name == operand.Name);
        return operand.Kind switch
        {
            FormOperandKind.Field when field is not null => ($"“{field.Label}”", English(field), field.Type == FormFieldType.Date),
            FormOperandKind.Rows when field is not null => ($"“{field.Label}”的行数", $"the number of rows of {English(field)}", false),
            _ when FormRule.Date(operand.Value) is { } date => (Date(date), Date(date), true),
            _ => (operand.Value?.ToJsonString() ?? "", operand.Value?.ToJsonString() ?? "", false),
        };
    }

    private static string English(FormField field) => field.LabelEn ?? field.Label;
    private static string Capital(string text) => text.Length > 0 && char.IsAsciiLetterLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;

    public static string AtLeast(decimal min) => $"应不小于 {Number(min)}。Must be at least {Number(min)}.";
    public static string AtMost(decimal max) => $"应不大于 {Number(max)}。Must be at most {Number(max)}.";
    public static string NotBefore(DateOnly min) => $"应不早于 {Date(min)}。Must be on or after {Date(min)}.";
    public static string NotAfter(DateOnly max) => $"应不晚于 {Date(max)}。Must be on or before {Date(max)}.";
    public static string TooLong(int max) => $"不能超过 {max} 个字符。Must be at most {max} characters.";
    public static string PatternMismatch(string pattern) => $"格式不符合要求：{pattern}。Does not match the required format: {pattern}.";

    public static string NotAnOption(string value, IEnumerable<FormOption> options)
    {
        var list = string.Join(", ", options.Select(o => o.Value));
        return $"“{value}”不是可选项，可选：{list}。\"{value}\" is not an option; options: {list}.";
    }

    public static string UnknownFile(string id) => $"找不到已上传的文件 {id}。No uploaded file {id}.";

    public static string FileType(string type, IEnumerable<string> allowed)
    {
        var (zh, en) = FileTypes.List(allowed);
        return $"文件类型 {FileTypes.Name(type)} 不允许，只接受 {zh}。File type {FileTypes.Name(type)} is not allowed; allowed: {en}.";
    }

    public static string FileTooLarge(string fileName, long max) =>
        $"文件 {fileName} 超过 {FileSize.Format(max)} 上限。File {fileName} exceeds the {FileSize.Format(max)} limit.";

    public static string TooFewRows(int min) => $"至少需要 {min} 行。Needs at least {Rows(min)}.";
    public static string TooManyRows(int max) => $"最多 {max} 行。At most {Rows(max)}.";

    private static string Rows(int count) => count == 1 ? "1 row" : $"{count} rows";
    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
