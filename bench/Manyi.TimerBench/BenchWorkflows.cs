using Manyi.Engine.Model;
using Manyi.Engine.Serialization;

namespace Manyi.TimerBench;

/// <summary>The two workflows the bench runs, as Elsa 3 JSON.</summary>
public static class BenchWorkflows
{
    /// <summary>A task of one organization: its reminders wait in parallel, each an Elsa.Delay read from the input.</summary>
    public static WorkflowDefinition Reminders(int reminders)
    {
        var delays = Enumerable.Range(1, reminders).Select(r =>
            "{\"id\": \"reminder" + r + "\", \"type\": \"Elsa.Delay\", \"timeSpan\": " + JavaScript("TimeSpan", "getInput('reminder" + r + "')") + "}");
        var connections = Enumerable.Range(1, reminders).Select(r => Connect("fork", "reminder" + r)).Prepend(Connect("start", "fork"));
        return Definition("task-reminders",
            "{\"id\": \"start\", \"type\": \"Elsa.Start\"}, {\"id\": \"fork\", \"type\": \"Elsa.FlowFork\"}, " + string.Join(", ", delays),
            string.Join(", ", connections));
    }

    /// <summary>Waits until the instant in the input (Elsa.StartAt), then writes a line.</summary>
    public static WorkflowDefinition DueAt() => Definition("due-at",
        "{\"id\": \"start\", \"type\": \"Elsa.Start\"}, " +
        "{\"id\": \"wait\", \"type\": \"Elsa.StartAt\", \"dateTime\": " + JavaScript("DateTimeOffset", "getInput('at')") + "}, " +
        "{\"id\": \"done\", \"type\": \"Elsa.WriteLine\", \"text\": {\"typeName\": \"String\", \"expression\": {\"type\": \"Literal\", \"value\": \"due\"}}}",
        Connect("start", "wait") + ", " + Connect("wait", "done"));

    private static WorkflowDefinition Definition(string id, string activities, string connections) => ElsaJson.Read(
        "{\"definitionId\": \"" + id + "\", \"name\": \"" + id + "\", \"root\": {\"id\": \"root\", \"type\": \"Elsa.Flowchart\", " +
        "\"activities\": [" + activities + "], \"connections\": [" + connections + "]}}");

    private static string JavaScript(string typeName, string script) =>
        "{\"typeName\": \"" + typeName + "\", \"expression\": {\"type\": \"JavaScript\", \"value\": \"" + script + "\"}}";

    private static string Connect(string from, string to) =>
        "{\"source\": {\"activity\": \"" + from + "\", \"port\": \"Done\"}, \"target\": {\"activity\": \"" + to + "\", \"port\": \"In\"}}";
}
