using Manyi.Campaign;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Scheduling;
using Manyi.Web.Components;
using Manyi.Web.Features.Account;
using Manyi.Web.Features.Audit;
using Manyi.Web.Features.Calendars;
using Manyi.Web.Features.Changes;
using Manyi.Web.Features.Channels;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Features.Dashboard;
using Manyi.Web.Features.Deadlines;
using Manyi.Web.Features.Designer;
using Manyi.Web.Features.Demo;
using Manyi.Web.Features.Emails;
using Manyi.Web.Features.Events;
using Manyi.Web.Features.HttpWorkflows;
using Manyi.Web.Features.Organizations;
using Manyi.Web.Features.Rehearsals;
using Manyi.Web.Features.Review;
using Manyi.Web.Features.Tasks;
using Manyi.Web.Features.Timeline;
using Manyi.Web.Features.Risks;
using Manyi.Web.Features.Training;
using Manyi.Web.Features.Users;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Deployment;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;

var builder = WebApplication.CreateBuilder(args);
// A missing or wrong setting stops the start here, each one named, rather than the first reminder or upload later.
if (ManyiSettings.Problems(builder.Configuration, builder.Environment, migrateOnly: args.Contains("migrate")) is { Count: > 0 } problems)
{
    ManyiSettings.Explain(problems, Console.Error);
    return ManyiSettings.ExitCode;
}

builder.Services.AddManyiEngine();
builder.Services.AddManyiData(builder.Configuration);
builder.Services.AddManyiScheduling(builder.Configuration);
builder.Services.AddManyiEmail(builder.Configuration);
builder.Services.AddManyiCampaign();
builder.Services.AddManyiCalendar(builder.Configuration, builder.Environment);
builder.Services.AddManyiIdentity(builder.Configuration);
builder.Services.AddManyiTasks(builder.Configuration);
builder.Services.AddManyiServices();
builder.Services.AddManyiDemoData(builder.Configuration);
builder.Services.AddManyiDashboard();
builder.Services.AddManyiRisks();
builder.Services.AddManyiChanges();
builder.Services.AddManyiRehearsals();
builder.Services.AddManyiTraining();
builder.Services.AddManyiHttpWorkflows();
builder.Services.AddManyiWebDefaults();
builder.Services.AddManyiWebApp();
builder.Services.AddManyiDeployment(builder.Configuration);
builder.Services.AddHostedService<ManyiStartup>();

var app = builder.Build();

if (args.Contains("migrate"))
{
    await ManyiStartup.MigrateAsync(app.Services);
    await app.Services.MigrateSchedulingAsync();
    return 0;
}

app.UseExceptionHandler();
app.UseManyiSecurityHeaders();
// An API call's error status gets a problem-details body; a page's, the status page (same status code) in the layout.
app.UseWhen(context => IsApi(context.Request.Path), api => api.UseStatusCodePages());
app.UseWhen(context => !IsApi(context.Request.Path), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));
// After the status pages, so that a re-executed request is routed again to the status page.
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseManyiSecurityStamps();
app.UseAuthorization();
app.UseManyiLogScopes();
app.UseAntiforgery();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapJobsDashboard(ManyiRoles.Administrator);
app.MapManyiHealth();

app.MapAuthApi();
var api = app.MapGroup("/api").RequireAuthorization(ManyiPolicies.SignedIn).RequireAntiforgeryForCookies().RequireInstantOffsets();
api.MapWorkflowDefinitionsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapDesignerApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapWorkflowInstancesApi();
api.MapDeadlinesApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapEventsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapTasksApi();
api.MapAuditApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapCalendarsApi();
api.MapCampaignsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapTrainingApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapRisksApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapChangesApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapRehearsalsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapCertificatesApi();
api.MapOrganizationsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapUsersApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapDashboardApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapEmailsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapNotificationChannelsApi().RequireAuthorization(ManyiPolicies.Administrator);
api.MapTimelineApi();
api.MapReviewsApi();
app.MapCalendarFeed();
app.MapHttpWorkflows();
app.MapManyiWebApp();

app.Run();
return 0;

static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/openapi");

/// <summary>Visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
