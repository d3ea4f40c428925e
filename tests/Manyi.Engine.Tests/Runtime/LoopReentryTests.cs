using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>
/// A loop entered more than once (participant.json's submission → completeness check → returned → resubmission):
/// each round runs only the path its outcome chose, however often the loop was re-entered before. (The defect: a
/// role's task is keyed by its task id, and the check's second run read the first run's task results back from the
/// activity's outputs, so it completed with Returned and Complete at once and both paths ran.)
/// </summary>
public sealed class LoopReentryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The submission loop of participant.json in small: submit, check, and on Returned count, tell and submit again.</summary>
    private static WorkflowDefinition SubmissionLoop() => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Task("submission", ["Submitted"], "Outcome", ("organizations", Doc.Input(new JsonArray("mobile-zhengzhou"), typeName: "String[]"))),
            // The secretariat's check is a role's task, as in participant.json: one task per round, keyed by its own id.
            Task("completeness", ["Complete", "Returned"], "Flag", ("role", Doc.Input("secretariat"))),
            Doc.Activity("count-return", "Elsa.SetVariable",
                ("variable", new JsonObject { ["id"] = "v-returns", ["name"] = "returns", ["typeName"] = "Int32" }),
                ("value", Doc.Input("getVariable('returns') + 1", "JavaScript", "Object"))),
            Doc.WriteLine("keep-missing", "keep-missing"),
            Doc.Activity("may-return", "Elsa.FlowDecision", ("condition", Doc.Input("getVariable('returns') <= 3", "JavaScript", "Boolean"))),
            Doc.WriteLine("tell-returned", "tell-returned"),
            Doc.WriteLine("incomplete", "incomplete"),
            Doc.WriteLine("late", "late"),
            Doc.WriteLine("review", "review"),
        ],
        [
            Doc.Connection("start", "Done", "submission"),
            Doc.Connection("submission", "Submitted", "completeness"),
            Doc.Connection("submission", "Overdue", "late"),
            Doc.Connection("completeness", "Complete", "review"),
            Doc.Connection("completeness", "Returned", "count-return"),
            Doc.Connection("count-return", "Done", "keep-missing"),
            Doc.Connection("keep-missing", "Done", "may-return"),
            Doc.Connection("may-return", "True", "tell-returned"),
            Doc.Connection("may-return", "False", "incomplete"),
            Doc.Connection("tell-returned", "Done", "submission"),
        ],
        [Doc.Variable("returns", "Int32", "0")]);

    private static JsonObject Task(string id, string[] outcomes, string behaviour, (string Key, JsonNode? Value) assignment) => Doc.Activity(id, "Manyi.UserTask",
        ("title", Doc.Input(id)),
        ("stage", Doc.Input(id)),
        assignment,
        ("outcomes", new JsonArray([.. outcomes.Select(o => (JsonNode)o)])),
        ("form", new JsonObject { ["fields"] = new JsonArray() }),
        ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
        ("deadlineBehaviour", Doc.Input(behaviour)));

    private static async Task<WorkflowInstance> CompleteAsync(TestEngine engine, WorkflowInstance instance, string stage, string outcome)
    {
        var task = engine.Store.Tasks.Values.Single(t => t.Task.Stage == stage && t.Status == HumanTaskStatus.Open);
        var result = await engine.Runtime.SendStimulusAsync(
            HumanTask.Completion(task.Task.Id, instance.Id, outcome, new JsonObject(), new TaskActor("u1", "张三")), Ct);
        return Assert.Single(result.Resumed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_loop_re_entered_again_and_again_runs_only_the_path_the_last_outcome_chose(int returns)
    {
        await using var engine = new TestEngine();
        var definition = SubmissionLoop();
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);

        for (var round = 0; round < returns; round++)
        {
            await CompleteAsync(engine, instance, "submission", "Submitted");
            await CompleteAsync(engine, instance, "completeness", "Returned");
        }
        await CompleteAsync(engine, instance, "submission", "Submitted");
        var finished = await CompleteAsync(engine, instance, "completeness", "Complete");

        Assert.Equal(WorkflowStatus.Finished, finished.Status);
        Assert.Equal(returns, finished.State.Variables["returns"]!.GetValue<int>());
        var steps = engine.Steps(instance.Id);
        Assert.Equal(returns, steps.Count(s => s == "count-return Executed Done"));
        Assert.Equal(returns, steps.Count(s => s == "tell-returned Message tell-returned"));
        Assert.DoesNotContain("incomplete Message incomplete", steps);
        Assert.DoesNotContain("late Message late", steps);
        Assert.Equal(returns, steps.Count(s => s == "completeness Executed Returned"));
        Assert.Equal(["completeness Executed Complete", "review Message review", "review Executed Done", "WorkflowFinished"], steps.TakeLast(4));
    }
}
