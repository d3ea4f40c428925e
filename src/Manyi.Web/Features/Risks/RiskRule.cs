namespace Manyi.Web.Features.Risks;

/// <summary>
/// How likely an open task is to end late, as points a person can check (no black box): its weights are settings
/// (<c>Manyi:Risk</c>) and the dashboard shows them. Overdue tasks are not scored: they are late already.
/// </summary>
public sealed class RiskRule
{
    public const string Section = "Manyi:Risk";

    /// <summary>Points when the deadline is this close, in working days left (today counts when it is a working day).</summary>
    public int PointsAtOneWorkingDay { get; set; } = 3;
    public int PointsAtThreeWorkingDays { get; set; } = 2;
    public int PointsAtFiveWorkingDays { get; set; } = 1;

    /// <summary>Points per reminder sent about the task with nothing done since (at most <see cref="MaxReminderPoints"/>).</summary>
    public int PointsPerUnansweredReminder { get; set; } = 1;
    public int MaxReminderPoints { get; set; } = 2;

    /// <summary>Points taken off when there is progress inside the task (a file uploaded or a draft saved).</summary>
    public int PointsOffForProgress { get; set; } = 2;

    /// <summary>
    /// Points when nothing has been done in the task (no file, no draft) and at most <see cref="NothingDoneWithinWorkingDays"/>
    /// working days are left: the replay of simulated years (<c>RiskMeasureTests</c>) finds this the strongest sign of a late
    /// finish a few days ahead.
    /// </summary>
    public int PointsForNothingDone { get; set; } = 3;
    public int NothingDoneWithinWorkingDays { get; set; } = 5;

    /// <summary>Points when the organization was late with a stage of this year (done after its deadline, closed by it undone, or overdue now).</summary>
    public int PointsForLateThisYear { get; set; } = 2;

    /// <summary>Points when the organization was late with a stage of an earlier year.</summary>
    public int PointsForLateEarlierYear { get; set; } = 1;

    /// <summary>From this many points a task is 高 (high); from <see cref="MediumFrom"/> 中 (medium); below, 低 (low).</summary>
    public int HighFrom { get; set; } = 4;
    public int MediumFrom { get; set; } = 2;

    public IEnumerable<string> Problems()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(PointsAtOneWorkingDay), PointsAtOneWorkingDay), (nameof(PointsAtThreeWorkingDays), PointsAtThreeWorkingDays),
                     (nameof(PointsAtFiveWorkingDays), PointsAtFiveWorkingDays), (nameof(PointsPerUnansweredReminder), PointsPerUnansweredReminder),
                     (nameof(MaxReminderPoints), MaxReminderPoints), (nameof(PointsOffForProgress), PointsOffForProgress),
                     (nameof(PointsForLateThisYear), PointsForLateThisYear), (nameof(PointsForLateEarlierYear), PointsForLateEarlierYear),
                     (nameof(PointsForNothingDone), PointsForNothingDone), (nameof(NothingDoneWithinWorkingDays), NothingDoneWithinWorkingDays),
                 })
            if (value is < 0 or > 100) yield return $"{Section}:{name} must be from 0 to 100 ({value}).";
        if (MediumFrom < 1 || HighFrom <= MediumFrom)
            yield return $"{Section}:MediumFrom must be at least 1 and HighFrom above it ({MediumFrom}, {HighFrom}).";
    }

    /// <summary>The task's points and their reasons, Chinese first.</summary>
    public RiskScore Score(RiskFacts facts)
    {
        var reasons = new List<RiskReason>();
        var points = 0;
        void Add(int value, string zh, string en)
        {
            if (value == 0) return;
            points += value;
            reasons.Add(new RiskReason(value, zh, en));
        }

        var near = facts.WorkingDaysLeft switch
        {
            <= 1 => PointsAtOneWorkingDay,
            <= 3 => PointsAtThreeWorkingDays,
            <= 5 => PointsAtFiveWorkingDays,
            _ => 0,
        };
        Add(near, $"距截止还有 {facts.WorkingDaysLeft} 个工作日", $"{facts.WorkingDaysLeft} working day(s) left");
        if (facts.UnansweredReminders > 0)
            Add(Math.Min(MaxReminderPoints, facts.UnansweredReminders * PointsPerUnansweredReminder),
                $"已提醒 {facts.UnansweredReminders} 次，此后没有进展", $"reminded {facts.UnansweredReminders} time(s) with no progress since");
        if (facts.HasProgress) Add(-PointsOffForProgress, "已上传材料或保存草稿", "files uploaded or a draft saved");
        else if (facts.WorkingDaysLeft <= NothingDoneWithinWorkingDays)
            Add(PointsForNothingDone, "临近截止仍未开始办理", "nothing done yet with the deadline near");
        if (facts.LateThisYear > 0) Add(PointsForLateThisYear, $"本年度已有 {facts.LateThisYear} 个阶段逾期", $"{facts.LateThisYear} stage(s) this year late");
        if (facts.LateEarlierYears > 0) Add(PointsForLateEarlierYear, $"往年有 {facts.LateEarlierYears} 个阶段逾期", $"{facts.LateEarlierYears} stage(s) of earlier years late");

        var level = points >= HighFrom ? RiskLevel.High : points >= MediumFrom ? RiskLevel.Medium : RiskLevel.Low;
        return new RiskScore(level, points, reasons);
    }
}

/// <summary>What the rule reads about one open task.</summary>
public sealed record RiskFacts(int WorkingDaysLeft, int UnansweredReminders, bool HasProgress, int LateThisYear, int LateEarlierYears);

public enum RiskLevel { Low, Medium, High }

public sealed record RiskReason(int Points, string Zh, string En);

public sealed record RiskScore(RiskLevel Level, int Points, IReadOnlyList<RiskReason> Reasons);
