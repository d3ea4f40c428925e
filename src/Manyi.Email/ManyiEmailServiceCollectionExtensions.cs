using Manyi.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Manyi.Email.Activities;
using Manyi.Email.Channels;
using Manyi.Email.Delivery;
using Manyi.Email.Outbox;
using Manyi.Email.Templates;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Manyi.Email;

public static class ManyiEmailServiceCollectionExtensions
{
    /// <summary>
    /// E-mail: the outbox sender (SMTP per <c>Manyi:Smtp</c>, or .eml files in <c>Manyi:Email:PickupDirectory</c> when no
    /// host is set), the Liquid templates (parsed when the host starts, so a broken one stops it with its file name), and the
    /// <c>Elsa.SendEmail</c> activity. Needs <c>AddManyiData</c> for the outbox table.
    /// </summary>
    public static IServiceCollection AddManyiEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddManyiOptions<SmtpOptions>(SmtpOptions.Section, configuration: configuration);
        services.AddManyiOptions<EmailOptions>(EmailOptions.Section, configuration: configuration)
            .PostConfigure(email => email.PickupDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(email.PickupDirectory)
                ? Path.Combine(ManyiDataOptions.DataDirectoryIn(configuration), "mail")
                : email.PickupDirectory));
        // The e-mail settings are checked together: the claim must outlast a send.
        services.AddSingleton<IValidateOptions<EmailOptions>>(provider => new OptionsRegistration.ProblemsValidation<EmailOptions>(
            email => Problems(provider.GetRequiredService<IOptions<SmtpOptions>>().Value, email)));
        // Where links point (LinkBase) is the host's to say, from its public address.
        services.AddManyiOptions<ChannelOptions>(ChannelOptions.Section, configuration: configuration);
        services.AddSingleton<IValidateOptions<ChannelOptions>>(provider => new OptionsRegistration.ProblemsValidation<ChannelOptions>(
            channels => channels.Problems(provider.GetRequiredService<IOptions<EmailOptions>>().Value.ClaimTimeout)));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IMailDelivery>(provider => provider.GetRequiredService<SmtpOptions>().IsConfigured
            ? ActivatorUtilities.CreateInstance<SmtpDelivery>(provider)
            : new PickupDirectoryDelivery(provider.GetRequiredService<EmailOptions>().PickupDirectory!, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MailKitOutboxSender>();
        services.Replace(ServiceDescriptor.Singleton<IOutboxSender, RoutedOutboxSender>());
        AddChannels(services);
        // Parsed once, when the host starts (EmailStartup asks for them), so that a broken template stops the start with its file name.
        services.Replace(ServiceDescriptor.Singleton<IEmailTemplates>(provider => LiquidEmailTemplates.Load(provider.GetRequiredService<EmailOptions>())));
        services.AddScoped<EmailOutbox>();
        new ManyiEngineBuilder(services).AddActivity<SendEmail>();
        services.AddHostedService<EmailStartup>();
        return services;
    }

    /// <summary>
    /// Chat robots beside e-mail (<c>Manyi:Channels</c>): the channels' rules and secrets, the lines a burst queues, the
    /// digests and their delivery. The secrets are protected with Data Protection, whose key ring the host configures
    /// (shared by every node); without a host's configuration the defaults apply.
    /// </summary>
    private static void AddChannels(IServiceCollection services)
    {
        services.AddDataProtection();
        services.AddSingleton(provider => new RobotDigestDelay(provider.GetRequiredService<ChannelOptions>().DigestDelay));
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
internal sealed class EmailStartup(IMailDelivery delivery, IEmailTemplates templates, ILogger<EmailStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = templates; // resolved here so that a broken template stops the start
        if (delivery is PickupDirectoryDelivery pickup)
            logger.LogWarning("No SMTP server is configured (Manyi:Smtp:Host): e-mails are written as .eml files to {Folder}", pickup.Folder);
        else
            logger.LogInformation("E-mails are sent via {Delivery}", delivery.Description);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
