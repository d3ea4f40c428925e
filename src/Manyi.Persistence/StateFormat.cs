using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;

namespace Manyi.Persistence;

/// <summary>Reads and writes the state blob, checking its format version.</summary>
public static class StateFormat
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(WorkflowState state) => JsonSerializer.Serialize(state, Options);

    public static WorkflowState Read(string json)
    {
        var version = FormatVersionOf(json);
        if (version > WorkflowState.CurrentFormatVersion)
            throw new InvalidDataException(
                $"The instance state has format version {version}, newer than this Manyi understands ({WorkflowState.CurrentFormatVersion}).");
        // An older blob is upgraded as it is read; the next save writes the current format.
        var state = version == WorkflowState.CurrentFormatVersion
            ? JsonSerializer.Deserialize<WorkflowState>(json, Options)
            : JsonNode.Parse(json) is JsonObject blob ? WorkflowStateUpgrade.Upgrade(blob).Deserialize<WorkflowState>(Options) : null;
        return state ?? throw new InvalidDataException("The instance state is empty.");
    }

    /// <summary>The blob's top-level formatVersion (1 when absent), read without parsing the rest.</summary>
    private static int FormatVersionOf(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("The instance state is not a JSON object.");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals("formatVersion");
            reader.Read();
            if (isVersion) return reader.GetInt32();
            reader.Skip();
        }
        return 1;
    }
}
