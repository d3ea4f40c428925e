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
    }
}
