using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Web.Features.WorkflowInstances;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// The definition being edited in the designer, with its undo and redo stacks. Every change is a named command run
/// through <see cref="Do"/>: the command stack keeps the document as it was before (its Elsa 3 JSON), so undo puts
/// back exactly what the file held, keys the designer does not know included. Positions live where Elsa 3's designer
/// keeps them: <c>metadata.designer.position {x, y}</c> (and <c>size</c>) of each activity.
/// </summary>
public sealed class DesignerDocument
{
    public const double NodeWidth = 220, NodeHeight = 56;
    private const int MaxUndo = 200;

    public const string FlowchartType = "Elsa.Flowchart", SequenceType = "Elsa.Sequence";

    private readonly List<(string Label, string Json)> _undo = [];
    private readonly List<Frame> _frames = [];
    private readonly List<(string Label, string Json)> _redo = [];
    private string _savedJson;

    public DesignerDocument(WorkflowDefinition definition)
    {
        Definition = definition;
        if (Activities.Any(a => Position(a) is null)) PlaceUnpositioned(force: false);
        _savedJson = ElsaJson.Write(Definition);
    }

    public WorkflowDefinition Definition { get; private set; }

    /// <summary>The activities of the container open on the canvas (the root's unless a container was opened).</summary>
    public List<ActivityNode> Activities => Container.Activities ??= [];

    /// <summary>The open container's connections; none for a sequence, whose order is its list's.</summary>
    public List<Connection> Connections => IsFlowchart ? Container.Connections ??= [] : [];

    /// <summary>The container open on the canvas: the root, or the body last opened with <see cref="Open"/>.</summary>
    public ActivityNode Container => _frames.Count > 0 ? _frames[^1].Container : Definition.Root;

    /// <summary>Whether the open container is drawn as a flowchart (boxes and connections) rather than an ordered list.</summary>
    public bool IsFlowchart => Container.Type == FlowchartType;

    /// <summary>The containers opened from the root to the one on the canvas, for the breadcrumb.</summary>
    public IReadOnlyList<ContainerSlot> OpenPath => [.. _frames.Select(f => f.Slot)];

    /// <summary>The names of the opened containers' activities, along <see cref="OpenPath"/>.</summary>
    public IReadOnlyList<string> OpenNames => [.. _frames.Select(f => f.Owner.DisplayName)];

    /// <summary>Changes with every command, undo and redo: the page re-validates when it moves.</summary>
    public int Revision { get; private set; }

    public bool CanUndo => _undo.Count > 0;
    public bool CanRedo => _redo.Count > 0;
    public string? UndoLabel => _undo.Count > 0 ? _undo[^1].Label : null;
    public string? RedoLabel => _redo.Count > 0 ? _redo[^1].Label : null;
    public bool IsDirty => ElsaJson.Write(Definition) != _savedJson;

    public ActivityNode? Find(string? id) => id is null ? null : Activities.FirstOrDefault(a => a.Id == id);

    /// <summary>Runs a change as one undoable command.</summary>
    public void Do(string label, Action<WorkflowDefinition> change)
    {
        var before = Snapshot();
        change(Definition);
        Commit(label, before);
    }

    /// <summary>The document as it stands, for a change made in steps (a drag) that is committed at its end.</summary>
    public string Snapshot()
    {
        Flush();
        return ElsaJson.Write(Definition);
    }

    /// <summary>Records a change already made since <paramref name="before"/> as one command (nothing if nothing changed).</summary>
    public void Commit(string label, string before)
    {
        if (before == Snapshot()) return; // Snapshot puts an opened body back into its container first
        _undo.Add((label, before));
        if (_undo.Count > MaxUndo) _undo.RemoveAt(0);
        _redo.Clear();
        Revision++;
    }

    public void Undo()
    {
        if (_undo.Count == 0) return;
        var (label, json) = _undo[^1];
        _undo.RemoveAt(_undo.Count - 1);
        _redo.Add((label, Snapshot()));
        Definition = ElsaJson.Read(json);
        Reopen();
        Revision++;
    }

    public void Redo()
    {
        if (_redo.Count == 0) return;
        var (label, json) = _redo[^1];
        _redo.RemoveAt(_redo.Count - 1);
        _undo.Add((label, Snapshot()));
        Definition = ElsaJson.Read(json);
        Reopen();
        Revision++;
    }

    /// <summary>The document was saved as <paramref name="saved"/> (the server may have set its id and version).</summary>
    public void MarkSaved(WorkflowDefinition saved)
    {
        Flush();
        Definition.Id = saved.Id;
        Definition.Version = saved.Version;
        Definition.IsPublished = saved.IsPublished;
        _savedJson = ElsaJson.Write(Definition);
        Revision++;
    }

