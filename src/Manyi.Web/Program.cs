using Manyi.Email;
using Manyi.Engine;
using Manyi.Persistence;
using Manyi.Web.Features.Deadlines;
using Manyi.Web.Features.Events;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddManyiEngine();
builder.Services.AddManyiData(builder.Configuration);
builder.Services.AddManyiEmail(builder.Configuration);
builder.Services.AddManyiCalendar(builder.Configuration, builder.Environment);
builder.Services.AddManyiWebDefaults();
builder.Services.AddHostedService<ManyiStartup>();

var app = builder.Build();

if (args.Contains("migrate"))
{
    await ManyiStartup.MigrateAsync(app.Services);
    return;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapGet("/", () => TypedResults.Redirect("/openapi/v1.json")).ExcludeFromDescription();

var api = app.MapGroup("/api");
api.MapWorkflowDefinitionsApi();
api.MapWorkflowInstancesApi();
api.MapDeadlinesApi();
api.MapEventsApi();

app.Run();

/// <summary>Visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
