using System.Text.Json.Nodes;

namespace Manyi.Engine.Runtime;

/// <summary>
/// Renders an e-mail of a kind ("reminder", "escalation", "overdue", …) from a model, Simplified Chinese first.
/// The e-mail module supplies Liquid templates; the engine's built-in fallback keeps engine tests independent of it.
/// </summary>
public interface IEmailTemplates
{
    ValueTask<RenderedEmail> RenderAsync(string kind, JsonObject model, CancellationToken cancellationToken);
}

public sealed record RenderedEmail(string Subject, string TextBody, string? HtmlBody);

/// <summary>A plain fallback: the kind and the model's title, in Chinese then English.</summary>
public sealed class BuiltInEmailTemplates : IEmailTemplates
{
    public ValueTask<RenderedEmail> RenderAsync(string kind, JsonObject model, CancellationToken cancellationToken)
    {
        var title = (string?)model["title"] ?? kind;
        var text = $"{title}\n\n{model.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}";
        return ValueTask.FromResult(new RenderedEmail($"【满意 Manyi】{title}", text, null));
    }
}
