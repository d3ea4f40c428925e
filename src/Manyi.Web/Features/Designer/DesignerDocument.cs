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

    private readonly List<(string Label, string Json)> _undo = [];
    private readonly List<(string Label, string Json)> _redo = [];
    private string _savedJson;

    public DesignerDocument(WorkflowDefinition definition)
    {
        Definition = definition;
        if (Activities.Any(a => Position(a) is null)) PlaceUnpositioned(force: false);
        _savedJson = ElsaJson.Write(Definition);
    }

    public WorkflowDefinition Definition { get; private set; }

    public List<ActivityNode> Activities => Definition.Root.Activities ??= [];
    public List<Connection> Connections => Definition.Root.Connections ??= [];

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
    public string Snapshot() => ElsaJson.Write(Definition);

    /// <summary>Records a change already made since <paramref name="before"/> as one command (nothing if nothing changed).</summary>
    public void Commit(string label, string before)
    {
        if (before == Snapshot()) return;
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
        Revision++;
    }

    public void Redo()
    {
        if (_redo.Count == 0) return;
        var (label, json) = _redo[^1];
        _redo.RemoveAt(_redo.Count - 1);
        _undo.Add((label, Snapshot()));
        Definition = ElsaJson.Read(json);
        Revision++;
    }

    /// <summary>The document was saved as <paramref name="saved"/> (the server may have set its id and version).</summary>
    public void MarkSaved(WorkflowDefinition saved)
    {
        Definition.Id = saved.Id;
        Definition.Version = saved.Version;
        Definition.IsPublished = saved.IsPublished;
        _savedJson = ElsaJson.Write(Definition);
        Revision++;
    }

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

    /// <summary>
    /// Lays activities out in layers (the instance viewer's layout, <see cref="FlowchartLayout"/>): all of them when
    /// <paramref name="force"/>, else only a file's activities that have no position yet.
    /// </summary>
    public void PlaceUnpositioned(bool force)
    {
        var clone = new ActivityNode
        {
            Id = Definition.Root.Id, Type = Definition.Root.Type,
            Activities = Activities.Select(a => new ActivityNode { Id = a.Id, Type = a.Type, Name = a.Name }).ToList(),
            Connections = Connections.ToList(),
        };
        var drawing = FlowchartLayout.Draw(clone);
        var scaleX = NodeWidth / FlowchartLayout.NodeWidth;
        foreach (var drawn in drawing.Nodes)
        {
            var node = Find(drawn.Id)!;
            if (force || Position(node) is null) SetPosition(node, drawn.X * scaleX, drawn.Y * 1.6);
        }
    }

    // ---- activities and connections --------------------------------------------------------------------------

    /// <summary>A fresh id for a new activity of a type: its short name in lower case and the next free number.</summary>
    public string NewId(string typeName)
    {
        var stem = typeName[(typeName.LastIndexOf('.') + 1)..].ToLowerInvariant();
        for (var n = 1; ; n++)
        {
            var id = $"{stem}-{n}";
            if (Activities.All(a => a.Id != id && a.NodeId != id)) return id;
        }
    }

    public ActivityNode Add(ActivityDescriptor descriptor, double x, double y)
    {
        var id = NewId(descriptor.TypeName);
        var node = new ActivityNode { Id = id, Type = descriptor.TypeName, Name = ToName(id) };
        if (descriptor.TypeName == "Manyi.UserTask")
        {
            node.Properties["outcomes"] = new JsonArray("Done");
            node.Properties["form"] = new JsonObject { ["fields"] = new JsonArray() };
        }
        SetPosition(node, x, y);
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
        Do($"连接 Connect {source}:{port} → {target}", _ => Connections.Add(new Connection(new Manyi.Engine.Model.Endpoint(source, port), new Manyi.Engine.Model.Endpoint(target, "In"))));
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
                Connections[i] = new Connection(
                    c.Source.Activity == oldId ? c.Source with { Activity = newId } : c.Source,
                    c.Target.Activity == oldId ? c.Target with { Activity = newId } : c.Target) { Vertices = c.Vertices };
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

    public static string Group(ActivityDescriptor descriptor) => descriptor.Category switch
    {
        "Flow" or "Primitives" or "Composition" => "flow",
        "Timers" => "timers",
        "Tasks" or "Events" => "tasks",
        "Email" => "email",
        "Campaign" => "campaign",
        "HTTP" => "http",
        "Scripting" => "scripting",
        _ => "other",
    };

    public static (string Zh, string En) GroupName(string group) => group switch
    {
        "flow" => ("流程控制", "Flow"),
        "timers" => ("定时", "Timers"),
        "tasks" => ("任务与事件", "Tasks and events"),
        "email" => ("邮件", "E-mail"),
        "campaign" => ("活动", "Campaign"),
        "http" => ("HTTP 接口", "HTTP"),
        "scripting" => ("脚本", "Scripting"),
        _ => ("其他", "Other"),
    };

    public static readonly string[] GroupOrder = ["flow", "timers", "tasks", "email", "campaign", "http", "scripting", "other"];

    /// <summary>Problems of the engine's compiler that concern one activity (or a connection leaving it).</summary>
    public static ILookup<string, ValidationProblem> ByActivity(IEnumerable<ValidationProblem> problems) =>
        problems.Where(p => p.ActivityId is not null).ToLookup(p => p.ActivityId!);

    private static string ToName(string id) =>
        string.Concat(id.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static double? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    public static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
