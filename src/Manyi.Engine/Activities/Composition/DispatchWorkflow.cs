using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Activities.Composition;

/// <summary>
/// Starts a child workflow — or one per item of <see cref="ForEach"/>, e.g. per eligible organization — and, when
/// <see cref="WaitForCompletion"/> is on, waits until every child has ended, with the deadline and reminders of any
/// waiting activity. Each child gets <see cref="Input"/> plus, when fanned out, <c>item</c>; a string item is also
/// its correlation id. The output <c>Children</c> maps each item (or correlation id) to its child's instance id;
/// <c>Results</c> holds each child's status and final variables, keyed by item (or
/// child id), and for an item that is an organization's id that organization's name (<c>organizationName</c>, from the
/// organization catalogue), so that whoever reads the results — a Liquid summary, the instance viewer — names it. The children start after the parent's burst commits, under ids the parent's bookmarks already name,
/// so reconciliation can start any a crash left out and tell the parent of any child whose end it missed.
/// </summary>
[Activity("Elsa.DispatchWorkflow", "Composition", "Starts a child workflow (one per item of forEach) and optionally waits until each has ended.",
    Outcomes = [Done, Overdue], Outputs = ["Results", "Children", "ChildInput"])]
public sealed class DispatchWorkflow : WaitingActivity
{
    public const string ChildEndedBookmark = "Manyi.ChildEnded";

    [Input(Description = "The definition id of the workflow to start (its published version).", Required = true)]
    public Input<string> WorkflowDefinitionId { get; set; } = new("");

    [Input(Description = "The child's input: an object whose properties become the child's inputs.")]
    public Input<JsonNode?> Input { get; set; } = new((JsonNode?)null);

    [Input(Description = "The child's correlation id (without forEach).")]
    public Input<string> CorrelationId { get; set; } = new("");

    [Input(Description = "Items to start one child each for, e.g. the organizations' ids; each child gets its item as input 'item'.")]
    public Input<JsonNode?> ForEach { get; set; } = new((JsonNode?)null);

    [Input(Description = "Wait until every child has ended (Finished or Cancelled) before going on.")]
    public Input<bool> WaitForCompletion { get; set; } = new(true);

    protected override async ValueTask<IReadOnlyList<BookmarkRequest>> WaitAsync(ActivityContext context, DateTimeOffset? deadline)
    {
        var definitionId = await context.EvaluateAsync(WorkflowDefinitionId);
        if (string.IsNullOrWhiteSpace(definitionId)) throw new InvalidOperationException("No workflow to dispatch: workflowDefinitionId is empty.");
        var input = await context.EvaluateAsync(Input) as JsonObject ?? [];
        var wait = await context.EvaluateAsync(WaitForCompletion);
        IReadOnlyList<JsonNode?> items = await context.EvaluateAsync(ForEach) switch
        {
            null => [null],
            JsonArray array => [.. array],
            var other => throw new InvalidOperationException($"forEach must be a list, not {other.ToJsonString()}."),
        };
        var correlationId = await context.EvaluateAsync(CorrelationId);

        var waits = new List<BookmarkRequest>();
        var children = new JsonObject();
        foreach (var item in items)
        {
            var childInput = input.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
            if (item is not null) childInput["item"] = item.DeepClone();
            var child = new ChildDispatch(Guid.NewGuid().ToString("N"), context.Instance.Id, definitionId,
                item is JsonValue value && value.TryGetValue<string>(out var key) ? key : NullIfEmpty(correlationId), childInput);
            context.DispatchChild(child);
            children[child.CorrelationId ?? child.InstanceId] = child.InstanceId;
            if (wait) waits.Add(new BookmarkRequest(ChildEndedBookmark, child.InstanceId, ToPayload(child, item)));
        }
        await KeepNamesAsync(context, items);
        context.SetOutput("Children", children);
        // Kept once, not on every child's bookmark: a campaign's thousands of bookmarks stay small.
        context.SetOutput("ChildInput", input.DeepClone());
        context.Log(JournalKeys.ChildrenDispatched, new JsonObject
        {
            ["count"] = items.Count, ["definition"] = await DefinitionNameAsync(context, definitionId), ["definitionId"] = definitionId, ["waiting"] = wait,
        });
        return waits;
    }