    // ---- opening containers ----------------------------------------------------------------------------------

    /// <summary>
    /// The bodies an activity holds that can be opened: a sequence's or flowchart's own activities, an If's then and
    /// else, a loop's body, a flow node's (container's) body, each of a fork's branches, each of a switch's cases (named by its label) and its default.
    /// </summary>
    public static IReadOnlyList<ContainerSlot> Slots(ActivityNode node)
    {
        if (node.Type is FlowchartType or SequenceType || node.Activities is not null)
            return [new(node.Id, null, null, "内容", "Contents")];
        return node.Type switch
        {
            "Elsa.If" => [new(node.Id, "then", null, "条件成立时", "Then"), new(node.Id, "else", null, "否则", "Else")],
            "Elsa.ForEach" or "Elsa.ParallelForEach" or "Elsa.While" or "Elsa.For" => [new(node.Id, "body", null, "循环体", "Body")],
            "Elsa.FlowNode" => [new(node.Id, "body", null, "内容", "Contents")],
            "Elsa.Fork" => [.. Enumerable.Range(0, Math.Max(1, (node.Properties["branches"] as JsonArray)?.Count ?? 0) + 1)
                .Select(i => new ContainerSlot(node.Id, "branches", i, $"分支 {i + 1}", $"Branch {i + 1}"))],
            "Elsa.Switch" => [.. SwitchCases(node), new(node.Id, "default", null, "默认", "Default")],
            _ => [],
        };
    }

    /// <summary>A switch's cases as bodies to open: each case's activity, under the case's label.</summary>
    private static IEnumerable<ContainerSlot> SwitchCases(ActivityNode node)
    {
        if (node.Properties["cases"] is not JsonArray cases) yield break;
        for (var i = 0; i < cases.Count; i++)
        {
            if (cases[i] is not JsonObject @case) continue;
            var label = @case["label"]?.ToString() is { Length: > 0 } given ? given : $"{i + 1}";
            yield return new ContainerSlot(node.Id, "cases", i, $"情况 {label}", $"Case {label}", "activity");
        }
    }

    /// <summary>
    /// Opens a body of an activity of the open container on the canvas. An empty body becomes an empty sequence and a
    /// body of one plain activity is put in a sequence (both one undoable command: Elsa runs them alike), so that what
    /// is open is always a list or a flowchart to add to.
    /// </summary>
    public string? Open(ContainerSlot slot)
    {
        if (Find(slot.ActivityId) is not { } owner) return $"找不到活动 '{slot.ActivityId}'。 The activity '{slot.ActivityId}' is not in this container.";
        if (slot.Key is null)
        {
            owner.Activities ??= [];
            _frames.Add(new Frame(slot, owner, owner));
        }
        else
        {
            var body = BodyJson(owner, slot);
            if (body is not JsonObject json || !IsContainerJson(json))
            {
                Do($"添加容器 Add a body to {owner.Id}", _ =>
                {
                    var sequence = new ActivityNode { Id = NewId(SequenceType), Type = SequenceType, Activities = [] };
                    if (body is JsonObject single) sequence.Activities.Add(ElsaJson.ReadActivityNode(single, owner.Id));
                    SetBodyJson(owner, slot, ElsaJson.WriteActivityNode(sequence));
                });
                owner = Find(slot.ActivityId)!;
            }
            var container = ElsaJson.ReadActivityNode((JsonObject)BodyJson(owner, slot)!, $"{owner.Id}.{slot.Key}");
            container.Activities ??= [];
            _frames.Add(new Frame(slot, owner, container));
        }
        if (IsFlowchart && Activities.Any(a => Position(a) is null)) PlaceUnpositioned(force: false);
        Revision++;
        return null;
    }

    /// <summary>Goes back up to the <paramref name="depth"/>-th container of the path (0: the root).</summary>
    public void Close(int depth = 0)
    {
        Flush();
        if (depth < 0 || depth >= _frames.Count) return;
        _frames.RemoveRange(depth, _frames.Count - depth);
        Revision++;
    }

    /// <summary>The body's container activity a slot holds, read-only (null when it is empty), e.g. for a count.</summary>
    public static JsonNode? BodyJson(ActivityNode owner, ContainerSlot slot)
    {
        var item = slot.Index is { } i
            ? owner.Properties[slot.Key!] is JsonArray list && i < list.Count ? list[i] : null
            : owner.Properties[slot.Key!];
        return slot.Inner is null ? item : (item as JsonObject)?[slot.Inner];
    }

