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

    /// <summary>The same on one line, for JSON shown inside a line of text (a journal line's arguments behind 原始数据 Raw).</summary>
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Options);
}
