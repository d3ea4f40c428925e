using Manyi.Engine.Calendar;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>A task of a rehearsed year as it reaches its people: whose it is, its stage, when it opened and its deadline.</summary>
public sealed record RehearsalTask(string Id, string? OrganizationId, string? Stage, DateTimeOffset Opened, DateTimeOffset? Due);

/// <summary>What happens to a task at a moment of a rehearsed year.</summary>
public enum RehearsalMoveKind
{
    /// <summary>Its people save a draft of the form: progress, but nothing submitted.</summary>
    SaveDraft,

    /// <summary>Its people complete it.</summary>
    Complete,

    /// <summary>Nobody acts; whoever watches the year looks at it then (e.g. the risk list a few days before the deadline).</summary>
    Observe,
}

public sealed record RehearsalMove(DateTimeOffset At, RehearsalMoveKind Kind);

/// <summary>Who does what with each task of a rehearsed year, and when: the scenario's people (<see cref="ScenarioCast"/>) or another model of them.</summary>
public interface IRehearsalCast
{
    IEnumerable<RehearsalMove> MovesFor(RehearsalTask task);
}

/// <summary>
/// The people of a <see cref="RehearsalPlan"/>: the secretariat and the reviewers complete a task as soon as it reaches
/// them; an organization on time the working day after the task opens at 10:00 (or the scenario's working days before the
/// deadline's day), but an hour before the deadline at the latest; a late one the scenario's working days after the
/// deadline's day, at 10:00. Nobody saves a draft.
/// </summary>
public sealed class ScenarioCast(RehearsalPlan plan, BusinessCalendar calendar) : IRehearsalCast
{
    public static readonly TimeOnly ActsAt = new(10, 0);

    /// <summary>A participant on time acts at the latest this long before the deadline.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    public IEnumerable<RehearsalMove> MovesFor(RehearsalTask task)
    {
        var at = task.OrganizationId is { } organization ? ParticipantActs(task.Opened, task.Due, plan.IsLate(organization, task.Stage)) : task.Opened;
        return [new RehearsalMove(at, RehearsalMoveKind.Complete)];
    }

    private DateTimeOffset ParticipantActs(DateTimeOffset opened, DateTimeOffset? due, bool late)
    {
        var openedDay = Day(opened);
        if (due is not { } deadline) return Later(opened, calendar.At(calendar.AddWorkingDays(openedDay, 1), ActsAt));
        var deadlineDay = Day(deadline);
        if (late) return Later(opened, calendar.At(calendar.AddWorkingDays(deadlineDay, plan.WorkingDays), ActsAt));
        var early = plan.OnTimeWorkingDaysBefore is { } before
            ? calendar.At(calendar.AddWorkingDays(deadlineDay, -before), ActsAt)
            : calendar.At(calendar.AddWorkingDays(openedDay, 1), ActsAt);
        return Later(opened, early < deadline - Margin ? early : deadline - Margin);
    }

    private DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(calendar.ToLocal(instant).DateTime);

    public static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