    /// <summary>Moves an activity of a sequence up (-1) or down (+1).</summary>
    public void Move(string id, int by)
    {
        var index = Activities.FindIndex(a => a.Id == id);
        var to = index + by;
        if (index < 0 || to < 0 || to >= Activities.Count) return;
        Do($"移动 Move {id}", _ =>
        {
            var node = Activities[index];
            Activities.RemoveAt(index);
            Activities.Insert(to, node);
        });
    }

    private static void SetBodyJson(ActivityNode owner, ContainerSlot slot, JsonObject body)
    {
        if (slot.Index is not { } i)
        {
            owner.Properties[slot.Key!] = body;
            return;
        }
        if (owner.Properties[slot.Key!] is not JsonArray list) owner.Properties[slot.Key!] = list = [];
        while (list.Count <= i) list.Add(null);
        if (slot.Inner is null) list[i] = body;
        else if (list[i] is JsonObject item) item[slot.Inner] = body; // a switch's case keeps its label and condition
        else list[i] = new JsonObject { [slot.Inner] = body };
    }

    private static bool IsContainerJson(JsonObject json) => json["type"]?.ToString() is FlowchartType or SequenceType || json["activities"] is JsonArray;

    /// <summary>Writes each opened body back into its owner, innermost first, so that the definition holds every edit.</summary>
    private void Flush()
    {
        for (var i = _frames.Count - 1; i >= 0; i--)
            if (_frames[i] is { Slot.Key: not null } frame)
                SetBodyJson(frame.Owner, frame.Slot, ElsaJson.WriteActivityNode(frame.Container));
    }

    /// <summary>After undo or redo (a new definition object): opens the same path again, as far as it still exists.</summary>
    private void Reopen()
    {
        var path = _frames.Select(f => f.Slot).ToList();
        _frames.Clear();
        foreach (var slot in path)
        {
            if (Find(slot.ActivityId) is not { } owner || !IsOpenable(owner, slot)) break;
            var container = slot.Key is null ? owner : ElsaJson.ReadActivityNode((JsonObject)BodyJson(owner, slot)!, $"{owner.Id}.{slot.Key}");
            container.Activities ??= [];
            _frames.Add(new Frame(slot, owner, container));
        }
    }

    private static bool IsOpenable(ActivityNode owner, ContainerSlot slot) =>
        slot.Key is null || (BodyJson(owner, slot) is JsonObject json && IsContainerJson(json));

