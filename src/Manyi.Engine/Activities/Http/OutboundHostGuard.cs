using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// Lets workflows' outgoing requests reach public addresses, and loopback, private or link-local ones only when the
/// administrator listed the host (<see cref="HttpOptions.AllowedHosts"/>). The check runs when the connection is
/// made, on the addresses the name resolved to, and the socket connects to exactly those: a name that resolves to a
/// public address when checked and to a private one a moment later (DNS rebinding) gains nothing.
/// </summary>
public sealed class OutboundHostGuard(IOptions<HttpOptions> options)
{
    private readonly Lazy<IReadOnlyList<object>> _allowed = new(() =>
        [.. options.Value.AllowedHosts.Select(ParseEntry).OfType<object>()]);

    /// <summary>A host name (lower case), an <see cref="IPAddress"/> or an <see cref="IPNetwork"/>; null when the entry is none.</summary>
    public static object? ParseEntry(string entry)
    {
        var text = entry.Trim();
        if (text.Contains('/')) return IPNetwork.TryParse(text, out var network) ? network : null;
        if (IPAddress.TryParse(text, out var address)) return address;
        return Uri.CheckHostName(text) == UriHostNameType.Dns ? text.ToLowerInvariant() : null;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves, checks every address, connects to an allowed one.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = addresses.Where(a => IsAllowed(host, a)).ToArray();
        if (permitted.Length == 0)
            throw new HostNotAllowedException(addresses.Length == 0
                ? $"The host '{host}' did not resolve to any address."
                : $"The request to '{host}' was refused: it resolves to {Describe(addresses[0])} ({addresses[0]}), which workflows may only reach when an administrator lists the host in Manyi:Http:AllowedHosts.");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool IsAllowed(string host, IPAddress address)
    {
        if (IsPublic(address)) return true;
        var name = host.ToLowerInvariant();
        var normalised = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _allowed.Value.Any(entry => entry switch
        {
            string allowedName => allowedName == name,
            IPAddress allowedAddress => allowedAddress.Equals(normalised) || allowedAddress.Equals(address),
            IPNetwork network => network.Contains(normalised) || network.Contains(address),
            _ => false,
        });
    }

    /// <summary>Whether an address is on the public internet: not loopback, private, link-local, shared, multicast or reserved.</summary>
    public static bool IsPublic(IPAddress address) => Describe(address) is null;

    private static readonly (IPNetwork Range, string Kind)[] NonPublic =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a reserved address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("fc00::/7"), "a private address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    /// <summary>What kind of non-public address this is, or null for a public one.</summary>
    private static string? Describe(IPAddress address)
    {
        var normalised = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return NonPublic.FirstOrDefault(r => r.Range.BaseAddress.AddressFamily == normalised.AddressFamily && r.Range.Contains(normalised)).Kind;
    }
}

/// <summary>An outgoing request refused by <see cref="OutboundHostGuard"/>: the activity faults with this message.</summary>
public sealed class HostNotAllowedException(string message) : Exception(message);
