using System.Diagnostics.Metrics;

namespace Manyi.Email.Outbox;

/// <summary>The e-mail module's metrics (BCL <see cref="Meter"/> only): messages the server accepted, and failed attempts.</summary>
public static class EmailTelemetry
{
    public const string Name = "Manyi.Email";

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> SentCounter = Meter.CreateCounter<long>("manyi.emails.sent", "{message}", "Outbox messages the server accepted, by kind.");
    private static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>("manyi.emails.failed", "{attempt}",
        "Failed delivery attempts, by kind; manyi.email.final is true when the message was marked Failed (no retry left).");

    internal static void Sent(string kind) => SentCounter.Add(1, new KeyValuePair<string, object?>("manyi.email.kind", kind));

    internal static void Failed(string kind, bool final) => FailedCounter.Add(1,
        new KeyValuePair<string, object?>("manyi.email.kind", kind), new KeyValuePair<string, object?>("manyi.email.final", final));
}
