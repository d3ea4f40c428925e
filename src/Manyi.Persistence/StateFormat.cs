using System.Text.Json;
using Manyi.Engine.Runtime;

namespace Manyi.Persistence;

/// <summary>Reads and writes the state blob, checking its format version.</summary>
public static class StateFormat
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(WorkflowState state) => JsonSerializer.Serialize(state, Options);

    public static WorkflowState Read(string json)
    {
        var state = JsonSerializer.Deserialize<WorkflowState>(json, Options)
            ?? throw new InvalidDataException("The instance state is empty.");
        if (state.FormatVersion > WorkflowState.CurrentFormatVersion)
            throw new InvalidDataException(
                $"The instance state has format version {state.FormatVersion}, newer than this Manyi understands ({WorkflowState.CurrentFormatVersion}).");
        return state;
    }
}
