using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 13's second measure: the fixtures whose run Elsa's own tests assert, run on Manyi and checked against what
/// those tests expect (the lines <c>WriteLine</c> writes, the final status, an output, a correlation id). The
/// expectations are restated here from reading Elsa's test classes; the workflow files are read from the folder.
/// </summary>
internal static class ElsaRuns
{
    /// <summary>One asserted run: the workflow to start (by definition id), its input, and what Elsa's test expects.</summary>
    private sealed record Scenario(string Name, string DefinitionId)
    {
        public Dictionary<string, JsonNode?> Input { get; init; } = [];

        /// <summary>Every line written, exactly and in order (Elsa's <c>Assert.Equal(lines)</c>).</summary>
        public string[]? Lines { get; init; }

        /// <summary>Lines that must be among those written (Elsa's <c>Assert.Contains</c>).</summary>
        public string[] Contains { get; init; } = [];

        /// <summary>The status Elsa's test asserts, when it asserts one.</summary>
        public WorkflowStatus? Status { get; init; }

        /// <summary>An activity that must have completed exactly once (Elsa's journal check of the Join).</summary>
        public string? RunsOnce { get; init; }

        public (string Name, string Value)? Output { get; init; }

        /// <summary>A child started by ExecuteWorkflow, by definition id, and the correlation id it must carry.</summary>
        public (string DefinitionId, string CorrelationId)? ChildCorrelation { get; init; }
    }

