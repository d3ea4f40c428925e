using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Email.Channels;

/// <summary>One outbox line of a robot: its row and the facts it shows (<c>kind</c>, <c>title</c>, <c>organization</c>, <c>deadline</c>, <c>daysLeft</c>, <c>passed</c>, <c>link</c>, <c>body</c>).</summary>
public sealed record RobotLine(long Id, JsonObject Facts);

/// <summary>A message of a digest and the lines it carries.</summary>
public sealed record RobotDigest(RobotMessage Message, IReadOnlyList<long> LineIds);

/// <summary>
/// Writes a robot's waiting lines as few messages as its size limit allows: grouped by kind and stage (the task's
/// title), each organization on one line with its deadline in Beijing time, days left and the link to its task. The
/// words are the <c>robot</c> template (Liquid, like the e-mails: replaceable in the templates folder).
/// </summary>
public sealed class RobotDigests(IEmailTemplates templates)
{
    public const string TemplateKind = "robot";

    /// <summary>Room kept for the heading the robot's request adds and the @-mentions.</summary>
    private const int Margin = 400;

    public async Task<IReadOnlyList<RobotDigest>> BuildAsync(ChannelKind kind, IReadOnlyList<RobotLine> lines, IReadOnlyList<string> mobiles,
        CancellationToken cancellationToken)
    {
        var limit = (kind == ChannelKind.WeCom && mobiles.Count > 0 ? ChannelKind.WeComTextBytes : kind.MaxMessageBytes) - Margin;
        var ordered = lines.OrderBy(l => KindOrder(Text(l.Facts, "kind"))).ThenBy(l => Text(l.Facts, "title"), StringComparer.Ordinal)
            .ThenBy(l => Text(l.Facts, "deadline"), StringComparer.Ordinal).ThenBy(l => Text(l.Facts, "organization"), StringComparer.Ordinal).ToList();

        // Greedy: a line joins the current message while the message still fits; a line that fits nowhere goes alone (and is cut).
        var parts = new List<List<RobotLine>>();
        var current = new List<RobotLine>();
        foreach (var line in ordered)
        {
            var candidate = new List<RobotLine>(current) { line };
            if (current.Count > 0 && Size(await RenderAsync(candidate, null, cancellationToken)) > limit)
            {
                parts.Add(current);
                candidate = [line];
            }
            current = candidate;
        }
        if (current.Count > 0) parts.Add(current);

        var digests = new List<RobotDigest>();
        for (var i = 0; i < parts.Count; i++)
        {
            var rendered = await RenderAsync(parts[i], parts.Count > 1 ? $"{i + 1}/{parts.Count}" : null, cancellationToken);
            digests.Add(new RobotDigest(new RobotMessage(rendered.Subject, rendered.TextBody.TrimEnd(), mobiles), [.. parts[i].Select(l => l.Id)]));
        }
        return digests;
    }

    private static int Size(RenderedEmail rendered) => Encoding.UTF8.GetByteCount(rendered.Subject) + Encoding.UTF8.GetByteCount(rendered.TextBody);

    private ValueTask<RenderedEmail> RenderAsync(IReadOnlyList<RobotLine> lines, string? part, CancellationToken cancellationToken)
    {
        var groups = new JsonArray();
        foreach (var group in lines.GroupBy(l => (Kind: Text(l.Facts, "kind"), Title: Text(l.Facts, "title"))))
        {
            var names = ChannelMessageKinds.Find(group.Key.Kind);
            var deadlines = group.Select(l => Text(l.Facts, "deadline")).Distinct().ToList();
            var bodies = group.Select(l => Text(l.Facts, "body")).Distinct().ToList();
            var passed = group.Select(l => l.Facts["passed"] is JsonValue p && p.TryGetValue<bool>(out var b) && b).Distinct().ToList();
            var g = new JsonObject
            {
                ["kind"] = group.Key.Kind,
                ["kindZh"] = names?.Zh ?? group.Key.Kind,
                ["kindEn"] = names?.En ?? group.Key.Kind,
                ["title"] = group.Key.Title,
                ["items"] = new JsonArray([.. group.Select(l => (JsonNode)Item(l.Facts))]),
            };
            if (deadlines is [{ Length: > 0 } deadline]) g["deadline"] = deadline;
            if (passed is [var all]) g["passed"] = all;
            if (bodies is [{ Length: > 0 } body]) g["body"] = body;
            groups.Add(g);
        }
        var model = new JsonObject { ["groups"] = groups, ["count"] = lines.Count };
        if (part is not null) model["part"] = part;
        return templates.RenderAsync(TemplateKind, model, cancellationToken);
    }

    private static JsonObject Item(JsonObject facts)
    {
        var item = new JsonObject { ["organization"] = Text(facts, "organization") is { Length: > 0 } name ? name : "（未指定单位）" };
        foreach (var field in new[] { "deadline", "daysLeft", "passed", "link" })
            if (facts[field] is { } value) item[field] = value.DeepClone();
        return item;
    }

    private static int KindOrder(string kind)
    {
        var index = ChannelMessageKinds.All.ToList().FindIndex(k => k.Id == kind);
        return index < 0 ? int.MaxValue : index;
    }

    private static string Text(JsonObject facts, string field) => facts[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
