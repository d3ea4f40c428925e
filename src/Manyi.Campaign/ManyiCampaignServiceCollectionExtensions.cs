using Manyi.Campaign.Activities;
using Manyi.Engine.Activities;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign;

public static class ManyiCampaignServiceCollectionExtensions
{
    /// <summary>
    /// The campaign's activities: <c>Manyi.NotifyOrganizations</c>, <c>Manyi.PublishRatings</c> and
    /// <c>Manyi.CheckEligibility</c>. They read organizations through <c>AddManyiData</c> and render the e-mail kinds
    /// <c>notice</c> and <c>rating</c> with the templates of <c>AddManyiEmail</c>; add both.
    /// </summary>
    public static IServiceCollection AddManyiCampaign(this IServiceCollection services)
    {
        services.AddSingleton(new ActivityRegistration(typeof(NotifyOrganizations)));
        services.AddSingleton(new ActivityRegistration(typeof(PublishRatings)));
        services.AddSingleton(new ActivityRegistration(typeof(CheckEligibility)));
        return services;
    }
}
