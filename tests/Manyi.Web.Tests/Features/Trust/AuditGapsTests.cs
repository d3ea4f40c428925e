using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>Every administrative change is in the audit trail (issue 15: token refresh, import, publish, retract, execute and cancel were not).</summary>
public sealed class AuditGapsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Import_publish_start_cancel_retract_and_token_refresh_are_audited_with_who_and_what(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var admin = app.CreateClient();

        await admin.ImportAsync(Workflows.WaitFor("audited", "go"));
        await admin.PublishAsync("audited");
        var instance = await admin.ExecuteAsync("audited", correlationId: "org-1");
        var id = instance.GetString("id");
        await admin.PostJsonAsync($"/api/workflow-instances/{id}/cancel", null).ExpectOkAsync();
        await admin.PostJsonAsync("/api/workflow-definitions/audited/retract", null).ExpectOkAsync();

        await app.CreateUserAsync("reviewer@example.org", ManyiRoles.Reviewer);
        var tokens = await (await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/login",
            new { email = "reviewer@example.org", password = ManyiApp.UserPassword }, Ct)).ExpectAsync(System.Net.HttpStatusCode.OK);
        await app.CreateAnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.GetString("refreshToken") }, Ct).ExpectOkAsync();

        var lines = (await admin.FetchAsync("/api/audit?pageSize=100").ExpectOkAsync()).GetArray("items")
            .Select(l => l!).Reverse().ToList();
        JsonNode Line(string action) => Assert.Single(lines, l => l.GetString("action") == action);

        var imported = Line(AuditActions.WorkflowImported);
        Assert.Equal((AuditSubjects.WorkflowDefinition, "audited", ManyiApp.AdminEmail), (imported.GetString("subjectType"), imported.GetString("subjectId"), imported.GetString("userName")));
        Assert.Contains("\"outcome\":\"Created\"", imported.GetString("details"), StringComparison.Ordinal);
        Assert.Equal("audited", Line(AuditActions.WorkflowPublished).GetString("subjectId"));
        Assert.Equal("audited", Line(AuditActions.WorkflowRetracted).GetString("subjectId"));
        var started = Line(AuditActions.WorkflowStarted);
        Assert.Equal((AuditSubjects.WorkflowInstance, id, ManyiApp.AdminEmail), (started.GetString("subjectType"), started.GetString("subjectId"), started.GetString("userName")));
        Assert.Contains("\"correlationId\":\"org-1\"", started.GetString("details"), StringComparison.Ordinal);
        Assert.Equal((id, ManyiApp.AdminEmail), (Line(AuditActions.InstanceCancelled).GetString("subjectId"), Line(AuditActions.InstanceCancelled).GetString("userName")));
        Assert.Equal("reviewer@example.org", Line(AuditActions.TokenRefreshed).GetString("userName"));
        Assert.Equal(
            [AuditActions.WorkflowImported, AuditActions.WorkflowPublished, AuditActions.WorkflowStarted, AuditActions.InstanceCancelled, AuditActions.WorkflowRetracted],
            lines.Select(l => l.GetString("action")).Where(a => a.StartsWith("workflow", StringComparison.Ordinal)));
    }
}
