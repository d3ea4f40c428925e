using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Tasks;

/// <summary>
/// Where each organization of a fanned-out task stands, by the name the organization catalogue gives it: the task's
/// <c>Organizations</c> output, <c>{"done": ["郑州移动"], "open": […], "overdue": […]}</c>, so that a message can list who
/// has not submitted (Liquid <c>{{ Outputs.Report.Organizations.open | join: "、" }}</c>) without naming them by hand.
/// Overdue means not done by the deadline, whether the task stays open (Flag) or was closed (Outcome); a cancelled
/// task is in no list.
/// </summary>
internal static class OrganizationProgress
{
    public const string Output = "Organizations";
    private const string Property = "organizations";
    private const string Open = "open", Done = "done", Overdue = "overdue", Cancelled = "cancelled";

    /// <summary>Every organization open; one the catalogue does not know keeps its id, the only name there is.</summary>
    public static void Start(ActivityContext context, IEnumerable<string> organizations, IReadOnlyDictionary<string, string> names)
    {
        var states = new JsonObject();
        foreach (var organization in organizations)
            states[organization] = new JsonObject { ["name"] = names.GetValueOrDefault(organization) ?? organization, ["state"] = Open };
        context.Properties[Property] = states;
        Publish(context, states);
    }

    public static string? NameOf(ActivityContext context, string organization) =>
        (string?)States(context)?[organization]?["name"];

    public static void Completed(ActivityContext context, string organization) => Set(context, organization, Done);

    public static void CancelledFor(ActivityContext context, string organization) => Set(context, organization, Cancelled);

    /// <summary>The deadline has passed: every organization not done yet is overdue.</summary>
    public static void DeadlinePassed(ActivityContext context)
    {
        if (States(context) is not { } states) return;
        foreach (var (_, entry) in states)
            if ((string?)entry!["state"] == Open) entry["state"] = Overdue;
        Publish(context, states);
    }

    /// <summary>The deadline was moved on: the overdue are open again, as their tasks' flags are cleared.</summary>
    public static void DeadlineMoved(ActivityContext context)
    {
        if (States(context) is not { } states) return;
        foreach (var (_, entry) in states)
            if ((string?)entry!["state"] == Overdue) entry["state"] = Open;
        Publish(context, states);
    }

    private static void Set(ActivityContext context, string organization, string state)
    {
        if (States(context) is not { } states || states[organization] is not JsonObject entry) return;
        entry["state"] = state;
        Publish(context, states);
    }

    private static JsonObject? States(ActivityContext context) => context.Execution?.Properties.GetValueOrDefault(Property) as JsonObject;

    // Set without becoming the instance's last result: the task's outcome and results are what comes after it.
    private static void Publish(ActivityContext context, JsonObject states) =>
        context.SetOutputOf(context.Node.Id, Output, new JsonObject
        {
            [Done] = Names(states, Done),
            [Open] = Names(states, Open),
            [Overdue] = Names(states, Overdue),
        });

    private static JsonArray Names(JsonObject states, string state) =>
        [.. states.Where(s => (string?)s.Value!["state"] == state).Select(s => (JsonNode?)JsonValue.Create((string?)s.Value!["name"]))];
}
