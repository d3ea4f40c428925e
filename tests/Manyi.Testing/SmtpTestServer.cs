using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Manyi.Testing;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer package) on a free loopback port. It keeps what it accepts
/// and can refuse a transaction at RCPT or at DATA, or take its time over DATA.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private int _rcpts;
    private int _datas;

    private SmtpTestServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>What the server accepted: the raw message as sent, parsed, and the envelope.</summary>
    public ConcurrentQueue<Received> Messages { get; } = new();

    /// <summary>Given the number of the RCPT command (1, 2, …), a reply that refuses it, or null to accept.</summary>
    public Func<int, SmtpResponse?> OnRcpt { get; set; } = _ => null;

    /// <summary>Given the number of the DATA transfer (1, 2, …), a reply that refuses it, or null to accept.</summary>
    public Func<int, SmtpResponse?> OnData { get; set; } = _ => null;

    /// <summary>How long the server takes before it answers a DATA transfer.</summary>
    public TimeSpan DataDelay { get; set; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var server = new SmtpTestServer(port);
        for (var i = 0; ; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (i < 100)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    public sealed record Received(string Raw, MimeMessage Message, string From, IReadOnlyList<string> Recipients);

    private static string Address(IMailbox mailbox) => $"{mailbox.User}@{mailbox.Host}";

    private sealed class Store(SmtpTestServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            if (server.DataDelay > TimeSpan.Zero) await Task.Delay(server.DataDelay, cancellationToken);
            if (server.OnData(Interlocked.Increment(ref server._datas)) is { } refusal) return refusal;
            var bytes = buffer.ToArray();
            var message = await MimeMessage.LoadAsync(new MemoryStream(bytes), cancellationToken);
            server.Messages.Enqueue(new Received(System.Text.Encoding.UTF8.GetString(bytes), message, Address(transaction.From),
                transaction.To.Select(Address).ToList()));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(SmtpTestServer server) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (server.OnRcpt(Interlocked.Increment(ref server._rcpts)) is { } refusal) throw new SmtpResponseException(refusal);
            return Task.FromResult(true);
        }
    }
}
