using System.Text.Json;
using System.Collections;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Manyi.Engine.Runtime;

namespace Manyi.Persistence;

/// <summary>Reads and writes the state blob, checking its format version.</summary>
public static class StateFormat
{
    /// <summary>
    /// Nulls and empty collections are left out of the blob: they read back as the members' defaults, and the blob is
    /// written and read on every burst, so most of a small instance's state would otherwise be <c>null</c>, <c>{}</c>
    /// and <c>[]</c>.
    /// </summary>
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutEmptyCollections } },
    };

    /// <summary>
    /// An empty collection is left out only where leaving it out reads back the same: a settable, non-nullable member
    /// that is not required and not a constructor parameter, so its initializer gives the empty collection again. A
    /// nullable one keeps its empty value, which can mean something other than null (a work item's completed outcomes).
    /// </summary>
    private static void LeaveOutEmptyCollections(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (property.PropertyType == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(property.PropertyType)) continue;
            if (property.IsRequired || property.AssociatedParameter is not null || property.Set is null || property.IsSetNullable) continue;
            property.ShouldSerialize = (_, value) => value is not ICollection { Count: 0 };
        }
    }

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
