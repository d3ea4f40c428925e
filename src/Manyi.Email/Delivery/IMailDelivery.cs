using MimeKit;

namespace Manyi.Email.Delivery;

/// <summary>Hands one message over: to an SMTP server, or to the pickup folder. Returns once it has been accepted.</summary>
public interface IMailDelivery
{
    /// <summary>Where messages go, for the start-up log.</summary>
    string Description { get; }

    Task DeliverAsync(MimeMessage message, CancellationToken cancellationToken);
}
