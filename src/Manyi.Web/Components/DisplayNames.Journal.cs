using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign.Activities;
using Manyi.Email.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;
using Manyi.Web.Infrastructure;

namespace Manyi.Web.Components;

/// <summary>
/// The journal's lines in words: each key an activity or the runtime writes (<see cref="JournalKeys"/>,
/// <see cref="CampaignJournalKeys"/>, <see cref="EmailJournalKeys"/>) with its arguments, Chinese first, English second.
/// Arguments carry names, never ids; an argument missing from an older line reads as a neutral word, never as a code.
/// </summary>
public static partial class DisplayNames
{
    private delegate (string Zh, string En) LineWords(JournalArguments a);

    private static readonly Dictionary<string, LineWords> JournalLines = new(StringComparer.Ordinal)
    {
        [JournalKeys.Started] = a => ($"版本 {a.Number("version")}", $"Version {a.Number("version")}"),
        [JournalKeys.Migrated] = a => ($"{a.Text("by")} 将实例从版本 {a.Number("from")} 迁移到版本 {a.Number("to")}{a.Reason()}",
            $"Moved from version {a.Number("from")} to version {a.Number("to")} by {a.Text("by")}{a.ReasonEn()}"),
        [JournalKeys.IncidentRetried] = _ => ("已重试出错的活动", "The incident was retried"),
        [JournalKeys.ContinuedAfterIncident] = _ => ("其他分支出错后，本分支继续执行", "Going on after an incident on another branch"),
        [JournalKeys.CancelledByJoin] = a => a.Text("join") is { Length: > 0 } join
            ? ($"汇合点「{join}」已沿另一分支继续，本分支取消", $"Cancelled: the join '{join}' went on along another branch")
            : ("汇合点已沿另一分支继续，本分支取消", "Cancelled: the join went on along another branch"),
        [JournalKeys.TasksOpened] = a => ($"发出 {a.Number("count")} 个任务：{a.Text("title")}",
            $"Opened {Count(a.Count("count"), "task")}: {a.Text("title")}"),
        [JournalKeys.TaskCompleted] = a =>
        {
            var outcome = Outcome(a.Text("outcome"));
            return ($"{a.OfOrganization()}任务已完成：{outcome.Zh}，办理人 {a.Text("by")}",
                $"Task{a.OfOrganizationEn()} completed by {a.Text("by")}: {outcome.En}");
        },
        [JournalKeys.TaskCancelled] = a => ($"{a.OfOrganization()}任务已由 {a.Text("by")} 取消{a.Reason()}",
            $"Task{a.OfOrganizationEn()} cancelled by {a.Text("by")}{a.ReasonEn()}"),
        [JournalKeys.TaskRefusedLate] = a => ($"{a.OfOrganization()}任务于 {a.When("at").Zh} 提交，已过截止时间 {a.When("deadline").Zh}，按逾期处理",
            $"Task{a.OfOrganizationEn()} came in at {a.When("at").En}, at or after its deadline {a.When("deadline").En}: refused as late"),
        [JournalKeys.DeadlinePassed] = _ => ("截止时间已过，活动继续等待", "The deadline passed; the activity stays open"),
        [JournalKeys.DeadlineMoved] = a => ($"{a.Text("by")} 将截止时间改为 {a.When("deadline").Zh}{a.Reason()}",
            $"Deadline moved to {a.When("deadline").En} by {a.Text("by")}{a.ReasonEn()}"),
        [JournalKeys.RemindersChanged] = a => ($"{a.Text("by")} 修改了提醒安排{a.Reason()}", $"Reminder ladder changed by {a.Text("by")}{a.ReasonEn()}"),
        [JournalKeys.ReminderSent] = a =>
        {
            var step = ReminderStep(a.Text("step"));
            return ($"已发送{step.Zh}：{a.List("to", "、")}", $"Reminder ({step.En}) sent to {a.List("to", ", ")}");
        },
        [JournalKeys.ReminderUnsent] = a =>
        {
            var step = ReminderStep(a.Text("step"));
            return ($"{step.Zh}未发送：没有收件人", $"Reminder ({step.En}) not sent: nobody to send it to");
        },
        [JournalKeys.ChildrenDispatched] = a =>
        {
            var waiting = a.Flag("waiting");
            return a.Text("definition") is { Length: > 0 } name
                ? ($"启动 {a.Number("count")} 个子流程「{name}」{(waiting ? "，等待全部结束" : "")}",
                    $"Started {Count(a.Count("count"), "instance")} of '{name}'{(waiting ? ", waiting for them" : "")}")
                : ($"启动 {a.Number("count")} 个子流程{(waiting ? "，等待全部结束" : "")}",
                    $"Started {Count(a.Count("count"), "child workflow")}{(waiting ? ", waiting for them" : "")}");
        },
        [JournalKeys.ChildExecuting] = a => a.Text("definition") is { Length: > 0 } name
            ? ($"执行子流程「{name}」", $"Running '{name}'")
            : ("执行子流程", "Running a child workflow"),
        [JournalKeys.HttpAnswered] = a => ($"HTTP 请求 {a.Text("method")} {a.Text("url")}：状态码 {a.Number("status")}",
            $"{a.Text("method")} {a.Text("url")}: status {a.Number("status")}"),
        [JournalKeys.HttpFailed] = a => ($"HTTP 请求 {a.Text("method")} {a.Text("url")} 连接失败（{a.Text("error")}）",
            $"{a.Text("method")} {a.Text("url")}: failed to connect ({a.Text("error")})"),
        [JournalKeys.HttpTimedOut] = a => ($"HTTP 请求 {a.Text("method")} {a.Text("url")} 在 {a.Number("seconds")} 秒内无响应",
            $"{a.Text("method")} {a.Text("url")}: no response within {a.Number("seconds")} s"),

        [CampaignJournalKeys.SeatConfirmed] = a => ($"{a.Organization()}：{a.Number("attendees")} 个培训名额已确认（{a.Session().Zh}），报名于 {a.When("receivedAt").Zh}",
            $"{Count(a.Count("attendees"), "seat")} confirmed for {a.OrganizationEn()} ({a.Session().En}), received {a.When("receivedAt").En}"),
        [CampaignJournalKeys.SeatWaitListed] = a => ($"{a.Organization()}：候补第 {a.Number("place")} 位（{a.Session().Zh}，{a.Number("attendees")} 人），报名于 {a.When("receivedAt").Zh}",
            $"{a.OrganizationEn()} wait-listed at place {a.Number("place")} ({a.Session().En}, {Count(a.Count("attendees"), "seat")}), received {a.When("receivedAt").En}"),
        [CampaignJournalKeys.SeatMovedUp] = a => ($"由候补转为正式：名额已确认（{a.Session().Zh}）", $"Moved up from the wait-list: seats confirmed ({a.Session().En})"),
        [CampaignJournalKeys.SignUpWithdrawn] = _ => ("已退出报名", "The sign-up was withdrawn"),
        [CampaignJournalKeys.Eligible] = a => ($"符合条件：满意度指数 {a.Number("index")} ≥ {a.Number("minimum")}，调查于 {a.Day("surveyEnd").Zh} 结束，{a.Number("holders")} 人持培训合格证书",
            $"Eligible: index {a.Number("index")} ≥ {a.Number("minimum")}, survey ended {a.Day("surveyEnd").En}, {Count(a.Count("holders"), "certificate holder")}"),
        [CampaignJournalKeys.NotEligible] = a =>
        {
            var reasons = a.Strings("reasons").Select(SplitBilingual).ToList();
            return ($"不符合条件：{string.Concat(reasons.Select(r => r.Zh))}", $"Not eligible: {string.Join(" ", reasons.Select(r => r.En))}");
        },
        [CampaignJournalKeys.NoticeQueued] = a =>
        {
            var skipped = a.Count("skipped");
            return ($"通知「{a.Text("title")}」已排队发送给 {a.Number("sent")} 个单位{(skipped > 0 ? $"，{skipped} 个未发送" : "")}",
                $"Notice '{a.Text("title")}' queued for {Count(a.Count("sent"), "organization")}{(skipped > 0 ? $"; {skipped} skipped" : "")}");
        },
        [CampaignJournalKeys.NoticeSkipped] = a => ($"{a.Organization()}未收到通知：{a.NoRecipient().Zh}", $"{a.OrganizationEn()} got no notice: {a.NoRecipient().En}"),
        [CampaignJournalKeys.InvalidAddressesLeftOut] = a => ($"{a.Organization()}：无效的联系人邮箱未发送（{a.List("addresses", "、")}）",
            $"{a.OrganizationEn()}: invalid contact address(es) left out ({a.List("addresses", ", ")})"),
        [CampaignJournalKeys.RatingsUnknownOrganizations] = a => ($"{a.Number("count")} 条评审结果找不到对应的单位，已跳过",
            $"{Count(a.Count("count"), "result")} skipped: no organization has their ids"),
        [CampaignJournalKeys.RatingsStored] = a => ($"{a.Number("year")} 年评级已保存：{a.Number("changed")} 个单位有变化，{a.Number("unchanged")} 个不变",
            $"Ratings {a.Number("year")} stored: {Count(a.Count("changed"), "organization")} changed, {a.Number("unchanged")} already had theirs"),
        [CampaignJournalKeys.RatingNotEmailed] = a => ($"{a.Organization()}的评级结果未发邮件：{a.NoRecipient().Zh}", $"Rating of {a.OrganizationEn()} not e-mailed: {a.NoRecipient().En}"),
        [CampaignJournalKeys.RatingsEmailed] = a => ($"评级结果邮件已排队发送给 {a.Number("count")} 个单位", $"Rating e-mails queued for {Count(a.Count("count"), "organization")}"),
        [CampaignJournalKeys.CertificateUnnamable] = a => ($"{a.Organization()}没有生成证书：单位编号不能用作文件名", $"No certificate for {a.OrganizationEn()}: its id cannot name a file"),
        [CampaignJournalKeys.CertificateRemoved] = a => ($"{a.Organization()}未获评级，已删除其 {a.Number("year")} 年证书", $"Certificate {a.Number("year")} of {a.OrganizationEn()} removed: not rated"),
        [CampaignJournalKeys.CertificatesLatinOnly] = a => ($"证书只有拉丁字母，没有中文名称：缺少中文字体（{a.Text("missing")}）",
            $"Certificates have Latin text only, without the Chinese names: no Chinese font ({a.Text("missing")})"),
        [CampaignJournalKeys.CertificatesWritten] = a => ($"{a.Number("year")} 年证书已生成：{a.Number("count")} 个单位", $"Certificates {a.Number("year")} written for {Count(a.Count("count"), "organization")}"),

        [EmailJournalKeys.Queued] = a => ($"邮件「{a.Text("subject")}」已排队发送给 {a.List("to", "、")}", $"E-mail '{a.Text("subject")}' queued for {a.List("to", ", ")}"),
    };

