namespace Manyi.Web.Tests.Infrastructure;

/// <summary>The OpenAPI document describes the API.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task The_document_lists_the_api_paths()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var document = await app.CreateClient().FetchAsync("/openapi/v1.json").ExpectOkAsync();

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/workflow-definitions/import", paths);
        Assert.NotNull(document["paths"]!["/api/workflow-definitions/import"]!["post"]);
        Assert.Contains("/api/workflow-definitions/{definitionId}/execute", paths);
        Assert.Contains("/api/workflow-instances/{id}/incidents/{incidentId}/retry", paths);
        Assert.Contains("/api/events/{eventName}/trigger", paths);
        Assert.DoesNotContain("/", paths);
        Assert.NotNull(document["paths"]!["/api/workflow-instances/{id}"]!["get"]!["responses"]!["404"]);
        // A list's filters, bundled in one record on the server, are the query string's names as clients write them.
        var taskFilters = document["paths"]!["/api/tasks"]!["get"]!["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.Superset(new HashSet<string> { "status", "stage", "organization", "dueAfter", "dueBefore", "page", "pageSize", "year" }, taskFilters.ToHashSet());
        var auditFilters = document["paths"]!["/api/audit/export"]!["get"]!["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.Equal(["user", "action", "subjectType", "subjectId", "from", "to"], auditFilters);
    }
}
