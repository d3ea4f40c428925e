using Microsoft.AspNetCore.DataProtection;
using Manyi.Email.Activities;
using Manyi.Email.Channels;
using Manyi.Email.Delivery;
using Manyi.Email.Outbox;
using Manyi.Email.Templates;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Manyi.Email;

public static class ManyiEmailServiceCollectionExtensions
{
    /// <summary>
    /// E-mail: the outbox sender (SMTP per <c>Manyi:Smtp</c>, or .eml files in <c>Manyi:Email:PickupDirectory</c> when no
    /// host is set), the Liquid templates (parsed here, so a broken one stops the start with its file name), and the
    /// <c>Elsa.SendEmail</c> activity. Needs <c>AddManyiData</c> for the outbox table.
    /// </summary>
    public static IServiceCollection AddManyiEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var smtp = configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions();
        var email = configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions();
        if (Problems(smtp, email).FirstOrDefault() is { } problem)
            throw new InvalidOperationException(problem);
        email.PickupDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(email.PickupDirectory)
            ? Path.Combine(configuration["Manyi:DataDirectory"] is { Length: > 0 } data ? data : "./data", "mail")
            : email.PickupDirectory);
        var templates = LiquidEmailTemplates.Load(email);
        var channels = configuration.GetSection(ChannelOptions.Section).Get<ChannelOptions>() ?? new ChannelOptions();
        if (configuration["Manyi:PublicUrl"] is { Length: > 0 } publicUrl) channels.LinkBase = publicUrl;
        if (channels.Problems(email.ClaimTimeout).FirstOrDefault() is { } channelProblem)
            throw new InvalidOperationException(channelProblem);

        services.AddSingleton(smtp);
        services.AddSingleton(email);
        services.TryAddSingleton(TimeProvider.System);
        if (smtp.IsConfigured)
            services.AddSingleton<IMailDelivery, SmtpDelivery>();
        else
            services.AddSingleton<IMailDelivery>(s => new PickupDirectoryDelivery(email.PickupDirectory, s.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MailKitOutboxSender>();
        services.Replace(ServiceDescriptor.Singleton<IOutboxSender, RoutedOutboxSender>());
        AddChannels(services, channels);
        services.Replace(ServiceDescriptor.Singleton<IEmailTemplates>(templates));
        services.AddScoped<EmailOutbox>();
        services.AddSingleton(new ActivityRegistration(typeof(SendEmail)));
        services.AddHostedService<EmailStartup>();
        return services;
    }

    /// <summary>
    /// Chat robots beside e-mail (<c>Manyi:Channels</c>): the channels' rules and secrets, the lines a burst queues, the
    /// digests and their delivery. The secrets are protected with Data Protection, whose key ring the host configures
    /// (shared by every node); without a host's configuration the defaults apply.
    /// </summary>
    private static void AddChannels(IServiceCollection services, ChannelOptions channels)
    {
        services.AddDataProtection();
        services.AddSingleton(channels);
        services.AddSingleton(new RobotDigestDelay(channels.DigestDelay));
        services.AddSingleton<WebhookRules>();
        services.AddSingleton<ChannelSecrets>();
        // No redirects: a webhook must not lead the server to an address nobody allowed.
        services.AddSingleton(s => new RobotClient(
            new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
            s.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RobotDigests>();
        services.AddSingleton<RobotRateLimits>();
        services.AddSingleton<RobotOutboxSender>();
        services.AddScoped<IChatRobots, ChannelDirectory>();
    }

    /// <summary>What is wrong with the e-mail settings, each naming its setting; empty when they can work.</summary>
    public static IEnumerable<string> Problems(SmtpOptions smtp, EmailOptions email)
    {
        if (!EmailAddresses.TryParse(smtp.From, out _))
            yield return $"Manyi:Smtp:From: '{smtp.From}' is not a valid e-mail address.";
        if (smtp.Port is < 0 or > 65535)
            yield return $"Manyi:Smtp:Port: {smtp.Port} is not a port number.";
        if (smtp.Timeout <= TimeSpan.Zero)
            yield return $"Manyi:Smtp:Timeout must be positive ({smtp.Timeout}).";
        if (email.ClaimTimeout <= smtp.Timeout)
            yield return $"Manyi:Email:ClaimTimeout ({email.ClaimTimeout}) must be longer than Manyi:Smtp:Timeout ({smtp.Timeout}), or a slow send could be repeated.";
    }
}

/// <summary>Says at start-up where e-mail goes, so that nobody waits for mail that lands in a folder.</summary>
internal sealed class EmailStartup(IMailDelivery delivery, ILogger<EmailStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (delivery is PickupDirectoryDelivery pickup)
            logger.LogWarning("No SMTP server is configured (Manyi:Smtp:Host): e-mails are written as .eml files to {Folder}", pickup.Folder);
        else
            logger.LogInformation("E-mails are sent via {Delivery}", delivery.Description);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
