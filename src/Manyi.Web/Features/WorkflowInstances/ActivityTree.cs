using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// The activities of a definition as a tree: a sequence's or flowchart's own activities, and the bodies other containers
/// hold in their properties (an If's then and else, a loop's body, a fork's branches, a switch's cases), so that the
/// instance viewer can name and show an activity wherever it is nested.
/// </summary>
public sealed class ActivityTree
{
    private readonly Dictionary<string, ActivityNode> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<ActivityNode>> _children = new(StringComparer.Ordinal);

    private readonly IReadOnlyDictionary<string, ActivityNode> _inlineRoots;

    /// <param name="inlineRoots">
    /// What each workflow used as an activity runs inline, by the using node's id (its ids prefixed): it becomes that
    /// node's child, so that a wait inside it is named and shown like any other.
    /// </param>
    public ActivityTree(ActivityNode root, IReadOnlyDictionary<string, ActivityNode>? inlineRoots = null)
    {
        Root = root;
        _inlineRoots = inlineRoots ?? new Dictionary<string, ActivityNode>();
        Add(root);
    }

    public ActivityNode Root { get; }

    public ActivityNode? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>What a container holds, in order (a sequence's run order, a fork's branch order); empty for a plain activity.</summary>
    public IReadOnlyList<ActivityNode> Children(string id) => _children.GetValueOrDefault(id) ?? [];

    public IEnumerable<ActivityNode> All => _byId.Values;

    /// <summary>
    /// What a person reads for an activity, never a code: its title when written out (a user task's), else the name of
    /// its stage in the campaign catalogue, else a name written in Chinese, else its type's name in the activity
    /// catalogue. An activity's own <c>name</c> in Latin letters (<c>NoticeEmail</c>) is an identifier scripts use, and its id
    /// a code (inside a workflow used as an activity, prefixed: "use:wait"); neither is shown.
    /// </summary>
    public static string ShownName(ActivityNode node) =>
        FlowchartLayout.Title(node)
        ?? (Literal(node, "stage") is { } stage && Manyi.Campaign.CampaignStages.Find(stage) is { } known ? known.Zh : null)
        ?? (node.Name is { } name && Designer.ProblemText.HasChinese(name) ? name : null)
        ?? (node.Type == "Elsa.SetVariable" && VariableSet(node) is { } variable ? $"{Designer.ActivityCatalogue.NameOf(node.Type).Zh}：{variable}" : null)
        ?? Designer.ActivityCatalogue.Label(node.Type);

    /// <summary>The variable a SetVariable activity sets (its reference's name, else id), so that its boxes differ: 设置变量：trainees.</summary>
    private static string? VariableSet(ActivityNode node) =>
        node.Properties["variable"] is JsonObject reference
            && ((string?)reference["name"] is { Length: > 0 } name ? name : (string?)reference["id"]) is { Length: > 0 } found ? found : null;

    /// <summary>The input's value when it is written out (a literal), else null.</summary>
    public static string? Literal(ActivityNode node, string input) =>
        node.Properties[input] is JsonObject value && value["expression"] is JsonObject expression
            && (string?)expression["type"] == "Literal" && expression["value"] is JsonValue text && text.TryGetValue<string>(out var literal) ? literal : null;

    /// <summary>Whether the id is one the run gave an activity of a workflow used as an activity (prefixed with the using node's id).</summary>
    public static bool IsInline(string activityId) => activityId.Contains(':', StringComparison.Ordinal);

    private void Add(ActivityNode node)
    {
        if (!_byId.TryAdd(node.Id, node)) return;
        var children = new List<ActivityNode>(node.Activities ?? []);
        foreach (var (key, value) in node.Properties)
            if (key is not ("variables" or "inputs" or "outputs")) children.AddRange(Nested(value, node.Id));
        if (_inlineRoots.TryGetValue(node.Id, out var inline)) children.Add(inline);
        _children[node.Id] = children;
        foreach (var child in children) Add(child);
    }

    private static IEnumerable<ActivityNode> Nested(JsonNode? value, string path) => value switch
    {
        JsonObject json when json["id"] is JsonValue && json["type"] is JsonValue => [ElsaJson.ReadActivityNode(json, path)],
        JsonObject json => json.SelectMany(p => Nested(p.Value, path)),
        JsonArray list => list.SelectMany(item => Nested(item, path)),
        _ => [],
    };
}