    /// <summary>Every journal key the catalogue words: a test checks that each key an activity writes is among them.</summary>
    public static IEnumerable<string> JournalKeysKnown => JournalLines.Keys;

    /// <summary>A journal line in words, Chinese first; null for a key the catalogue does not know.</summary>
    public static (string Zh, string En)? JournalLine(string key, JsonObject? arguments) =>
        JournalLines.TryGetValue(key, out var words) ? words(new JournalArguments(arguments ?? [])) : null;

    /// <summary>"1 task", "3 tasks".</summary>
    private static string Count(int count, string one) => $"{count} {one}{(count == 1 ? "" : "s")}";

    /// <summary>"中文。English." as its two halves (a campaign rule's reason reads so); a text with no English half is both.</summary>
    private static (string Zh, string En) SplitBilingual(string text)
    {
        for (var i = 0; i < text.Length - 1; i++)
            if (text[i] == '。' && char.IsAsciiLetter(text[i + 1])) return (text[..(i + 1)], text[(i + 1)..].Trim());
        return (text, text);
    }

    /// <summary>A journal line's arguments, read leniently: a line written by an older version may lack one.</summary>
    private sealed class JournalArguments(JsonObject arguments)
    {
        public string Text(string name) => arguments[name] is JsonValue v ? v.ToString() : "";

