using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign;

/// <summary>
/// The e-mail templates, with every e-mail about a campaign stage naming it as <see cref="CampaignStages"/> does: a model
/// whose <c>stage</c> is a stage's id gets the stage's Chinese and English name as its <c>title</c>, whatever the task
/// of a workflow was called, and the names under <c>stageName</c>. Other models are rendered as they are.
/// </summary>
public sealed class StageNamedEmailTemplates(IEmailTemplates inner) : IEmailTemplates
{
    public ValueTask<RenderedEmail> RenderAsync(string kind, JsonObject model, CancellationToken cancellationToken)
    {
        if (model["stage"] is JsonValue code && CampaignStages.Find(code.ToString()) is { } stage)
        {
            model = (JsonObject)model.DeepClone();
            model["title"] = $"{stage.Zh} {stage.En}";
            model["stageName"] = new JsonObject { ["zh"] = stage.Zh, ["en"] = stage.En };
        }
        return inner.RenderAsync(kind, model, cancellationToken);
    }

    /// <summary>Wraps the templates registered so far (those of <c>AddManyiEmail</c>, else the engine's built-in ones).</summary>
    internal static void Register(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IEmailTemplates));
        if (registered is null) return;
        services.Remove(registered);
        services.AddSingleton<IEmailTemplates>(provider => new StageNamedEmailTemplates(registered switch
        {
            { ImplementationInstance: IEmailTemplates instance } => instance,
            { ImplementationFactory: { } factory } => (IEmailTemplates)factory(provider),
            _ => (IEmailTemplates)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        }));
    }
}