    private static readonly Scenario[] Scenarios =
    [
        // FlowchartCompletion: each finishes.
        new("FlowchartCompletion/workflow1", "d91eff09eaad43efb9d58332f1f22c82") { Status = WorkflowStatus.Finished },
        new("FlowchartCompletion/workflow2", "991a4f39f7074a9988465230cfdb8d81") { Status = WorkflowStatus.Finished },
        new("FlowchartCompletion/workflow3", "abb565fd716f4eb7be0510ab8ff36329") { Status = WorkflowStatus.Finished },
        new("FlowchartCompletion/workflow4", "7d0420cacaad4ae09c589a0355bbef44") { Status = WorkflowStatus.Finished },
        new("FlowchartCompletion/workflow5", "4aa1e566da264ab6b5495bedb734096d") { Status = WorkflowStatus.Finished },
        new("FlowchartCompletion/workflow6", "b07725956291433abee7ff229b415194") { Status = WorkflowStatus.Finished },
        // ExplicitJoins.
        new("ExplicitJoins/join-any-1", "7204b870946b4968aa786a2c91431242") { Status = WorkflowStatus.Finished, Lines = ["Start", "End"] },
        new("ExplicitJoins/join-all-1", "296428cc22bd4f309e858f4b461dbb3d") { Status = WorkflowStatus.Finished, Lines = ["Start", "Line 1", "Line 2", "End"] },
        new("ExplicitJoins/join-all-2", "64f8f2c852f04dc28f60707034d7a906") { Status = WorkflowStatus.Finished, Lines = ["Start", "Line 1", "Line 2", "End"] },
        // JoinBehaviors: merge modes and joins.
        new("JoinBehaviors/fork-decision-join-none (Stream)", "3d3412c458178ff2") { Lines = ["A", "C"] },
        new("JoinBehaviors/fork-decision-join-converge (Merge)", "3d3412c458178ff1") { Lines = ["A"] },
        new("JoinBehaviors/fork-decision-join-converge-strict (Converge)", "3d3412c458178ff4") { Lines = ["A"] },
        new("JoinBehaviors/fork-decision-join-waitall", "3d3412c458178ff3") { Lines = ["A", "C", "B", "D"] },
        new("JoinBehaviors/decision-merge-join-none", "b8c92c080faf734f") { Status = WorkflowStatus.Finished },
        new("JoinBehaviors/join (the join runs once)", "f64e42304661f407") { RunsOnce = "802725996be1b582" },
        new("JoinBehaviors/parallel-join (completes once)", "2da8d4cb0fcfbacd") { RunsOnce = "70fc1183cd5800f2" },
        // ImportAndExecute.
        new("ImportAndExecute/writeline", "11e2b350dae8485498c16d1ce3843829") { Lines = ["Dummy Text"] },
        new("ImportAndExecute/implicit-loop", "68e6bca3d86c4a5a8dfb825f1d5c0875") { Lines = ["Do something", "Retry", "Do something", "Done"] },
        // CompositesAndOutcomes: Complete does not cascade.
        new("CompositesAndOutcomes/tester", "tester") { Status = WorkflowStatus.Finished, Lines = ["Start", "End"] },
        // DependencyWorkflows: workflows as activities, three levels.
        new("DependencyWorkflows/matter-workflow", "matter-workflow") { Lines = ["Atom", "Atom", "Atom", "Atom", "Atom", "Atom", "Atom", "Atom", "Atom"] },
        // ParentChildCompletion.
        new("ParentChildCompletion/parent", "89d6fe82a11fbed6") { Status = WorkflowStatus.Finished },
        // ParentChildInputs.
        new("ParentChildInputs/parent1", "6a4f5aeecbf94fc09dbba65363c5cb57") { Input = new() { ["Input1"] = "Foo" }, Lines = ["Parent: Foo", "Child: Bar"] },
        new("ParentChildInputs/parent2", "8ad20b5ff9ee4ff59b8dfcfb6d4e29a0") { Input = new() { ["Input1"] = "Foo" }, Lines = ["Parent: Foo", "Child: Foo"] },
        // ParentChildOutputMapping.
        new("ParentChildOutputMapping/calculator", "g-yf4Gck40S_T1E5pW8OVA") { Lines = ["Result: 9"] },
        new("ParentChildOutputMapping/d", "133353946cd83e1d") { Lines = ["FooBar"] },
        new("ParentChildOutputMapping/consumer", "a7e44620e65e7184") { Lines = ["Foo"] },
        // WorkflowDefinitionActivities.
        new("WorkflowDefinitionActivities/parent-with-input", "parent-with-input") { Contains = ["Hello from parent!"] },
        new("WorkflowDefinitionActivities/parent-with-output", "parent-with-output") { Contains = ["Received from child: Child output value"] },
        new("WorkflowDefinitionActivities/parent-with-outcomes", "parent-with-outcomes") { Contains = ["Success path taken"] },
        new("WorkflowDefinitionActivities/parent-version-fallback", "parent-version-fallback") { Contains = ["Published version executed"] },
        // WorkflowOutputMapping.
        new("WorkflowOutputMapping/workflow-output", "f824b31493b04cb4") { Output = ("Output1", "Foo") },
        // ExecuteWorkflow.
        new("ExecuteWorkflow/parent-no-wait", "parent-no-wait") { Status = WorkflowStatus.Finished, Contains = ["Parent: Before child", "Child: Executing", "Parent: After child"] },
        new("ExecuteWorkflow/parent-with-wait", "parent-with-wait") { Status = WorkflowStatus.Finished, Lines = ["Parent: Before child", "Child: Executing", "Parent: After child"] },
        new("ExecuteWorkflow/parent-with-input", "parent-with-input") { Status = WorkflowStatus.Finished, Contains = ["Child received: Hello from parent"] },
        new("ExecuteWorkflow/parent-capture-output", "parent-capture-output") { Status = WorkflowStatus.Finished, Contains = ["Child output: 42", "Parent received: 42"] },
        new("ExecuteWorkflow/parent-with-correlation", "parent-with-correlation") { Status = WorkflowStatus.Finished, ChildCorrelation = ("child-workflow", "test-correlation-123") },
    ];

