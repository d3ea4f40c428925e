namespace Manyi.Email.Channels;

/// <summary>The <c>Manyi:Channels</c> section: where chat robots may be, and how their messages are gathered and sent.</summary>
public sealed class ChannelOptions
{
    public const string Section = "Manyi:Channels";

    /// <summary>
    /// Hosts besides the three robot hosts a webhook may point to, as <c>host</c> or <c>host:port</c>; http is allowed
    /// for them (a test server, a private deployment's relay).
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>How long a robot's lines wait to be gathered into one digest: the reminders of one send time arrive over some seconds.</summary>
    public TimeSpan DigestDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one call to a robot may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a sender waits for the robot's rate limit in place; beyond it the attempt is retried later.</summary>
    public TimeSpan MaxRateWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The address links in robot messages start with; the web host sets it from its public address (<c>Manyi:PublicUrl</c>).</summary>
    public string LinkBase { get; set; } = "http://localhost:5000";

    public IEnumerable<string> Problems(TimeSpan claimTimeout)
    {
        foreach (var host in AllowedHosts.Where(h => !WebhookRules.IsHostEntry(h)))
            yield return $"Manyi:Channels:AllowedHosts: '{host}' is not a host or host:port.";
        if (DigestDelay < TimeSpan.Zero || DigestDelay > TimeSpan.FromHours(1))
            yield return $"Manyi:Channels:DigestDelay must be between 0 and 1 hour ({DigestDelay}).";
        if (Timeout <= TimeSpan.Zero)
            yield return $"Manyi:Channels:Timeout must be positive ({Timeout}).";
        if (MaxRateWait < TimeSpan.Zero)
            yield return $"Manyi:Channels:MaxRateWait must not be negative ({MaxRateWait}).";
        // A digest may wait for tokens between its parts; the claim must outlast the whole attempt.
        if (claimTimeout <= Timeout * 4 + MaxRateWait * 3)
            yield return $"Manyi:Email:ClaimTimeout ({claimTimeout}) must be longer than 4 × Manyi:Channels:Timeout + 3 × Manyi:Channels:MaxRateWait, or a slow digest could be sent twice.";
    }
}
