using System.Collections.Concurrent;
using Manyi.Engine.Model;
using Manyi.Engine.Validation;

namespace Manyi.Engine.Runtime;

/// <summary>Compiled graphs by definition version id. Safe because a version that runs is published, and published versions never change.</summary>
public sealed class WorkflowGraphCache(WorkflowCompiler compiler)
{
    private readonly ConcurrentDictionary<string, WorkflowGraph> _graphs = new();

    public WorkflowGraph Get(WorkflowDefinition definition) =>
        _graphs.GetOrAdd(definition.Id, _ => compiler.Compile(definition));
}
