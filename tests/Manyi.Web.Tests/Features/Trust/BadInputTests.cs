using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>Inputs a black-box probe sent that answered 500: each is now a clear 4xx naming the field, with nothing changed.</summary>
public sealed class BadInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Deadlines = "deadlines";

    private static readonly string Reporting = Workflows.Flowchart(Deadlines,
        Workflows.Start() + ", " +
        """
        {"id": "report", "type": "Elsa.Event",
         "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "reported"} },
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "2099-04-30T18:00:00+08:00"} } }
        """,
        Workflows.Connect("start", "report"));

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Task_data_with_invalid_utf8_is_refused_naming_the_field_and_the_task_stays_open(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        var admin = app.CreateClient();
        await admin.DeployAsync(Workflows.HeadcountReport("headcount", ["mobile-zhengzhou"], """
            {"fields": [{"name": "names", "label": "名单", "type": "table", "columns": [{"name": "name", "label": "姓名", "type": "text"}]}]}
            """));
        await admin.ExecuteAsync("headcount");
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var taskId = Assert.Single((await participant.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items")).GetString("id");

        var raw = "{\"outcome\": \"Submitted\", \"data\": {\"names\": [{\"name\": \"\xff\xfe\"}]}}".Select(c => (byte)c).ToArray();
        var body = new ByteArrayContent(raw);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var refused = await participant.PostAsync($"/api/tasks/{taskId}/complete", body, Ct).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("UTF-8", refused["errors"]!["data.names[0].name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Open", (await participant.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync())["task"]!.GetString("status"));
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59+08:00", "between 2000 and 2199")]
    [InlineData("2099-05-01T18:00:00", "offset")]
    public async Task A_deadline_out_of_range_or_without_its_offset_is_refused_naming_the_field(string deadline, string message)
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();
        await client.DeployAsync(Reporting);
        var id = (await client.ExecuteAsync(Deadlines)).GetString("id");

        var refused = await client.PostJsonAsync($"/api/workflow-instances/{id}/activities/report/deadline",
            $$"""{"deadline": "{{deadline}}", "reason": "typo"}""").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains(message, refused.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("deadline", refused.ToJsonString(), StringComparison.Ordinal);
        var stored = await client.GetInstanceAsync(id);
        Assert.Equal(DateTimeOffset.Parse("2099-04-30T10:00:00Z"),
            DateTimeOffset.Parse(stored.GetArray("bookmarks").Single(b => b.GetString("name") == "Manyi.Deadline").GetString("resumeAt")));
    }

    [Fact]
    public async Task An_unknown_task_status_is_refused()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");

        var refused = await app.CreateClient().FetchAsync("/api/tasks?status=99").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.NotNull(refused["errors"]!["status"]);
    }

    [Fact]
    public async Task An_instant_in_the_query_string_without_its_offset_is_refused_naming_the_parameter()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();

        foreach (var (url, parameter) in new[]
                 {
                     ("/api/tasks?dueAfter=2025-05-01T18:00:00", "dueAfter"),
                     ("/api/tasks?dueAfter=2025-05-01T18:00:00%2B08:00&dueBefore=2025-05-31", "dueBefore"),
                     ("/api/emails?from=2025-05-01T00:00:00", "from"),
                 })
        {
            var refused = await client.FetchAsync(url).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Contains("offset", refused["errors"]![parameter]![0]!.GetValue<string>(), StringComparison.Ordinal);
        }
        await client.FetchAsync("/api/tasks?dueAfter=2025-05-01T18:00:00%2B08:00&dueBefore=2025-05-31T10:00:00Z").ExpectOkAsync();
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0d%0a/evil.example")]
    public async Task The_language_switch_goes_home_rather_than_to_a_url_with_control_characters(string returnUrl)
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.FetchAsync($"/language/en?returnUrl={returnUrl}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_workflow_with_too_many_activities_or_too_large_is_refused_at_once_and_nothing_is_saved()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();
        var lines = string.Join(", ", Enumerable.Range(0, 1_001).Select(i => Workflows.WriteLine("w" + i, "line")));
        var padding = new string(' ', 2_000_001);

        var many = await client.PostJsonAsync("/api/workflow-definitions/import", Workflows.Flowchart("many", lines, ""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var large = await client.PostJsonAsync("/api/workflow-definitions/import", Workflows.Flowchart("large", Workflows.Start(), "", $"\"description\": \"{padding}\","))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("at most 1,000 are allowed", many.GetString("detail"), StringComparison.Ordinal);
        Assert.Contains("at most 2,000,000 characters", large.GetString("detail"), StringComparison.Ordinal);
        Assert.Empty((await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync()).GetArray("items"));
    }
}
