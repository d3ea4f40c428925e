using Manyi.Engine;
using Manyi.Campaign.Activities;
using Manyi.Campaign.Certificates;
using Manyi.Campaign.Training;
using Manyi.Engine.Activities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Campaign;

public static class ManyiCampaignServiceCollectionExtensions
{
    /// <summary>
    /// The campaign's activities: <c>Manyi.NotifyOrganizations</c>, <c>Manyi.PublishRatings</c> and
    /// <c>Manyi.CheckEligibility</c>, and the training seats (<c>Manyi.TakeSeat</c>, <c>Manyi.AwaitSeat</c>, with
    /// <see cref="SeatLedger"/> and <see cref="TrainingSeats"/>). They read organizations through <c>AddManyiData</c> and render the e-mail kinds
    /// <c>notice</c> and <c>rating</c> with the templates of <c>AddManyiEmail</c>; add both. The rated organizations'
    /// certificates (<see cref="CertificateStore"/>, <see cref="CertificateRenderer"/>) read <c>Manyi:Certificates</c>,
    /// <c>Manyi:Files:Directory</c> and <c>Manyi:DataDirectory</c> from the <see cref="IConfiguration"/> service, when there
    /// is one (a host has it), and use the defaults otherwise. E-mails about a stage name it as <see cref="CampaignStages"/> does.
    /// </summary>
    public static IServiceCollection AddManyiCampaign(this IServiceCollection services)
    {
        new ManyiEngineBuilder(services)
            .AddActivity<NotifyOrganizations>()
            .AddActivity<PublishRatings>()
            .AddActivity<CheckEligibility>()
            .AddActivity<TakeSeat>()
            .AddActivity<AwaitSeat>();
        services.TryAddScoped<SeatLedger>();
        // What a choice of organizations (all, an operator's, a city's) means when an activity runs.
        services.TryAddScoped<Manyi.Engine.Tasks.IOrganizationCatalogue, OrganizationCatalogue>();
        services.TryAddScoped<TrainingSeats>();

        services.AddOptions<CertificateOptions>()
            .Configure<IServiceProvider>((options, provider) => CertificateOptions.Read(options, provider.GetService<IConfiguration>()));
        services.TryAddSingleton<CertificateFonts>();
        services.TryAddSingleton<CertificateRenderer>();
        services.TryAddSingleton<CertificateStore>();
        // After AddManyiEmail: e-mails about a stage name it from the one catalogue.
        StageNamedEmailTemplates.Register(services);
        return services;
    }
}
