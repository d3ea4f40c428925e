using System.Diagnostics;
using Manyi.Engine;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Manyi.Bench;

/// <summary>
/// Manyi's side of the lifecycle benchmark: the product's own services (AddManyiEngine + AddManyiData) on a real
/// database, running "Start → Event → End" — the same step → wait for event → step shape as the peer — for N
/// instances: start all, each waits for its own event (correlation id = its index), send the events, all finish.
/// </summary>
public static class ManyiLifecycle
{
    private const string DefinitionJson = """
        {"definitionId": "bench-step-wait-step", "name": "Bench: step, wait for event, step",
         "root": {"id": "flow", "type": "Elsa.Flowchart", "activities": [
           {"id": "start", "type": "Elsa.Start"},
           {"id": "wait", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "bench-go"}}},
           {"id": "end", "type": "Elsa.End"}],
          "connections": [
           {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "wait", "port": "In"}},
           {"source": {"activity": "wait", "port": "Done"}, "target": {"activity": "end", "port": "In"}}]}}
        """;

    /// <summary>
    /// The nested case: the same lifecycle, but the first step is a ForEach of 10 items whose body is a Sequence (a
    /// SetVariable and a FlowNode), inside the flowchart: 10 iterations × 3 contexts each before the wait.
    /// </summary>
    private const string NestedDefinitionJson = """
        {"definitionId": "bench-nested", "name": "Bench: ForEach of 10 Sequences, wait for event, step",
         "variables": [{"id": "n", "name": "n", "typeName": "Int32", "value": "0"}],
         "root": {"id": "flow", "type": "Elsa.Flowchart", "activities": [
           {"id": "start", "type": "Elsa.Start"},
           {"id": "each", "type": "Elsa.ForEach", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "[1,2,3,4,5,6,7,8,9,10]"}},
            "body": {"id": "body", "type": "Elsa.Sequence", "activities": [
              {"id": "add", "type": "Elsa.SetVariable", "variable": {"id": "n", "name": "n", "typeName": "Int32"},
               "value": {"typeName": "Object", "expression": {"type": "Variable", "value": "CurrentValue"}}},
              {"id": "pass", "type": "Elsa.FlowNode"}]}},
           {"id": "wait", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "bench-go"}}},
           {"id": "end", "type": "Elsa.End"}],
          "connections": [
           {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "each", "port": "In"}},
           {"source": {"activity": "each", "port": "Done"}, "target": {"activity": "wait", "port": "In"}},
           {"source": {"activity": "wait", "port": "Done"}, "target": {"activity": "end", "port": "In"}}]}}
        """;

    /// <param name="nested">Runs the nested case (<see cref="NestedDefinitionJson"/>) instead of the flat one.</param>
    /// <param name="settings">Configuration as the app would get it: <c>Manyi:DataDirectory</c> or <c>ConnectionStrings:Manyi</c>.</param>
    /// <param name="parallelism">Starts and events in flight at once, each in its own scope like concurrent requests.</param>
    public static async Task<LifecycleResult> MeasureAsync(IReadOnlyDictionary<string, string?> settings, int instances, int parallelism,
        CancellationToken cancellationToken, bool nested = false)
    {
        var (json, definitionId) = nested ? (NestedDefinitionJson, "bench-nested") : (DefinitionJson, "bench-step-wait-step");
        var services = new ServiceCollection()
            .AddLogging(logging => logging
                .SetMinimumLevel(Environment.GetEnvironmentVariable("MANYI_BENCH_TRACE") is null ? LogLevel.Warning : LogLevel.Information)
                // Probing for a leftover bench database logs a failed connection when there is none; that is expected.
                .AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.None)
                .AddSimpleConsole())
            .AddManyiData(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddManyiEngine();
        await using var provider = services.BuildServiceProvider();

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            if (await db.Database.CanConnectAsync(cancellationToken)) await db.Database.EnsureDeletedAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            var catalog = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionCatalog>();
            await catalog.ImportAsync(ElsaJson.Read(json), versionGiven: false, sourcePath: null, cancellationToken);
            await catalog.PublishAsync(definitionId, cancellationToken);
        }

        async Task InScope(Func<WorkflowRuntime, Task> work)
        {
            await using var scope = provider.CreateAsyncScope();
            await work(scope.ServiceProvider.GetRequiredService<WorkflowRuntime>());
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        var suspended = 0;
        var finished = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), parallel, async (i, ct) => await InScope(async runtime =>
        {
            var instance = await runtime.StartAsync(definitionId, new StartOptions { CorrelationId = $"i{i}" }, ct);
            if (instance.Status == WorkflowStatus.Suspended) Interlocked.Increment(ref suspended);
        }));
        var allWaiting = clock.Elapsed;
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), parallel, async (i, ct) => await InScope(async runtime =>
        {
            var result = await runtime.SendStimulusAsync(new Stimulus("Elsa.Event", "bench-go") { CorrelationId = $"i{i}" }, ct);
            if (result.Resumed is [{ Status: WorkflowStatus.Finished }]) Interlocked.Increment(ref finished);
        }));
        clock.Stop();

        await using (var scope = provider.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Database.EnsureDeletedAsync(CancellationToken.None);

        if (suspended != instances || finished != instances)
            throw new InvalidOperationException($"Manyi lifecycle run is wrong: {suspended} of {instances} suspended, {finished} finished.");
        return new LifecycleResult("Manyi", nested ? $"parallelism {parallelism}, nested: ForEach of 10 Sequences" : $"parallelism {parallelism}", instances, clock.Elapsed, allWaiting, clock.Elapsed - allWaiting,
            WarningsLogged: 0, FirstWarning: null);
    }
}
