using System.Text.Json.Nodes;
using Manyi.Campaign;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// What to rehearse: the workflow versions (by definition id; a definition not named runs its published version), the
/// year's settings — a saved year's (<see cref="Year"/>) or edited ones (<see cref="Settings"/>, the <c>campaign</c>
/// object of <c>campaigns/2025.json</c>) — the organizations (default all) and the <see cref="Scenario"/>.
/// </summary>
public sealed record RehearsalRequest
{
    public Dictionary<string, int>? Definitions { get; init; }
    public int? Year { get; init; }
    public JsonObject? Settings { get; init; }
    public List<string>? Organizations { get; init; }
    public RehearsalScenario? Scenario { get; init; }
}

/// <summary>
/// Who does what in the rehearsed year. Everyone acts on time unless <see cref="Late"/> says otherwise: the working day
/// after a task opens, or <see cref="OnTimeWorkingDaysBefore"/> working days before its deadline (so that the reminders
/// before a deadline show); the secretariat and the reviewers act as soon as a task reaches them; <see cref="Returned"/>
/// names an organization whose package the secretariat returns once.
/// </summary>
public sealed record RehearsalScenario
{
    public LateScenario? Late { get; init; }
    public int? OnTimeWorkingDaysBefore { get; init; }
    public string? Returned { get; init; }

    public const int MaxWorkingDaysBefore = 30;
}

/// <summary>
/// Organizations that act <see cref="WorkingDays"/> working days after the deadline at the <see cref="Stages"/> given:
/// those named in <see cref="Organizations"/>, else <see cref="Count"/> drawn at random with <see cref="Seed"/> (the same
/// seed draws the same organizations, so that two runs compare).
/// </summary>
public sealed record LateScenario
{
    public List<string>? Stages { get; init; }
    public int WorkingDays { get; init; } = 1;
    public List<string>? Organizations { get; init; }
    public int? Count { get; init; }
    public int Seed { get; init; } = 1;

    public const int MaxWorkingDays = 60;

    /// <summary>The stages whose tasks an organization does itself (those a scenario may make late), in campaign order.</summary>
    public static IReadOnlyList<CampaignStage> LateableStages { get; } =
        [.. CampaignStages.WithTask.Where(s => s.Actor == StageActor.Organization)];
}
