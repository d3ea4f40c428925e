using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Manyi.Engine.Runtime;

/// <summary>
/// The engine's traces and metrics through the BCL alone (<see cref="ActivitySource"/>, <see cref="Meter"/>), so that the
/// engine needs no telemetry package: a host that wants them listens to <see cref="Name"/>. Each burst is a span
/// <c>workflow burst</c> and a logging scope with the instance's id, so that every log line written during it names it.
/// </summary>
public static class WorkflowTelemetry
{
    public const string Name = "Manyi.Engine";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Bursts = Meter.CreateCounter<long>("manyi.workflow.bursts", "{burst}",
        "Bursts committed (a start or a resume that ran until the instance suspended or ended), by kind and resulting status.");
    private static readonly Histogram<double> BurstDuration = Meter.CreateHistogram<double>("manyi.workflow.burst.duration", "s",
        "Time from loading the instance to the commit of the burst.");
    private static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("manyi.workflow.conflicts", "{conflict}",
        "Bursts retried because another node or thread changed the instance first.");

    /// <summary>Starts the span and the logging scope of one burst; <see cref="BurstTelemetry.Committed"/> records it.</summary>
    internal static BurstTelemetry Burst(string kind, string instanceId, string? definitionId, ILogger logger)
    {
        var activity = Source.StartActivity("workflow burst");
        activity?.SetTag("manyi.workflow.instance_id", instanceId);
        activity?.SetTag("manyi.workflow.burst_kind", kind);
        if (definitionId is not null) activity?.SetTag("manyi.workflow.definition_id", definitionId);
        var scope = logger.BeginScope(LogScope.Of("WorkflowInstanceId", instanceId));
        return new BurstTelemetry(kind, activity, scope, Stopwatch.GetTimestamp());
    }

    internal static void Conflict() => Conflicts.Add(1);

    internal sealed class BurstTelemetry(string kind, Activity? activity, IDisposable? scope, long started) : IDisposable
    {
        public void Committed(WorkflowInstance instance)
        {
            var status = new KeyValuePair<string, object?>("manyi.workflow.status", instance.Status.ToString());
            var burstKind = new KeyValuePair<string, object?>("manyi.workflow.burst_kind", kind);
            Bursts.Add(1, burstKind, status);
            BurstDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, burstKind, status);
            activity?.SetTag("manyi.workflow.definition_id", instance.DefinitionId);
            activity?.SetTag(status.Key, status.Value);
        }

        public void Dispose()
        {
            activity?.Dispose();
            scope?.Dispose();
        }
    }
}