    /// <summary>Every activity id in a written workflow, nested bodies included.</summary>
    private static HashSet<string> AllIds(JsonNode? json)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["type"] is JsonValue && o["id"] is JsonValue id) ids.Add(id.ToString());
                    if (o["nodeId"] is JsonValue nodeId) ids.Add(nodeId.ToString());
                    foreach (var (_, value) in o) Walk(value);
                    break;
                case JsonArray a:
                    foreach (var item in a) Walk(item);
                    break;
            }
        }
        Walk(json is JsonObject doc && doc["root"] is { } root ? root : json);
        return ids;
    }

    private sealed record Frame(ContainerSlot Slot, ActivityNode Owner, ActivityNode Container);

    // ---- positions -------------------------------------------------------------------------------------------

    public static (double X, double Y)? Position(ActivityNode node) =>
        node.Metadata["designer"] is JsonObject designer && designer["position"] is JsonObject position
        && Number(position["x"]) is { } x && Number(position["y"]) is { } y ? (x, y) : null;

    public static (double W, double H) Size(ActivityNode node) =>
        node.Metadata["designer"] is JsonObject designer && designer["size"] is JsonObject size
        && Number(size["width"]) is double w and > 0 && Number(size["height"]) is double h and > 0 ? (w, h) : (NodeWidth, NodeHeight);

    public static void SetPosition(ActivityNode node, double x, double y)
    {
        if (node.Metadata["designer"] is not JsonObject designer)
            node.Metadata["designer"] = designer = [];
        designer["position"] = new JsonObject { ["x"] = Math.Round(x), ["y"] = Math.Round(y) };
        designer["size"] ??= new JsonObject { ["width"] = NodeWidth, ["height"] = NodeHeight };
    }

    /// <summary>Rows of a laid-out flowchart: a box and the room for its port labels and the connections below it.</summary>
    public const double RowHeight = 120;

    /// <summary>
    /// Lays activities out in layers (the instance viewer's layout, <see cref="FlowchartLayout"/>) cut into bands side by
    /// side (<see cref="DesignerLayout.Wrap"/>): all of them when <paramref name="force"/>, else only a file's activities
    /// that have no position yet, each moved to free space if its place is taken — positions set by hand are kept.
    /// </summary>
    public void PlaceUnpositioned(bool force)
    {
        var clone = new ActivityNode
        {
            Id = Container.Id, Type = Container.Type,
            Activities = Activities.Select(a => new ActivityNode { Id = a.Id, Type = a.Type, Name = a.Name }).ToList(),
            Connections = Connections.ToList(),
        };
        var drawing = FlowchartLayout.Draw(clone);
        var scaleX = NodeWidth / FlowchartLayout.NodeWidth;
        var wrapped = DesignerLayout.Wrap([.. drawing.Nodes.Select(n => (n.Id, n.X * scaleX, n.Y))], NodeWidth, RowHeight);
        List<ActivityNode> kept = force ? [] : Activities.Where(a => Position(a) is not null).ToList();
        foreach (var drawn in drawing.Nodes)
        {
            var node = Find(drawn.Id)!;
            if (!force && Position(node) is not null) continue;
            var (x, y) = wrapped[drawn.Id];
            if (kept.Count > 0) (x, y) = DesignerLayout.FreeSpot((x, y), Size(node), Boxes(kept));
            SetPosition(node, x, y);
            if (!force) kept.Add(node);
        }
    }

    /// <summary>Where the boxes of <paramref name="nodes"/> stand on the canvas.</summary>
    public static List<(double X, double Y, double W, double H)> Boxes(IEnumerable<ActivityNode> nodes) =>
        [.. nodes.Select(n => (Position(n), Size(n))).Where(b => b.Item1 is not null).Select(b => (b.Item1!.Value.X, b.Item1.Value.Y, b.Item2.W, b.Item2.H))];

    /// <summary>
    /// Where a new activity goes: in free space below the selected activity (<paramref name="near"/>), else near the
    /// middle of the view (<paramref name="centre"/>), covering no other box nor its ports.
    /// </summary>
    public (double X, double Y) PlaceForNew(string? near, (double X, double Y) centre)
    {
        var wanted = Find(near) is { } selected && Position(selected) is { } p ? (p.X, p.Y + Size(selected).H + 70) : centre;
        return DesignerLayout.FreeSpot(wanted, (NodeWidth, NodeHeight), Boxes(Activities));
    }

    // ---- activities and connections --------------------------------------------------------------------------

    /// <summary>A fresh id for a new activity of a type: its short name in lower case and the next free number.</summary>
    public string NewId(string typeName)
    {
        var stem = typeName[(typeName.LastIndexOf('.') + 1)..].ToLowerInvariant();
        // Ids are unique in the whole workflow, nested bodies included: the engine's graph is keyed by them.
        var taken = AllIds(JsonNode.Parse(Snapshot()));
        for (var n = 1; ; n++)
        {
            var id = $"{stem}-{n}";
            if (!taken.Contains(id)) return id;
        }
    }

    public ActivityNode Add(PaletteItem item, double x, double y)
    {
        var id = NewId(item.TypeName);
        var node = new ActivityNode { Id = id, Type = item.TypeName, Name = ToName(id) };
        if (item.TypeName == "Manyi.UserTask")
        {
            node.Properties["outcomes"] = new JsonArray("Done");
            node.Properties["form"] = new JsonObject { ["fields"] = new JsonArray() };
        }
        if (item.TypeName is FlowchartType) node.Connections = [];
        if (item.TypeName is SequenceType) node.Activities = [];
        if (item.Workflow is { } workflow)
        {
            // Elsa's workflow definition activity: the type names the definition, these keys pin the version it runs.
            node.Properties["workflowDefinitionId"] = workflow.DefinitionId;
            node.Properties["workflowDefinitionVersionId"] = workflow.VersionId;
            node.Version = workflow.Version;
        }
        if (IsFlowchart) SetPosition(node, x, y);
        Do($"添加 Add {id}", _ => Activities.Add(node));
        return node;
    }

    public void Delete(string id) => Do($"删除 Delete {id}", _ =>
    {
        Activities.RemoveAll(a => a.Id == id);
        Connections.RemoveAll(c => c.Source.Activity == id || c.Target.Activity == id);
    });

    public bool Connect(string source, string port, string target)
    {
        if (source == target || Connections.Any(c => c.Source.Activity == source && c.Source.Port == port && c.Target.Activity == target))
            return false;
        // A new connection takes the shape the file's connections have, so an Elsa 3.0 file stays readable by Elsa 3.0.
        var flat = Connections.Count > 0 && Connections.All(c => c.IsFlat);
        Do($"连接 Connect {source}:{port} → {target}", _ => Connections.Add(
            new Connection(new Manyi.Engine.Model.Endpoint(source, port), new Manyi.Engine.Model.Endpoint(target, "In")) { IsFlat = flat }));
        return true;
    }

    public void Disconnect(Connection connection) =>
        Do($"删除连线 Delete connection {connection.Source.Activity}:{connection.Source.Port} → {connection.Target.Activity}",
            _ => Connections.RemoveAll(c => c.Source == connection.Source && c.Target == connection.Target));

    /// <summary>Renames an activity's id, following its connections.</summary>
    public string? Rename(string oldId, string newId)
    {
        newId = newId.Trim();
        if (newId.Length == 0) return "编号不能为空 The id cannot be empty.";
        if (newId == oldId) return null;
        if (Activities.Any(a => a.Id == newId)) return $"编号 '{newId}' 已被使用 The id '{newId}' is already used.";
        Do($"改编号 Rename {oldId} → {newId}", _ =>
        {
            Find(oldId)!.Id = newId;
            for (var i = 0; i < Connections.Count; i++)
            {
                var c = Connections[i];
                Connections[i] = c with
                {
                    Source = c.Source.Activity == oldId ? c.Source with { Activity = newId } : c.Source,
                    Target = c.Target.Activity == oldId ? c.Target with { Activity = newId } : c.Target,
                };
            }
        });
        return null;
    }

    /// <summary>
    /// The outcome ports of an activity: those the bound activity declares (a task's outcomes and Overdue, a switch's
    /// cases, a fork's branches), else the type's, plus any port a connection already leaves from.
    /// </summary>
    public static IReadOnlyList<string> Ports(ActivityNode node, ActivityDescriptor? descriptor, IServiceProvider services, IEnumerable<Connection> connections)
    {
        var ports = new List<string>();
        if (descriptor is not null)
        {
            try
            {
                var activity = (Activity)Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, descriptor.ClrType);
                foreach (var input in descriptor.Inputs)
                {
                    try { input.Bind(activity, node); }
                    catch (ActivityBindingException) { /* the validator names this input; the ports fall back below */ }
                }
                ports.AddRange(activity.GetOutcomes());
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException or FormatException)
            {
                ports.AddRange(descriptor.Outcomes);
            }
        }
        foreach (var port in connections.Where(c => c.Source.Activity == node.Id).Select(c => c.Source.Port))
            if (!ports.Contains(port)) ports.Add(port);
        return ports;
    }

    /// <summary>Problems of the engine's compiler that concern one activity (or a connection leaving it).</summary>
    public static ILookup<string, ValidationProblem> ByActivity(IEnumerable<ValidationProblem> problems) =>
        problems.Where(p => p.ActivityId is not null).ToLookup(p => p.ActivityId!);

    private static string ToName(string id) =>
        string.Concat(id.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static double? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    public static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>
/// A body of an activity that the designer can open: the activity, the key holding the body (null: the activity's own
/// activities, as a sequence or flowchart has them), its index in a list (a fork's branches) and the key inside that
/// item (a switch's case holds its body under <c>activity</c>), with its name.
/// </summary>
public sealed record ContainerSlot(string ActivityId, string? Key, int? Index, string Zh, string En, string? Inner = null);

/// <summary>An entry of the palette: a registered activity type, or a workflow usable as an activity (under its definition's name).</summary>
public sealed record PaletteItem(string TypeName, string Zh, string En, string Group, string Description,
    ActivityDescriptor? Descriptor = null, Manyi.Engine.Activities.Composition.WorkflowActivityType? Workflow = null)
{
    public static PaletteItem Of(ActivityDescriptor descriptor)
    {
        var (zh, en) = ActivityCatalogue.NameOf(descriptor.TypeName);
        return new(descriptor.TypeName, zh, en, ActivityCatalogue.Group(descriptor), ActivityCatalogue.Describe(descriptor), descriptor);
    }

    public static PaletteItem Of(Manyi.Engine.Activities.Composition.WorkflowActivityType workflow, string name) =>
        new(workflow.TypeName, name, $"Workflow v{workflow.Version}", "workflows", $"运行流程“{name}” Runs the workflow “{name}”.", Workflow: workflow);

    /// <summary>Whether the search text is in its Chinese or English name, its type or its description.</summary>
    public bool Matches(string search) =>
        search.Length == 0 || Zh.Contains(search, StringComparison.OrdinalIgnoreCase) || En.Contains(search, StringComparison.OrdinalIgnoreCase)
        || TypeName.Contains(search, StringComparison.OrdinalIgnoreCase) || Description.Contains(search, StringComparison.OrdinalIgnoreCase);
}
