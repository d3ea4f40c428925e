using System.Text.Json.Nodes;

namespace Manyi.Engine.Runtime;

/// <summary>
/// Upgrades a stored state blob to <see cref="WorkflowState.CurrentFormatVersion"/> before it is read, so that an
/// instance saved by an older Manyi keeps running. Works on the JSON (camel-cased keys, as the stores write it).
/// </summary>
public static class WorkflowStateUpgrade
{
    /// <summary>The blob's format version (1 when it does not say).</summary>
    public static int FormatVersionOf(JsonObject state) =>
        state["formatVersion"] is JsonValue value && value.TryGetValue<int>(out var version) ? version : 1;

    /// <summary>Upgrades the blob in place; a blob of the current format is left as it is.</summary>
    public static JsonObject Upgrade(JsonObject state)
    {
        if (FormatVersionOf(state) == 1) FromFormat1(state);
        if (FormatVersionOf(state) == 2) FromFormat2(state);
        return state;
    }

    /// <summary>
    /// Format 1 ran one flat flowchart: its queue held activity ids, its tokens and held loop exits were the root
    /// flowchart's. They become the root context's; queued activities are owned by it. Bookmarks name no context;
    /// each waiting activity gets one under its container when the instance is next loaded (see the burst).
    /// </summary>
    private static void FromFormat1(JsonObject state)
    {
        var root = new JsonObject
        {
            ["id"] = WorkflowState.RootContextId,
            ["activityId"] = null,
            ["parentId"] = null,
            ["tokens"] = state["tokens"]?.DeepClone() ?? new JsonObject(),
            ["heldLoopExits"] = state["heldLoopExits"]?.DeepClone() ?? new JsonArray(),
        };
        var queue = new JsonArray();
        if (state["queue"] is JsonArray ids)
            foreach (var id in ids)
                queue.Add(new JsonObject { ["activityId"] = id?.DeepClone(), ["ownerId"] = WorkflowState.RootContextId });
        state.Remove("tokens");
        state.Remove("heldLoopExits");
        state["queue"] = queue;
        state["contexts"] = new JsonArray(root);
        state["bookmarkOwners"] = new JsonObject();
        state["nextContextId"] = 1;
        state["formatVersion"] = 2;
    }

    /// <summary>
    /// Format 2 kept every activity output on the instance; format 3 may also keep a ParallelForEach iteration's
    /// outputs on its context. A format-2 blob has none, which format 3 reads as none: only the version changes. The
    /// bump is there so that an older Manyi refuses a format-3 blob rather than drop what its iterations keep.
    /// </summary>
    private static void FromFormat2(JsonObject state) => state["formatVersion"] = 3;
}
