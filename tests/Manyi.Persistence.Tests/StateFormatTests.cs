using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Runtime;

namespace Manyi.Persistence.Tests;

/// <summary>
/// The state blob leaves out nulls and empty collections (it is written and read on every burst), and what is left
/// out reads back as it was: an empty member as empty, a null as null, and an empty list that means something (a
/// completion with no outcomes) is kept.
/// </summary>
public sealed class StateFormatTests
{
    [Fact]
    public void Nulls_and_empty_collections_are_left_out_and_read_back_the_same()
    {
        var state = new WorkflowState
        {
            StartActivityId = "start",
            Variables = { ["kept"] = null, ["count"] = 2 },
            Queue = { new WorkItem("next", WorkflowState.RootContextId, Completed: []), new WorkItem("other", null) },
            Contexts = { new ExecutionContextState { Id = WorkflowState.RootContextId, ActivityId = "flow" } },
            ReminderLadders = { ["wait"] = new ReminderLadder { AtDeadline = true } },
            JournalSequence = 4,
        };

        var blob = StateFormat.Write(state);
        var json = JsonNode.Parse(blob)!.AsObject();

        Assert.Equal(WorkflowState.CurrentFormatVersion, (int)json["formatVersion"]!);
        foreach (var leftOut in new[] { "parentInstanceId", "input", "output", "name", "activityOutputs", "lastResult", "bookmarkOwners" })
            Assert.False(json.ContainsKey(leftOut), $"'{leftOut}' is null or empty and should be left out: {blob}");
        var root = json["contexts"]![0]!.AsObject();
        Assert.Equal(["id", "activityId"], root.Select(p => p.Key));
        Assert.Equal(["atDeadline", "escalate"], json["reminderLadders"]!["wait"]!.AsObject().Select(p => p.Key));
        // A variable set to null is a value, not an absent member.
        Assert.True(json["variables"]!.AsObject().ContainsKey("kept"));
        Assert.Contains("\"completed\":[]", blob, StringComparison.Ordinal);

        var back = StateFormat.Read(blob);
        Assert.Equal(blob, StateFormat.Write(back));
        Assert.Empty(back.Input);
        Assert.Empty(back.ActivityOutputs);
        Assert.Empty(back.Contexts[0].Properties);
        Assert.Empty(back.Contexts[0].Tokens);
        Assert.Null(back.Contexts[0].Variables);
        Assert.Empty(back.ReminderLadders["wait"].Before);
        Assert.True(back.Variables.ContainsKey("kept"));
        Assert.NotNull(back.Queue[0].Completed);
        Assert.Empty(back.Queue[0].Completed!);
        Assert.Null(back.Queue[1].Completed);
        Assert.Null(back.Queue[1].OwnerId);
    }
}
