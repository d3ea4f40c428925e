using System.Text.Json.Nodes;
using Manyi.Web.Features.Admin;
using Manyi.Web.Features.WorkflowDefinitions;
using Manyi.Web.Infrastructure.Services;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The dates the preview gives one activity of the document as it is now (the unsaved draft, with the campaign's
/// settings and no organization): what the deadline and ladder editors show beside their inputs.
/// </summary>
public static class DraftDates
{
    /// <summary>The activity's preview (null when it has neither deadline nor ladder), or why there is none.</summary>
    public static async Task<(PreviewActivity? Activity, string? Problem)> OfAsync(AsUser<WorkflowToolsService> tools, DesignerDocument document, string nodeId)
    {
        try
        {
            var draft = JsonNode.Parse(document.Snapshot())!.AsObject();
            var result = await tools.RunAsync(t => t.PreviewAsync(document.Definition.DefinitionId, new PreviewRequest(draft, null, null), CancellationToken.None));
            return (result.Value?.Activities.FirstOrDefault(a => a.Id == nodeId), AdminUi.Problem(result.Failure));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, AdminUi.Problem(ex));
        }
    }
}