    /// <summary>
    /// Runs every scenario; returns how many ran as asserted and a line for each that did not. As in Elsa's tests, each
    /// test folder gets a store of its own holding only its files (two folders use the same definition ids).
    /// </summary>
    public static async Task<(int Passed, int Total, string Report)> RunAsync(string folder, CancellationToken ct)
    {
        var report = new StringBuilder();
        var passed = 0;
        foreach (var group in Scenarios.GroupBy(s => s.Name.Split('/')[0]))
        {
            var (services, data) = await Sandbox.StartAsync(ct);
            var files = Directory.GetFiles(folder, $"*__{group.Key}__*.json").Order(StringComparer.Ordinal);
            await FixtureMeasure.ImportAllAsync(services, folder, [.. files.Select(f => new FixtureMeasure.Row(Path.GetFileName(f), ""))], ct);
            foreach (var scenario in group)
            {
                var problem = await RunOneAsync(services, scenario, ct);
                if (problem is null) passed++;
                else report.AppendLine($"- {scenario.Name}: {problem}");
            }
            await services.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
        return (passed, Scenarios.Length, report.ToString());
    }

    private static async Task<string?> RunOneAsync(IServiceProvider services, Scenario scenario, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
        var store = scope.ServiceProvider.GetRequiredService<Manyi.Engine.Stores.IWorkflowStore>();
        if (await db.WorkflowDefinitions.AnyAsync(d => d.DefinitionId == scenario.DefinitionId && d.Status == Manyi.Persistence.Records.DefinitionStatus.Published, ct) is false)
            return "not run: the workflow was not published (see the import report above)";

        var journalMark = await db.JournalEntries.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var before = (await db.WorkflowInstances.Select(i => i.Id).ToListAsync(ct)).ToHashSet();
        WorkflowInstance instance;
        try
        {
            instance = await runtime.StartAsync(scenario.DefinitionId, new StartOptions { Input = scenario.Input }, ct);
            instance = await ResumeUntilEndAsync(db, runtime, store, instance, before, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"failed to run: {ex.GetType().Name}: {ex.Message}";
        }

        var entries = await db.JournalEntries.AsNoTracking().Where(e => e.Id > journalMark).OrderBy(e => e.Id).ToListAsync(ct);
        var lines = entries.Where(e => e.Event == "Message" && e.ActivityType == "Elsa.WriteLine").Select(e => e.Message ?? "").ToList();
        var problems = new List<string>();
        if (scenario.Status is { } status && instance.Status != status)
            problems.Add($"status {instance.Status}, expected {scenario.Status}" +
                         string.Concat(instance.Incidents.Select(i => $" ({i.ActivityType} {i.ActivityId}: {i.Message})")));
        if (scenario.Lines is { } expected && !expected.SequenceEqual(lines))
            problems.Add($"wrote [{string.Join(", ", lines)}], expected [{string.Join(", ", expected)}]");
        foreach (var line in scenario.Contains.Where(l => !lines.Contains(l)))
            problems.Add($"did not write '{line}' (wrote [{string.Join(", ", lines)}])");
        if (scenario.RunsOnce is { } once
            && entries.Count(e => e.InstanceId == instance.Id && e.ActivityId == once && e.Event == "Executed") is var runs && runs != 1)
            problems.Add($"activity {once} completed {runs} times, expected once");
        if (scenario.Output is var (name, value)
            && (instance.State.Output.GetValueOrDefault(name)?.ToString() is var actual && actual != value))
            problems.Add($"output {name} = {actual ?? "(none)"}, expected {value}");
        if (scenario.ChildCorrelation is var (childDefinition, correlation)
            && (await db.WorkflowInstances.Where(i => i.DefinitionId == childDefinition).Select(i => new { i.Id, i.CorrelationId }).ToListAsync(ct))
                .FirstOrDefault(i => !before.Contains(i.Id))?.CorrelationId is var childCorrelation && childCorrelation != correlation)
            problems.Add($"child {childDefinition} has correlation '{childCorrelation ?? "(none)"}', expected '{correlation}'");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>
    /// As Elsa's test host runs a workflow "until it ends": while it has not finished, every bookmark its run waits on
    /// (a delay, an event) is resumed, timers at once (the time they name does not matter to what these workflows write).
    /// </summary>
    private static async Task<WorkflowInstance> ResumeUntilEndAsync(ManyiDbContext db, WorkflowRuntime runtime, Manyi.Engine.Stores.IWorkflowStore store, WorkflowInstance instance,
        IReadOnlySet<string> before, CancellationToken ct)
    {
        // A child the workflow executes, and its parent's resumption, run after the start's commit: read it again.
        instance = await store.FindInstanceAsync(instance.Id, ct) ?? instance;
        for (var round = 0; round < 100 && !instance.IsEnded; round++)
        {
            // A parent's wait for a child it executes is the runtime's to resume, when the child ends.
            var timers = (await db.Bookmarks.AsNoTracking().Where(b => b.Name != Manyi.Engine.Activities.Composition.DispatchWorkflow.ChildEndedBookmark).ToListAsync(ct))
                .Where(b => !before.Contains(b.InstanceId)).ToList();
            if (timers.Count == 0) break;
            foreach (var timer in timers)
                await runtime.SendStimulusAsync(new Stimulus(timer.Name, timer.Key) { BookmarkId = timer.Id, WorkflowInstanceId = timer.InstanceId }, ct);
            instance = await store.FindInstanceAsync(instance.Id, ct) ?? instance;
        }
        return instance;
    }
}
