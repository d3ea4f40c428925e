namespace Manyi.Engine.Forms;

/// <summary>
/// File types as people know them (PDF, PNG, JPEG) for the media types a form's file field allows and the sniffer
/// finds: the messages about an upload and the pages name types through here, never as <c>application/pdf</c>.
/// </summary>
public static class FileTypes
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = "PDF",
        ["image/png"] = "PNG",
        ["image/jpeg"] = "JPEG",
        ["image/gif"] = "GIF",
        ["text/plain"] = "TXT",
        ["text/csv"] = "CSV",
        ["application/zip"] = "ZIP",
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = "Excel (XLSX)",
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = "Word (DOCX)",
    };

    /// <summary>The types a form's file field can be set to accept, with their names, in the order a designer lists them.</summary>
    public static IReadOnlyList<(string MediaType, string Name)> Known { get; } = [.. Names.Select(n => (n.Key, n.Value))];

    /// <summary>The type's name, e.g. PDF; a type without one reads as "其他（…）", so the media type is still there to look up.</summary>
    public static string Name(string mediaType) => Names.GetValueOrDefault(mediaType) ?? $"其他 other ({mediaType})";

    /// <summary>A list of types in Chinese ("PDF、PNG、JPEG") and English ("PDF, PNG, JPEG").</summary>
    public static (string Zh, string En) List(IEnumerable<string> mediaTypes)
    {
        var names = mediaTypes.Select(Name).Distinct().ToList();
        return (string.Join("、", names), string.Join(", ", names));
    }
}
