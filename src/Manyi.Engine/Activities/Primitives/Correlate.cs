using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Primitives;

/// <summary>Sets the instance's correlation id; bookmarks made after it carry the new id.</summary>
[Activity("Elsa.Correlate", "Primitives", "Sets the correlation id of the workflow instance.")]
public sealed class Correlate : Activity
{
    [Input(Description = "The correlation id, e.g. an organization's id.")]
    public Input<string> CorrelationId { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var id = (await context.EvaluateAsync(CorrelationId))?.Trim();
        if (id?.Length > Bookmark.MaxKeyLength)
            throw new InvalidOperationException($"The correlation id has {id.Length} characters; at most {Bookmark.MaxKeyLength} are allowed.");
        context.CorrelationId = string.IsNullOrEmpty(id) ? null : id;
        return ActivityStep.Done;
    }
}
