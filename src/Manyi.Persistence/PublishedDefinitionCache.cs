using System.Collections.Concurrent;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Persistence.Records;

namespace Manyi.Persistence;

/// <summary>
/// Parsed definition versions that can no longer change (published or retracted), by version id, so that a burst
/// does not re-read and re-parse its definition. Drafts are never cached: they are edited in place. Callers must
/// treat the returned definitions as read-only.
/// </summary>
public sealed class PublishedDefinitionCache
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _versions = new();

    public WorkflowDefinition? Find(string definitionVersionId) => _versions.GetValueOrDefault(definitionVersionId);

    public WorkflowDefinition Parse(string definitionVersionId, string json, DefinitionStatus status)
    {
        var definition = ElsaJson.Read(json);
        return status == DefinitionStatus.Draft ? definition : _versions.GetOrAdd(definitionVersionId, definition);
    }
}
