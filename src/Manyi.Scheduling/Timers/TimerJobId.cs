using System.Diagnostics.CodeAnalysis;

namespace Manyi.Scheduling.Timers;

/// <summary>
/// What a bookmark's <c>JobId</c> column holds: <c>{epoch}:{Hangfire job id}</c>. The epoch names the Hangfire storage
/// the job lives in (see <see cref="Storage.SchedulerEpoch"/>).
/// </summary>
public readonly record struct TimerJobId(string Epoch, string HangfireJobId)
{
    public override string ToString() => Epoch + ":" + HangfireJobId;

    /// <summary>The <c>LIKE</c> pattern of every job id of this epoch.</summary>
    public static string Pattern(string epoch) => epoch + ":%";

    public static bool TryParse([NotNullWhen(true)] string? value, out TimerJobId id)
    {
        var colon = value?.IndexOf(':') ?? -1;
        id = colon > 0 && colon < value!.Length - 1 ? new TimerJobId(value[..colon], value[(colon + 1)..]) : default;
        return colon > 0 && colon < value!.Length - 1;
    }
}
