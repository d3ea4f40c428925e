using Manyi.Web.Features.Audit;
using Manyi.Web.Features.Calendars;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Features.Deadlines;
using Manyi.Web.Features.Designer;
using Manyi.Web.Features.Emails;
using Manyi.Web.Features.Events;
using Manyi.Web.Features.Organizations;
using Manyi.Web.Features.Review;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Features.Timeline;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Features.Users;
using Manyi.Web.Features.WorkflowInstances;

namespace Manyi.Web.Infrastructure.Services;

public static class ServicesSetup
{
    /// <summary>
    /// The application services, one per feature: they hold the rules that the endpoints and the pages share. Scoped:
    /// one unit of work per request, or per page operation through <see cref="AsUser{TService}"/>.
    /// </summary>
    public static IServiceCollection AddManyiServices(this IServiceCollection services)
    {
        services.AddScoped<TaskService>();
        services.AddScoped<InstanceService>();
        services.AddScoped<RemindNow>();
        services.AddScoped<DeadlineService>();
        services.AddScoped<OrganizationService>();
        services.AddScoped<UserService>();
        services.AddScoped<CampaignService>();
        services.AddScoped<CertificateService>();
        services.AddScoped<CalendarService>();
        services.AddScoped<EventService>();
        services.AddScoped<TimelineService>();
        services.AddScoped<WorkflowDefinitionService>();
        services.AddScoped<WorkflowToolsService>();
        services.AddScoped<DesignerService>();
        services.AddScoped<ExpressionTrial>();
        services.AddScoped<ReviewService>();
        services.AddScoped<EmailLogService>();
        services.AddScoped<AuditLogService>();
        services.AddScoped<Features.Channels.NotificationChannelService>();
        return services;
    }
}
