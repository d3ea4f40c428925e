using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Manyi.Email.Delivery;

/// <summary>Sends each message over its own SMTP connection (MailKit): connect, authenticate, send, quit.</summary>
public sealed class SmtpDelivery(SmtpOptions options, ILogger<SmtpDelivery> logger) : IMailDelivery
{
    public string Description => $"SMTP {options.Host}:{options.EffectivePort} ({options.Security})";

    public async Task DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        await client.ConnectAsync(options.Host!, options.EffectivePort, Map(options.Security), cancellationToken);
        if (!string.IsNullOrEmpty(options.UserName))
            await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);

        // The server has accepted the message: what happens to the connection now must not count as a failed send.
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            logger.LogDebug(ex, "Quitting the SMTP session after message {MessageId} was accepted failed", message.MessageId);
        }
    }

    private static SecureSocketOptions Map(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