    protected override ValueTask<ActivityStep> ReceivedAsync(ActivityContext context, ResumeContext resume)
    {
        var kept = context.OutputsOf(context.Node.Id)?.GetValueOrDefault("Results") as JsonObject;
        var results = kept ?? [];
        var item = resume.Bookmark.Payload?["item"];
        var key = item is JsonValue value && value.TryGetValue<string>(out var text) ? text : resume.Bookmark.Key!;
        var result = Result(resume.Bookmark.Key!, resume.Stimulus.Input);
        if (context.Execution?.Properties.GetValueOrDefault(NamesProperty)?[key] is JsonValue name) result["organizationName"] = name.DeepClone();
        results[key] = result;
        var waiting = context.Instance.Bookmarks.Any(b => b.ActivityId == context.Node.Id && b.Name == ChildEndedBookmark);
        // The results grow in place while children end: a parent that takes thousands of ends in one burst must not
        // copy the whole of them for each. Set as the activity's result once it is done.
        if (!waiting) context.SetOutput("Results", results.DeepClone());
        else if (kept is null) context.SetOutputOf(context.Node.Id, "Results", results);
        return ValueTask.FromResult(waiting ? ActivityStep.KeepWaiting : ActivityStep.Done);
    }

    private const string NamesProperty = "organizationNames";

    /// <summary>The catalogue's names of the items that are organizations' ids, kept once with the activity for the results.</summary>
    private static async Task KeepNamesAsync(ActivityContext context, IReadOnlyList<JsonNode?> items)
    {
        var keys = items.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().Distinct().ToList();
        if (keys.Count == 0) return;
        var names = await context.Services.GetRequiredService<ITaskDirectory>().OrganizationNamesAsync(keys, context.CancellationToken);
        if (names.Count > 0) context.Properties[NamesProperty] = new JsonObject(names.Select(n => KeyValuePair.Create(n.Key, (JsonNode?)JsonValue.Create(n.Value))));
    }

    /// <summary>A child's entry in <c>Results</c>: its instance id, and the status and variables its end reported.</summary>
    public static JsonObject Result(string childInstanceId, IReadOnlyDictionary<string, JsonNode?> report) => new()
    {
        ["instanceId"] = childInstanceId,
        ["status"] = report.GetValueOrDefault("status")?.DeepClone(),
        ["variables"] = report.GetValueOrDefault("variables")?.DeepClone(),
    };

    /// <summary>What reconciliation needs to start the child if it never was: the bookmark names it, the parent keeps the shared input.</summary>
    private static JsonObject ToPayload(ChildDispatch child, JsonNode? item) => new()
    {
        ["definitionId"] = child.DefinitionId,
        ["correlationId"] = child.CorrelationId,
        ["item"] = item?.DeepClone(),
    };

    /// <summary>The child a parent's bookmark names, as it was dispatched.</summary>
    public static ChildDispatch FromBookmark(WorkflowInstance parent, Bookmark bookmark)
    {
        var payload = bookmark.Payload ?? [];
        var input = (parent.State.ActivityOutputs.GetValueOrDefault(bookmark.ActivityId)?.GetValueOrDefault("ChildInput") as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        if (payload["item"] is { } item) input["item"] = item.DeepClone();
        return new ChildDispatch(bookmark.Key!, parent.Id, (string)payload["definitionId"]!, (string?)payload["correlationId"], input);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The published definition's name, for the journal; null when it has none (or none is published yet).</summary>
    internal static async Task<string?> DefinitionNameAsync(ActivityContext context, string definitionId) =>
        context.Services.GetService<IWorkflowStore>() is { } store
            ? (await store.FindPublishedDefinitionAsync(definitionId, context.CancellationToken))?.Name
            : null;
}
