using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// What changed between two versions of a definition: activities (matched by id) added, removed and changed input by
/// input, activities only moved on the canvas (a change of layout, not of meaning), connections added and removed,
/// variables, workflow inputs and settings. Values are shown as their JSON text.
/// </summary>
public sealed record VersionComparison(
    string DefinitionId, int From, int To,
    IReadOnlyList<ActivitySummary> Added,
    IReadOnlyList<ActivitySummary> Removed,
    IReadOnlyList<ChangedActivity> Changed,
    IReadOnlyList<MovedActivity> Moved,
    IReadOnlyList<ConnectionSummary> ConnectionsAdded,
    IReadOnlyList<ConnectionSummary> ConnectionsRemoved,
    IReadOnlyList<ValueChange> Variables,
    IReadOnlyList<ValueChange> Inputs,
    IReadOnlyList<ValueChange> Settings)
{
    /// <summary>Nothing but layout (or nothing at all) differs.</summary>
    public bool SameMeaning => Added.Count + Removed.Count + Changed.Count + ConnectionsAdded.Count + ConnectionsRemoved.Count
        + Variables.Count + Inputs.Count + Settings.Count == 0;

    /// <summary>JSON as people read it: Chinese as it is, not escaped.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static VersionComparison Of(WorkflowDefinition from, WorkflowDefinition to)
    {
        var before = Activities(from);
        var after = Activities(to);
        var added = after.Values.Where(a => !before.ContainsKey(a.Id)).Select(ActivitySummary.Of).ToList();
        var removed = before.Values.Where(a => !after.ContainsKey(a.Id)).Select(ActivitySummary.Of).ToList();
        var changed = new List<ChangedActivity>();
        var moved = new List<MovedActivity>();
        foreach (var old in before.Values.Where(a => after.ContainsKey(a.Id)))
        {
            var @new = after[old.Id];
            var changes = Compare(Meaning(old), Meaning(@new));
            if (changes.Count > 0) changed.Add(new ChangedActivity(@new.Id, @new.Name, @new.Type, changes));
            var (oldPosition, newPosition) = (Position(old), Position(@new));
            if (!JsonNode.DeepEquals(oldPosition, newPosition))
                moved.Add(new MovedActivity(@new.Id, @new.Name, @new.Type, oldPosition?.ToJsonString(Readable), newPosition?.ToJsonString(Readable)));
        }

        var oldConnections = Connections(from);
        var newConnections = Connections(to);
        return new VersionComparison(to.DefinitionId, from.Version, to.Version, added, removed, changed, moved,
            [.. newConnections.Except(oldConnections)], [.. oldConnections.Except(newConnections)],
            Compare(Keyed(from.Variables.Select(v => (v.Name, (JsonNode?)Variable(v)))), Keyed(to.Variables.Select(v => (v.Name, (JsonNode?)Variable(v))))),
            Compare(Keyed(from.Inputs.Select(InputEntry)), Keyed(to.Inputs.Select(InputEntry))),
            Compare(SettingsOf(from), SettingsOf(to)));
    }

    private static Dictionary<string, ActivityNode> Activities(WorkflowDefinition definition) =>
        (definition.Root.Activities ?? []).GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static List<ConnectionSummary> Connections(WorkflowDefinition definition) =>
        [.. (definition.Root.Connections ?? []).Select(c => new ConnectionSummary(c.Source.Activity, c.Source.Port, c.Target.Activity, c.Target.Port)).Distinct()];

    /// <summary>Everything about an activity that changes what it does: its type, name, version, inputs, custom properties, metadata but layout.</summary>
    private static Dictionary<string, JsonNode?> Meaning(ActivityNode node)
    {
        var meaning = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["type"] = node.Type,
            ["name"] = node.Name,
            ["version"] = node.Version,
        };
        foreach (var (key, value) in node.Properties) meaning[key] = value;
        foreach (var (key, value) in node.CustomProperties) meaning["customProperties." + key] = value;
        foreach (var (key, value) in node.Metadata.Where(m => m.Key != "designer")) meaning["metadata." + key] = value;
        return meaning;
    }

    private static JsonNode? Position(ActivityNode node) => node.Metadata["designer"]?["position"];

    private static JsonObject Variable(VariableDefinition v) =>
        new() { ["typeName"] = v.TypeName, ["isArray"] = v.IsArray, ["value"] = v.Value };

    private static (string, JsonNode?) InputEntry(JsonNode? input) => ((string?)input?["name"] ?? input?.ToJsonString() ?? "", input);

    private static Dictionary<string, JsonNode?> Keyed(IEnumerable<(string Key, JsonNode? Value)> entries)
    {
        var keyed = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries) keyed.TryAdd(key, value);
        return keyed;
    }

    private static Dictionary<string, JsonNode?> SettingsOf(WorkflowDefinition d)
    {
        var settings = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["name"] = d.Name,
            ["description"] = d.Description,
            ["outputs"] = d.Outputs,
            ["outcomes"] = d.Outcomes,
        };
        foreach (var (key, value) in d.Options) settings["options." + key] = value;
        foreach (var (key, value) in d.CustomProperties) settings["customProperties." + key] = value;
        return settings;
    }

    /// <summary>Each key whose value differs, in the order of the older version and then the new keys; absent and null are the same.</summary>
    private static List<ValueChange> Compare(Dictionary<string, JsonNode?> before, Dictionary<string, JsonNode?> after) =>
        [.. before.Keys.Concat(after.Keys.Where(k => !before.ContainsKey(k)))
            .Select(key => (key, Old: before.GetValueOrDefault(key), New: after.GetValueOrDefault(key)))
            .Where(c => !JsonNode.DeepEquals(c.Old, c.New))
            .Select(c => new ValueChange(c.key, c.Old?.ToJsonString(Readable), c.New?.ToJsonString(Readable)))];
}

public sealed record ActivitySummary(string Id, string? Name, string Type)
{
    public static ActivitySummary Of(ActivityNode node) => new(node.Id, node.Name, node.Type);
}

/// <summary>One input, property or entry that differs: its old and new JSON (null where it is absent).</summary>
public sealed record ValueChange(string Name, string? Old, string? New);

public sealed record ChangedActivity(string Id, string? Name, string Type, IReadOnlyList<ValueChange> Changes);

/// <summary>An activity whose place on the canvas (<c>metadata.designer.position</c>) changed, and nothing else about it necessarily.</summary>
public sealed record MovedActivity(string Id, string? Name, string Type, string? From, string? To);

public sealed record ConnectionSummary(string Source, string SourcePort, string Target, string TargetPort);