        public bool Flag(string name) => arguments[name] is JsonValue v && v.TryGetValue<bool>(out var flag) && flag;

        public int Count(string name) => arguments[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;

        public string Number(string name) => arguments[name] is JsonValue v && v.TryGetValue<decimal>(out var n)
            ? n.ToString("0.##", CultureInfo.InvariantCulture) : Text(name);

        public IEnumerable<string> Strings(string name) =>
            arguments[name] is JsonArray list ? list.Select(i => i?.ToString() ?? "").Where(s => s.Length > 0) : [];

        public string List(string name, string separator) => string.Join(separator, Strings(name));

        /// <summary>An instant (ISO 8601) in Beijing time, in Chinese and in English.</summary>
        public (string Zh, string En) When(string name)
        {
            if (!DateTimeOffset.TryParse(Text(name), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)) return ("—", "—");
            var local = TimeZoneInfo.ConvertTime(at, Dates.Shanghai);
            return (LiquidFilters.ChineseDateTime(local), LiquidFilters.EnglishDateTime(local));
        }

        public (string Zh, string En) Day(string name) =>
            DateOnly.TryParseExact(Text(name), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? (Dates.BeijingDay(day), Dates.EnglishDay(day)) : ("—", "—");

        public string Organization() => Text("organization") is { Length: > 0 } name ? name : "（未知单位）";

        public string OrganizationEn() => Text("organization") is { Length: > 0 } name ? name : "(unknown organization)";

        /// <summary>"郑州移动的" before 任务, or nothing for a task of no organization.</summary>
        public string OfOrganization() => Text("organization") is { Length: > 0 } name ? $"{name}的" : "";

        public string OfOrganizationEn() => Text("organization") is { Length: > 0 } name ? $" of {name}" : "";

        public string Reason() => Text("reason") is { Length: > 0 } reason ? $"：{reason}" : "";

        public string ReasonEn() => Text("reason") is { Length: > 0 } reason ? $": {reason}" : "";

        /// <summary>A training session by its names; its id only when the settings no longer name it.</summary>
        public (string Zh, string En) Session() => arguments["session"] is JsonObject s
            ? ((string?)s["zh"] ?? (string?)s["id"] ?? "—", (string?)s["en"] ?? (string?)s["zh"] ?? (string?)s["id"] ?? "—")
            : ("—", "—");

        /// <summary>Why an organization got no message (<see cref="CampaignJournalKeys"/>' reason codes).</summary>
        public (string Zh, string En) NoRecipient() => Text("reason") switch
        {
            "noOrganization" => ("参评单位不存在", "no organization has this id"),
            "noContacts" => ("参评单位没有联系人", "the organization has no contacts"),
            "noValidAddress" => ($"联系人的邮箱均无效（{List("addresses", "、")}）", $"no contact has a valid e-mail address ({List("addresses", ", ")})"),
            _ => ("没有可用的收件人", "no usable recipient"),
        };
    }
}
