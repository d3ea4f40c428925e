using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign;
using Manyi.Campaign.Training;
using Manyi.Engine.Calendar;
using Manyi.Web.Infrastructure;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// What is wrong with a year's settings before it runs, as findings naming the setting: a date that is not an instant
/// with its offset, a deadline or a training before the notice, sessions that cannot be read, a year without holiday
/// data. The notice's date and the year are needed to run at all (<see cref="CanRun"/>).
/// </summary>
public static class RehearsalSettings
{
    public static DateTimeOffset? NoticeIssued(JsonObject settings) => Instant(settings["dates"]?["noticeIssued"]);

    public static int? Year(JsonObject settings) => settings["year"] is JsonValue v && v.TryGetValue<int>(out var year) && year is >= 2000 and <= 2200 ? year : null;

    public static bool CanRun(JsonObject settings) => Year(settings) is not null && NoticeIssued(settings) is not null;

    /// <summary>The latest date the settings name: the rehearsal runs a while past it, then stops.</summary>
    public static DateTimeOffset LastDate(JsonObject settings) =>
        (settings["dates"] as JsonObject ?? []).Select(d => Instant(d.Value)).OfType<DateTimeOffset>().DefaultIfEmpty(NoticeIssued(settings) ?? DateTimeOffset.UnixEpoch).Max();

    public static List<RehearsalFinding> Check(JsonObject settings, BusinessCalendar calendar)
    {
        var findings = new List<RehearsalFinding>();
        if (Year(settings) is not { } year)
            findings.Add(RehearsalFinding.Error("settings.year", "年度无效，无法演练。", "The year must be a number such as 2026; nothing can run without it."));
        else if (!calendar.HasDataFor(year))
            findings.Add(RehearsalFinding.Warning("settings.year", $"没有 {year} 年的节假日数据：工作日只按周一至周五计算。",
                $"There is no holiday data for {year}: working days are counted as Monday to Friday only."));
        if (settings["dates"] is not JsonObject dates)
        {
            findings.Add(RehearsalFinding.Error("settings.dates", "没有各阶段日期，无法演练。", "The settings have no dates; nothing can run without them."));
            return findings;
        }
        foreach (var (name, value) in dates)
            if (Instant(value) is null)
                findings.Add(RehearsalFinding.Error($"settings.dates.{name}", $"日期无效：{value?.ToJsonString()}，应带时区，如 2026-04-30T18:00:00+08:00。",
                    $"Not an instant with its offset: {value?.ToJsonString()}, e.g. 2026-04-30T18:00:00+08:00."));
        if (NoticeIssued(settings) is not { } notice)
        {
            findings.Add(RehearsalFinding.Error("settings.dates.noticeIssued", "没有通知发布时间，无法演练。", "The notice's date (dates.noticeIssued) is required to run the year."));
            return findings;
        }
        foreach (var (name, value) in dates)
            if (Instant(value) is { } due && due < notice)
            {
                var stage = CampaignStages.All.FirstOrDefault(s => s.Setting == $"dates.{name}");
                findings.Add(RehearsalFinding.Error($"settings.dates.{name}",
                    $"「{stage?.Zh ?? name}」的时间 {Dates.Beijing(due)} 早于通知发布 {Dates.Beijing(notice)}。",
                    $"The {stage?.En ?? name} date, {Dates.Beijing(due)}, comes before the notice, {Dates.Beijing(notice)}."));
            }
        try
        {
            foreach (var (session, index) in TrainingSession.AllIn(settings).Select((s, i) => (s, i)))
                if (session.Start < notice)
                    findings.Add(RehearsalFinding.Error($"settings.training.sessions.{index}.start",
                        $"{session.Zh}的开始时间 {Dates.Beijing(session.Start)} 早于通知发布。", $"The {session.En} starts, {Dates.Beijing(session.Start)}, before the notice."));
        }
        catch (FormatException ex)
        {
            findings.Add(RehearsalFinding.Error("settings.training.sessions", $"培训班期次设置有误：{ex.Message}", $"The training sessions cannot be read: {ex.Message}"));
        }
        if (settings["administrators"] is not JsonArray { Count: > 0 })
            findings.Add(RehearsalFinding.Warning("settings.administrators", "没有秘书处邮箱：逾期上报无人接收。",
                "No secretariat addresses (administrators): escalations would reach nobody."));
        return findings;
    }

    public static IReadOnlyList<string> Administrators(JsonObject settings) =>
        [.. (settings["administrators"] as JsonArray ?? []).OfType<JsonValue>().Select(v => v.ToString())];

    private static DateTimeOffset? Instant(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && InstantJson.HasOffset(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) ? instant : null;
}
