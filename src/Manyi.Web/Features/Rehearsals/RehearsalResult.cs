namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// A rehearsal as stored and shown: what ran (workflow versions, year, scenario in words), what the run found wrong,
/// every deadline and message by organization and date, and where each organization's year ended.
/// </summary>
public sealed record RehearsalResult(
    string Id,
    int Year,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    long ElapsedMilliseconds,
    RehearsalScenarioSummary Scenario,
    IReadOnlyList<RehearsalDefinition> Definitions,
    IReadOnlyList<RehearsalFinding> Findings,
    IReadOnlyList<RehearsalOrganization> Organizations,
    IReadOnlyList<RehearsalDeadline> Deadlines,
    IReadOnlyList<RehearsalMessage> Messages,
    IReadOnlyList<RehearsalEnd> Ends)
{
    /// <summary>Messages per kind over the year.</summary>
    public IReadOnlyDictionary<string, int> MessagesByKind =>
        Messages.GroupBy(m => m.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Messages per day (Beijing date) and kind, in date order.</summary>
    public IReadOnlyList<RehearsalDay> MessagesByDay =>
        [.. Messages.GroupBy(m => m.Day).OrderBy(g => g.Key).Select(g => new RehearsalDay(g.Key,
            g.GroupBy(m => m.Kind).OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary(k => k.Key, k => k.Count())))];
}

/// <summary>The scenario in words (Chinese, English) with its organizations by id, for the page and a comparison.</summary>
public sealed record RehearsalScenarioSummary(string Zh, string En, IReadOnlyList<string> Late, IReadOnlyList<string> LateStages, int WorkingDays, string? Returned);

public sealed record RehearsalDefinition(string DefinitionId, string? Name, int Version, string Status);

public sealed record RehearsalOrganization(string Id, string Name);

/// <summary>A deadline an organization (or the secretariat, with no organization) had: its task's stage, due date, and what became of it.</summary>
public sealed record RehearsalDeadline(string? OrganizationId, string? Stage, string Title, DateTimeOffset OpenedAt, DateTimeOffset? DueAt,
    DateTimeOffset? ClosedAt, string Status, bool WasOverdue);

/// <summary>
/// A message that would have been sent: when, of which kind (the e-mail kinds' catalogue), about which organization (none
/// for the year as a whole), whether it reached the organization or the secretariat, by e-mail or a chat robot, its
/// subject, and the reminder step and stage when it is a reminder.
/// </summary>
public sealed record RehearsalMessage(DateTimeOffset At, DateOnly Day, string Kind, string? OrganizationId, bool ToSecretariat, bool ByRobot,
    string Subject, string? Stage, string? Step);

/// <summary>Where an organization's year ended: its participant workflow's result (e.g. Reviewed, NotEligible), the stage, when, and its rating.</summary>
public sealed record RehearsalEnd(string OrganizationId, string Result, string? Stage, DateTimeOffset? At, string? Rating);

public sealed record RehearsalDay(DateOnly Day, IReadOnlyDictionary<string, int> Kinds)
{
    public int Total => Kinds.Values.Sum();
}

/// <summary>Something about the settings, the workflows or the run that the secretariat should know: an error (the year would not go as planned) or a warning.</summary>
public sealed record RehearsalFinding(string Severity, string? Field, string Zh, string En)
{
    public const string ErrorSeverity = "error";
    public const string WarningSeverity = "warning";

    public static RehearsalFinding Error(string? field, string zh, string en) => new(ErrorSeverity, field, zh, en);
    public static RehearsalFinding Warning(string? field, string zh, string en) => new(WarningSeverity, field, zh, en);
}

/// <summary>Two runs side by side: messages per kind, and per organization and kind where they differ.</summary>
public sealed record RehearsalComparison(RehearsalListItem First, RehearsalListItem Second, IReadOnlyList<KindDifference> Kinds,
    IReadOnlyList<OrganizationDifference> Organizations, IReadOnlyList<EndDifference> Ends);

public sealed record KindDifference(string Kind, int First, int Second);

public sealed record OrganizationDifference(string? OrganizationId, string Name, string Kind, int First, int Second);

public sealed record EndDifference(string OrganizationId, string Name, string? First, string? Second);

public sealed record RehearsalListItem(string Id, int Year, DateTimeOffset CreatedAt, string? CreatedBy, string ScenarioZh, string ScenarioEn,
    int Messages, int Errors);
