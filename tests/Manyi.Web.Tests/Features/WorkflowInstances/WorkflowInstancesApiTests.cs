using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.Web.Tests.Features.WorkflowInstances;

/// <summary>Instances: list filters and paging, get, journal, cancel, incidents and their retry, unknown ids.</summary>
public sealed class WorkflowInstancesApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task List_filters_by_definition_status_and_correlation_id_and_pages(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // lists every instance: a host of its own
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitFor("alpha", "alpha-event"));
        await client.DeployAsync(Workflows.Hello("beta"));
        var alpha1 = (await client.ExecuteAsync("alpha", "c1")).GetString("id");
        var alpha2 = (await client.ExecuteAsync("alpha", "c2")).GetString("id");
        var alpha3 = (await client.ExecuteAsync("alpha", "c3")).GetString("id");
        await client.PostJsonAsync($"/api/workflow-instances/{alpha3}/cancel", null).ExpectOkAsync();
        var beta1 = (await client.ExecuteAsync("beta", "c1")).GetString("id");
        var beta2 = (await client.ExecuteAsync("beta")).GetString("id");

        async Task<List<string>> IdsAsync(string query)
        {
            var page = await client.FetchAsync("/api/workflow-instances" + query).ExpectOkAsync();
            var ids = page.GetArray("items").Select(i => i.GetString("id")).ToList();
            Assert.Equal(ids.Count, page["totalCount"]!.GetValue<int>());
            return ids;
        }

        Assert.Equal(Sorted(alpha1, alpha2, alpha3, beta1, beta2), (await IdsAsync("")).Order());
        Assert.Equal(Sorted(alpha1, alpha2, alpha3), (await IdsAsync("?definitionId=alpha")).Order());
        Assert.Equal(Sorted(beta1, beta2), (await IdsAsync("?definitionId=beta")).Order());
        Assert.Empty(await IdsAsync("?definitionId=gamma"));
        Assert.Equal(Sorted(alpha1, alpha2), (await IdsAsync("?status=Suspended")).Order());
        Assert.Equal(Sorted(beta1, beta2), (await IdsAsync("?status=finished")).Order());
        Assert.Equal([alpha3], await IdsAsync("?status=Cancelled"));
        Assert.Empty(await IdsAsync("?status=Faulted"));
        Assert.Equal(Sorted(alpha1, beta1), (await IdsAsync("?correlationId=c1")).Order());
        Assert.Equal([alpha1], await IdsAsync("?definitionId=alpha&correlationId=c1"));
        Assert.Equal([beta1], await IdsAsync("?correlationId=c1&status=Finished"));
        Assert.Empty(await IdsAsync("?definitionId=beta&status=Suspended"));

        var summary = (await client.FetchAsync("/api/workflow-instances?correlationId=c2").ExpectOkAsync()).GetArray("items").Single();
        Assert.Equal("alpha", summary.GetString("definitionId"));
        Assert.Equal(1, summary!["version"]!.GetValue<int>());
        Assert.Equal("Suspended", summary.GetString("status"));
        Assert.Equal("c2", summary.GetString("correlationId"));
        Assert.Null(summary["finishedAt"]);
        var alphaVersion = await client.FetchAsync("/api/workflow-definitions/alpha").ExpectOkAsync();
        Assert.Equal(alphaVersion.GetString("id"), summary.GetString("definitionVersionId"));

        // Paging: newest first, three pages of 2, 2 and 1, each item exactly once.
        var pages = new List<JsonNode>();
        for (var number = 1; number <= 4; number++)
            pages.Add(await client.FetchAsync($"/api/workflow-instances?page={number}&pageSize=2").ExpectOkAsync());
        Assert.All(pages, p => Assert.Equal(5, p["totalCount"]!.GetValue<int>()));
        Assert.All(pages, p => Assert.Equal(2, p["pageSize"]!.GetValue<int>()));
        Assert.Equal([1, 2, 3, 4], pages.Select(p => p["pageNumber"]!.GetValue<int>()));
        Assert.Equal([2, 2, 1, 0], pages.Select(p => p.GetArray("items").Count));
        var paged = pages.SelectMany(p => p.GetArray("items")).ToList();
        Assert.Equal(Sorted(alpha1, alpha2, alpha3, beta1, beta2), paged.Select(i => i.GetString("id")).Order());
        var created = paged.Select(i => i!["createdAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(created.OrderDescending(), created);

        var filteredPage = await client.FetchAsync("/api/workflow-instances?definitionId=alpha&page=2&pageSize=2").ExpectOkAsync();
        Assert.Equal(3, filteredPage["totalCount"]!.GetValue<int>());
        Assert.Single(filteredPage.GetArray("items"));
    }

    private static IEnumerable<string> Sorted(params string[] ids) => ids.Order();

    [Theory]
    [InlineData("sqlite")]
    public async Task An_invalid_status_filter_is_400_naming_the_field(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        // Statuses are names: a number is no status either, even one that happens to be an enum value.
        foreach (var status in new[] { "Sleeping", "99", "1" })
        {
            var problem = await client.FetchAsync($"/api/workflow-instances?status={status}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal(400, problem["status"]!.GetValue<int>());
            var errors = problem["errors"]!.AsObject();
            var (field, messages) = Assert.Single(errors);
            Assert.Equal("status", field);
            Assert.Equal($"'{status}' is not a status; use one of Running, Suspended, Finished, Cancelled, Faulted.",
                Assert.Single(messages!.AsArray())!.GetValue<string>());
        }
    }

    private static DateTimeOffset Beijing(string local) => DateTimeOffset.Parse(local + "+08:00", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task List_filters_by_a_creation_window_of_Beijing_days_or_instants(string provider)
    {
        var clock = new FakeTimeProvider(Beijing("2025-04-20T10:00:00").ToUniversalTime());
        await using var app = await ManyiApp.StartAsync(provider); // a fake clock and every instance: a host of its own
        app.TestServices = services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromDays(30));
        };
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitFor("windowed", "never"));
        var sunday = (await client.ExecuteAsync("windowed", "a")).GetString("id");
        clock.SetUtcNow(Beijing("2025-04-21T23:30:00").ToUniversalTime());
        var mondayLate = (await client.ExecuteAsync("windowed", "b")).GetString("id");
        // 16:10 UTC on Monday, but Tuesday in Beijing: the day is read in Beijing time.
        clock.SetUtcNow(Beijing("2025-04-22T00:10:00").ToUniversalTime());
        var tuesday = (await client.ExecuteAsync("windowed", "c")).GetString("id");

        async Task<List<string>> IdsAsync(string query)
        {
            var page = await client.FetchAsync("/api/workflow-instances?" + query).ExpectOkAsync();
            Assert.Equal(page.GetArray("items").Count, page["totalCount"]!.GetValue<int>());
            return [.. page.GetArray("items").Select(i => i.GetString("id"))];
        }

        Assert.Equal([tuesday, mondayLate, sunday], await IdsAsync(""));
        Assert.Equal([tuesday, mondayLate], await IdsAsync("createdFrom=2025-04-21"));
        Assert.Equal([mondayLate, sunday], await IdsAsync("createdTo=2025-04-21"));
        Assert.Equal([mondayLate], await IdsAsync("createdFrom=2025-04-21&createdTo=2025-04-21"));
        Assert.Empty(await IdsAsync("createdFrom=2025-04-23"));
        // Instants with their offset: both ends included.
        Assert.Equal([tuesday, mondayLate], await IdsAsync("createdFrom=2025-04-21T23:30:00%2B08:00&createdTo=2025-04-22T00:10:00%2B08:00"));
        Assert.Equal([mondayLate], await IdsAsync("createdFrom=2025-04-21T15:00:00Z&createdTo=2025-04-21T16:00:00Z"));
        Assert.Equal([mondayLate], await IdsAsync("createdFrom=2025-04-21&correlationId=b"));
        Assert.Empty(await IdsAsync("createdFrom=2025-04-21&correlationId=a"));

        // With paging: the window counts first, then the pages, newest first.
        var second = await client.FetchAsync("/api/workflow-instances?createdTo=2025-04-22&pageSize=1&page=2").ExpectOkAsync();
        Assert.Equal(3, second["totalCount"]!.GetValue<int>());
        Assert.Equal(mondayLate, Assert.Single(second.GetArray("items")).GetString("id"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task An_unreadable_or_reversed_creation_window_is_400_naming_the_parameter(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        async Task<JsonObject> ErrorsAsync(string query)
        {
            var problem = await client.FetchAsync("/api/workflow-instances?" + query).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal(400, problem["status"]!.GetValue<int>());
            return problem["errors"]!.AsObject();
        }

        var yesterday = await ErrorsAsync("createdFrom=yesterday");
        Assert.Equal(["createdFrom"], yesterday.Select(e => e.Key));
        Assert.Equal("'yesterday' is neither a day (yyyy-MM-dd, in Beijing time) nor an instant with its offset (e.g. 2025-04-21T09:00:00+08:00).",
            Assert.Single(yesterday["createdFrom"]!.AsArray())!.GetValue<string>());
        // An instant without its offset would be read in the server's zone: refused.
        Assert.Equal(["createdTo"], (await ErrorsAsync("createdTo=2025-04-21T09:00:00")).Select(e => e.Key));
        Assert.Equal(["createdTo"], (await ErrorsAsync("createdTo=2025-02-30")).Select(e => e.Key));
        var reversed = await ErrorsAsync("createdFrom=2025-04-22&createdTo=2025-04-20");
        Assert.Equal(["createdTo"], reversed.Select(e => e.Key));
        Assert.Equal("The window ends (2025-04-20) before it starts (2025-04-22).", Assert.Single(reversed["createdTo"]!.AsArray())!.GetValue<string>());
        // Every bad parameter is named at once.
        Assert.Equal(["createdFrom", "status"], (await ErrorsAsync("status=Sleeping&createdFrom=soon")).Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_overview_names_the_parent_the_children_the_activities_run_and_the_tasks(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Flowchart("child",
            $$"""
            {{Workflows.Start()}},
            {"id": "report", "type": "Manyi.UserTask", "name": "Report",
             "title": {"typeName": "String", "expression": {"type": "Literal", "value": "培训人数报送 Headcount report"} },
             "organizations": {"typeName": "String[]", "expression": {"type": "JavaScript", "value": "[getInput('item')]"} },
             "outcomes": ["Submitted"]}
            """, Workflows.Connect("start", "report")));
        await client.DeployAsync(Workflows.Flowchart("parent",
            Workflows.Start() + ", " + """
            {"id": "dispatch", "type": "Elsa.DispatchWorkflow",
             "workflowDefinitionId": {"typeName": "String", "expression": {"type": "Literal", "value": "child"}},
             "forEach": {"typeName": "Object", "expression": {"type": "Literal", "value": ["mobile-zhengzhou", "unicom-kaifeng"]}}}
            """, Workflows.Connect("start", "dispatch")));
        await ManyiApp.CreateUserAsync(app.Services, "zz@example.org", ManyiRoles.Participant, ("mobile-zhengzhou", "郑州移动"));

        var parent = (await client.ExecuteAsync("parent", "2025")).GetString("id");
        var overview = await client.FetchAsync($"/api/workflow-instances/{parent}/overview").ExpectOkAsync();
        Assert.Equal(parent, overview["instance"].GetString("id"));
        Assert.Equal("parent", overview.GetString("definitionName"));
        Assert.Null(overview["parentInstanceId"]);
        Assert.Equal(["start"], overview.GetArray("completedActivityIds").Select(a => a!.GetValue<string>()));
        var children = overview.GetArray("children");
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng"], children.Select(c => c.GetString("key")).Order());
        Assert.All(children, c => Assert.Equal("Suspended", c.GetString("status")));
        Assert.All(children, c => Assert.Equal("dispatch", c.GetString("activityId")));
        Assert.Equal(0, overview["taskCount"]!.GetValue<int>());

        var zhengzhou = children.Single(c => c.GetString("key") == "mobile-zhengzhou").GetString("id");
        var child = await client.FetchAsync($"/api/workflow-instances/{zhengzhou}/overview").ExpectOkAsync();
        Assert.Equal(parent, child.GetString("parentInstanceId"));
        Assert.Equal("郑州移动", child.GetString("organizationName"));
        Assert.Empty(child.GetArray("children"));
        var task = Assert.Single(child.GetArray("tasks"));
        Assert.Equal("培训人数报送 Headcount report", task.GetString("title"));
        Assert.Equal("report", task.GetString("activityId"));
        Assert.Equal("Open", task.GetString("status"));
        Assert.Equal(1, child["taskCount"]!.GetValue<int>());
        var bookmark = Assert.Single(child["instance"].GetArray("bookmarks"));
        Assert.Equal(task.GetString("id"), bookmark.GetString("key"));

        // Administrators only; unknown ids are 404 like the rest of the group.
        using var participant = await app.CreateClientForAsync("zz@example.org");
        await participant.FetchAsync($"/api/workflow-instances/{zhengzhou}/overview").ExpectAsync(HttpStatusCode.Forbidden);
        var missing = await client.FetchAsync("/api/workflow-instances/x/overview").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("Workflow instance 'x' does not exist.", missing.GetString("detail"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Cancel_removes_the_bookmarks_and_a_second_cancel_is_409(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.WaitFor("waiter", "never-comes"));
        var instance = await client.ExecuteAsync("waiter", "c-cancel");
        var id = instance.GetString("id");
        Assert.Equal("Suspended", instance.GetString("status"));
        Assert.Single(instance.GetArray("bookmarks"));

        var cancelled = await client.PostJsonAsync($"/api/workflow-instances/{id}/cancel", null).ExpectOkAsync();
        Assert.Equal("Cancelled", cancelled.GetString("status"));
        Assert.Empty(cancelled.GetArray("bookmarks"));
        Assert.NotNull(cancelled["finishedAt"]);

        var stored = await client.GetInstanceAsync(id);
        Assert.Equal("Cancelled", stored.GetString("status"));
        Assert.Empty(stored.GetArray("bookmarks"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{id}/journal").ExpectOkAsync();
        Assert.Equal("WorkflowCancelled", journal.GetArray("items")[^1].GetString("event"));

        var again = await client.PostJsonAsync($"/api/workflow-instances/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(409, again["status"]!.GetValue<int>());
        Assert.Equal($"Workflow instance '{id}' is already Cancelled and cannot be cancelled.", again.GetString("detail"));

        // The bookmark is gone for good: the event no longer reaches the instance, it is queued instead.
        var triggered = await client.TriggerAsync("never-comes", new JsonObject { ["correlationId"] = "c-cancel" });
        Assert.Empty(triggered.GetArray("resumed"));
        Assert.True(triggered["queued"]!.GetValue<bool>());
        Assert.Equal("Cancelled", (await client.GetInstanceAsync(id)).GetString("status"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task Cancelling_a_finished_instance_is_409(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Hello("quick"));
        var id = (await client.ExecuteAsync("quick")).GetString("id");

        var problem = await client.PostJsonAsync($"/api/workflow-instances/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal($"Workflow instance '{id}' is already Finished and cannot be cancelled.", problem.GetString("detail"));
        Assert.Equal("Finished", (await client.GetInstanceAsync(id)).GetString("status"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_fault_is_an_incident_and_a_retry_of_Elsa_Fault_faults_again(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Faulting("faulty", "The registry is down."));

        var faulted = await client.ExecuteAsync("faulty");
        var id = faulted.GetString("id");
        Assert.Equal("Faulted", faulted.GetString("status"));
        Assert.Null(faulted["finishedAt"]);
        var incident = Assert.Single(faulted.GetArray("incidents"));
        Assert.Equal("boom", incident.GetString("activityId"));
        Assert.Equal("Elsa.Fault", incident.GetString("activityType"));
        Assert.Equal("The registry is down.", incident.GetString("message"));
        Assert.Null(incident!["resolvedAt"]);
        var incidentId = incident.GetString("id");

        var stored = await client.GetInstanceAsync(id);
        Assert.Equal("Faulted", stored.GetString("status"));
        Assert.Equal(incidentId, Assert.Single(stored.GetArray("incidents")).GetString("id"));

        var retried = await client.PostJsonAsync($"/api/workflow-instances/{id}/incidents/{incidentId}/retry", null).ExpectOkAsync();
        Assert.Equal("Faulted", retried.GetString("status"));
        Assert.Equal(2, retried.GetArray("incidents").Count);

        var afterRetry = await client.GetInstanceAsync(id);
        Assert.Equal("Faulted", afterRetry.GetString("status"));
        var incidents = afterRetry.GetArray("incidents");
        Assert.Equal(2, incidents.Count);
        var first = Assert.Single(incidents, i => i.GetString("id") == incidentId);
        Assert.NotNull(first!["resolvedAt"]);
        var second = Assert.Single(incidents, i => i.GetString("id") != incidentId);
        Assert.Null(second!["resolvedAt"]);
        Assert.Equal("boom", second.GetString("activityId"));
        Assert.Equal("The registry is down.", second.GetString("message"));

        var journal = await client.FetchAsync($"/api/workflow-instances/{id}/journal").ExpectOkAsync();
        Assert.Equal(["WorkflowStarted", "Executed", "Faulted", "WorkflowFaulted", "Retried", "Faulted", "WorkflowFaulted"],
            journal.GetArray("items").Select(e => e.GetString("event")));

        // The first incident is resolved: retrying it again is not allowed; an unknown incident is not found.
        var resolvedAgain = await client.PostJsonAsync($"/api/workflow-instances/{id}/incidents/{incidentId}/retry", null)
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.StartsWith($"Incident '{incidentId}' was already resolved at ", resolvedAgain.GetString("detail"));
        var unknown = await client.PostJsonAsync($"/api/workflow-instances/{id}/incidents/nope/retry", null).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal($"Workflow instance '{id}' has no incident 'nope'.", unknown.GetString("detail"));
        Assert.Equal(2, (await client.GetInstanceAsync(id)).GetArray("incidents").Count);
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task With_the_Continue_incident_strategy_the_instance_records_the_incident_and_finishes(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Workflows.Flowchart("tolerant", $"{Workflows.Start()}, {Workflows.Fault("boom", "Ignored.")}",
            Workflows.Connect("start", "boom"), extra: """ "options": {"incidentStrategy": "ContinueWithIncidentsStrategy"}, """));

        var instance = await client.ExecuteAsync("tolerant");
        Assert.Equal("Finished", instance.GetString("status"));
        var incident = Assert.Single(instance.GetArray("incidents"));
        Assert.Equal("Ignored.", incident.GetString("message"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task An_unknown_instance_is_404_everywhere(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        var responses = new[]
        {
            await client.FetchAsync("/api/workflow-instances/x"),
            await client.FetchAsync("/api/workflow-instances/x/journal"),
            await client.PostJsonAsync("/api/workflow-instances/x/cancel", null),
            await client.PostJsonAsync("/api/workflow-instances/x/incidents/y/retry", null),
        };
        foreach (var response in responses)
        {
            var problem = await response.ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("Not found.", problem.GetString("title"));
            Assert.Equal(404, problem["status"]!.GetValue<int>());
            Assert.Equal("Workflow instance 'x' does not exist.", problem.GetString("detail"));
        }
    }
}
