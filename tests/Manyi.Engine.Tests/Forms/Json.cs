using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Tests.Forms;

/// <summary>Compact JSON with Chinese left readable, to compare documents exactly (number formats included).</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Text(JsonNode? node) => node?.ToJsonString(Readable) ?? "null";
}
