using System.Diagnostics.Metrics;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// The scheduler's metrics (BCL <see cref="Meter"/> only): timers that came due in a job, timers that fired (their
/// stimulus resumed the instance), and how late. Due but not fired means another node or a concurrent job got there
/// first, or the instance had moved on.
/// </summary>
public static class TimerTelemetry
{
    public const string Name = "Manyi.Scheduling";

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Due = Meter.CreateCounter<long>("manyi.timers.due", "{timer}", "Timer jobs that found their timer due.");
    private static readonly Counter<long> Fired = Meter.CreateCounter<long>("manyi.timers.fired", "{timer}", "Due timers whose stimulus resumed the instance.");
    private static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("manyi.timers.lateness", "s", "How long after its due instant a timer fired.");

    internal static void Ran(string timerName, TimeSpan lateness, bool fired)
    {
        var name = new KeyValuePair<string, object?>("manyi.timer.name", timerName);
        Due.Add(1, name);
        if (!fired) return;
        Fired.Add(1, name);
        Lateness.Record(Math.Max(0, lateness.TotalSeconds), name);
    }
}
