using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Web.Components;

namespace Manyi.Web.Features.WorkflowInstances;

/// <summary>
/// An instance's data as an administrator reads it by default: organization ids as the organizations' names (from the
/// organizations' own list), other internal ids (32 hex digits: tasks, files, instances) left out, and a journal line
/// that says what the instance waits for in words. The raw data stays one switch away (原始数据 Raw).
/// </summary>
public sealed partial class ReadableIds(IReadOnlyDictionary<string, string> organizationNames)
{
    public const string Elided = "…";

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")]
    private static partial Regex InternalId();

    private Regex? _organizations;

    /// <summary>The text with each organization id as its name and each internal id elided.</summary>
    public string Text(string text)
    {
        if (organizationNames.Count > 0)
        {
            _organizations ??= new Regex(@"(?<![\w.-])(" + string.Join("|", organizationNames.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)) + @")(?![\w-])");
            text = _organizations.Replace(text, m => organizationNames[m.Value]);
        }
        return InternalId().Replace(text, Elided);
    }

    /// <summary>A copy of a JSON value with every string read as <see cref="Text"/>.</summary>
    public JsonNode? Value(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(Text(p.Key), Value(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Value)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Text(s)),
        _ => node?.DeepClone(),
    };

    /// <summary>
    /// A journal line in words: a line with a key from the catalogue (<see cref="DisplayNames.JournalLine"/>), what a
    /// <c>Suspended</c> entry waits for (the engine writes its bookmarks, <c>Name:key, Name</c>), else the line's own text
    /// (an author's WriteLine, a fault's message, a line from before the keys) with the ids read as <see cref="Text"/>.
    /// </summary>
    public (string Zh, string En) Journal(string journalEvent, string? message, string? key = null, JsonObject? arguments = null)
    {
        if (key is not null)
            return DisplayNames.JournalLine(key, arguments) is { } words ? (Text(words.Zh), Text(words.En)) : ("", Text(message ?? ""));
        if (string.IsNullOrEmpty(message)) return ("", "");
        if (journalEvent != nameof(Engine.Runtime.JournalEvent.Suspended)) return ("", Text(message));
        var waits = message.Split(", ", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => DisplayNames.Bookmark(b.Split(':', 2)[0])).Distinct().ToList();
        return ($"等待{string.Join("、", waits.Select(w => w.Zh))}", $"waits for {string.Join(", ", waits.Select(w => w.En))}");
    }
}
