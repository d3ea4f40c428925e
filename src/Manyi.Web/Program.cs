using Hangfire;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Persistence;
using Manyi.Scheduling;
using Manyi.Scheduling.Dashboard;
using Manyi.Web.Features.Deadlines;
using Manyi.Web.Features.Events;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddManyiEngine();
builder.Services.AddManyiData(builder.Configuration);
builder.Services.AddManyiScheduling(builder.Configuration);
builder.Services.AddManyiEmail(builder.Configuration);
builder.Services.AddManyiCalendar(builder.Configuration, builder.Environment);
builder.Services.AddManyiWebDefaults();
builder.Services.AddHostedService<ManyiStartup>();

var app = builder.Build();

if (args.Contains("migrate"))
{
    await ManyiStartup.MigrateAsync(app.Services);
    await app.Services.MigrateSchedulingAsync();
    return;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapGet("/", () => TypedResults.Redirect("/openapi/v1.json")).ExcludeFromDescription();
// Hangfire's dashboard: for administrators once Identity lands (issue 4); until then only for requests from this
// machine (loopback), so an operator reaches it through an SSH tunnel.
app.MapHangfireDashboard("/hangfire", ManyiDashboard.LoopbackOnly());

var api = app.MapGroup("/api");
api.MapWorkflowDefinitionsApi();
api.MapWorkflowInstancesApi();
api.MapDeadlinesApi();
api.MapEventsApi();

app.Run();

/// <summary>Visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
