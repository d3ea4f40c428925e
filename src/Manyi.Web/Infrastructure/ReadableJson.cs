using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// JSON as a person reads it on a page or in a file they may open: indented, Chinese as itself (not <c>\u4e2d</c>).
/// One options instance, built once (System.Text.Json caches its metadata per instance).
/// </summary>
public static class ReadableJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Options);
}
