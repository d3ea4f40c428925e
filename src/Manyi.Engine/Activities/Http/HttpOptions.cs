using System.ComponentModel.DataAnnotations;

namespace Manyi.Engine.Activities.Http;

/// <summary>The <c>Manyi:Http</c> settings: where workflows' HTTP endpoints are served and what their requests may reach.</summary>
public sealed class HttpOptions
{
    public const string Section = "Manyi:Http";

    /// <summary>The path under which the app serves HTTP endpoints (Elsa's default, <c>/workflows</c>).</summary>
    [Required, RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "BasePath must start with '/' and hold only letters, digits, '/', '_' and '-'.")]
    public string BasePath { get; set; } = "/workflows";

    /// <summary>
    /// Hosts that outgoing requests may reach although they are on a loopback, private or link-local address: host
    /// names (<c>intranet.example.org</c>), addresses (<c>10.1.2.3</c>) or ranges (<c>10.1.0.0/16</c>). Public addresses
    /// need no entry; every other one is refused unless listed.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>How long an outgoing request may take in all, retries included, before it ends with the Timeout outcome.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest response body read into the workflow.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest request body an endpoint reads.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>The problems with <see cref="AllowedHosts"/>, each naming the entry.</summary>
    public IEnumerable<string> AllowedHostProblems() =>
        AllowedHosts.Where(h => OutboundHostGuard.ParseEntry(h) is null)
            .Select(h => $"Manyi:Http:AllowedHosts: '{h}' is neither a host name, an IP address nor a range such as 10.0.0.0/8.");
}
