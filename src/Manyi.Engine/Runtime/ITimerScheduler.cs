namespace Manyi.Engine.Runtime;

/// <summary>
/// Makes due bookmarks (those with a <see cref="Bookmark.ResumeAt"/>) fire. The bookmark rows are the truth: the
/// runtime tells the scheduler after each commit which timer bookmarks appeared and went; a scheduler job that
/// finds its bookmark gone, or not yet due, does nothing.
/// </summary>
public interface ITimerScheduler
{
    Task ScheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken);

    Task UnscheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken);
}

/// <summary>No scheduler: timers wait until something (a test, a reconciliation) resumes them.</summary>
public sealed class NoTimerScheduler : ITimerScheduler
{
    public Task ScheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UnscheduleAsync(IReadOnlyList<Bookmark> timers, CancellationToken cancellationToken) => Task.CompletedTask;
}
