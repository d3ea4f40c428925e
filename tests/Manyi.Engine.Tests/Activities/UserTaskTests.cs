using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Activities.Tasks;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Engine.Tests.Activities;

public sealed class UserTaskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonObject HeadcountForm = new()
    {
        ["fields"] = new JsonArray(new JsonObject { ["name"] = "trainees", ["label"] = "培训人数", ["type"] = "number", ["required"] = true, ["min"] = 1, ["max"] = 50 }),
    };

    /// <summary>A headcount report task for the organizations given; Submitted leads to "thanks", Overdue to "late".</summary>
    private static WorkflowDefinition Headcount(JsonArray organizations, string behaviour = "Outcome", string[]? outcomes = null) => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("report", "Manyi.UserTask",
                ("title", Doc.Input("培训人数报送 Headcount report")),
                ("stage", Doc.Input("headcount")),
                ("organizations", Doc.Input(organizations, typeName: "String[]")),
                ("outcomes", new JsonArray([.. (outcomes ?? ["Submitted", "Returned"]).Select(o => (JsonNode)o)])),
                ("form", HeadcountForm.DeepClone()),
                ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
                ("deadlineBehaviour", Doc.Input(behaviour))),
            Doc.WriteLine("thanks", "thanks"),
            Doc.WriteLine("returned", "returned"),
            Doc.WriteLine("late", "late"),
        ],
        [
            Doc.Connection("start", "Done", "report"), Doc.Connection("report", "Submitted", "thanks"),
            Doc.Connection("report", "Returned", "returned"), Doc.Connection("report", "Overdue", "late"),
        ]);

    private static Stimulus Completion(WorkflowInstance instance, string taskId, string outcome, int trainees) =>
        HumanTask.Completion(taskId, instance.Id, outcome, new JsonObject { ["trainees"] = trainees }, new TaskActor("u1", "张三"));

    [Fact]
    public async Task A_task_opens_with_its_assignment_and_due_date_and_completing_it_takes_the_chosen_port_with_the_data()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);

        var task = Assert.Single(engine.Store.Tasks.Values);
        Assert.Equal(HumanTaskStatus.Open, task.Status);
        Assert.Equal("mobile-zhengzhou", task.Task.Assignment.OrganizationId);
        Assert.Equal("培训人数报送 Headcount report", task.Task.Title);
        Assert.Equal("headcount", task.Task.Stage);
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T10:00:00Z"), task.DueAt);
        Assert.Equal(["Submitted", "Returned"], task.Task.Outcomes);
        Assert.Equal(instance.Id, task.Task.InstanceId);

        var result = await engine.Runtime.SendStimulusAsync(Completion(instance, task.Task.Id, "Submitted", 12), Ct);

        var after = Assert.Single(result.Resumed);
        Assert.Equal(WorkflowStatus.Finished, after.Status);
        Assert.Contains("thanks Message thanks", engine.Steps(instance.Id));
        Assert.DoesNotContain("late Message late", engine.Steps(instance.Id));
        Assert.Equal(12, (int)after.State.ActivityOutputs["report"]["Data"]!["trainees"]!);
        Assert.Equal(HumanTaskStatus.Completed, task.Status);
        Assert.Equal("Submitted", task.Outcome);
        Assert.Equal("张三", task.ClosedBy!.Name);
        Assert.Empty(after.Bookmarks);
    }

    [Fact]
    public async Task A_second_completion_of_the_same_task_resumes_nothing_and_is_not_queued()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var taskId = Assert.Single(engine.Store.Tasks.Keys);

        Assert.Single((await engine.Runtime.SendStimulusAsync(Completion(instance, taskId, "Submitted", 3), Ct)).Resumed);
        var second = await engine.Runtime.SendStimulusAsync(Completion(instance, taskId, "Submitted", 4), Ct);

        Assert.Empty(second.Resumed);
        Assert.False(second.Queued);
        Assert.Equal(3, (int)engine.Store.Tasks[taskId].Data!["trainees"]!);
    }

    [Fact]
    public async Task Fanned_out_to_organizations_it_opens_one_task_each_and_ends_when_all_are_done_with_every_outcome_chosen()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou", "unicom-kaifeng", "telecom-jiyuan"], outcomes: ["Submitted", "Returned"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var tasks = engine.Store.Tasks.Values.ToDictionary(t => t.Task.Assignment.OrganizationId!, t => t.Task.Id);
        Assert.Equal(["mobile-zhengzhou", "telecom-jiyuan", "unicom-kaifeng"], tasks.Keys.Order());

        await engine.Runtime.SendStimulusAsync(Completion(instance, tasks["mobile-zhengzhou"], "Submitted", 5), Ct);
        var waiting = (await engine.Runtime.SendStimulusAsync(Completion(instance, tasks["unicom-kaifeng"], "Returned", 6), Ct)).Resumed.Single();
        Assert.Equal(WorkflowStatus.Suspended, waiting.Status);
        Assert.DoesNotContain("thanks Message thanks", engine.Steps(instance.Id));

        var done = (await engine.Runtime.SendStimulusAsync(Completion(instance, tasks["telecom-jiyuan"], "Submitted", 7), Ct)).Resumed.Single();
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Contains("thanks Message thanks", engine.Steps(instance.Id));
        Assert.Contains("returned Message returned", engine.Steps(instance.Id));
        var results = (JsonObject)done.State.ActivityOutputs["report"]["Results"]!;
        Assert.Equal(6, (int)results["unicom-kaifeng"]!["data"]!["trainees"]!);
        Assert.Equal("Returned", (string?)results["unicom-kaifeng"]!["outcome"]);
        Assert.Empty(done.Bookmarks);
    }

    [Fact]
    public async Task When_the_deadline_passes_open_tasks_expire_and_the_Overdue_port_is_taken()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou", "unicom-kaifeng"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var zhengzhou = engine.Store.Tasks.Values.Single(t => t.Task.Assignment.OrganizationId == "mobile-zhengzhou");
        await engine.Runtime.SendStimulusAsync(Completion(instance, zhengzhou.Task.Id, "Submitted", 2), Ct);

        await engine.FireAsync(Assert.Single((await engine.LoadAsync(instance.Id)).Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark));

        Assert.Equal(HumanTaskStatus.Completed, zhengzhou.Status);
        Assert.Equal(HumanTaskStatus.Expired, engine.Store.Tasks.Values.Single(t => t.Task.Assignment.OrganizationId == "unicom-kaifeng").Status);
        Assert.Contains("late Message late", engine.Steps(instance.Id));
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
    }

    [Fact]
    public async Task With_the_flag_behaviour_a_task_stays_open_flagged_overdue_and_a_moved_deadline_clears_the_flag()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou"], behaviour: "Flag");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var task = Assert.Single(engine.Store.Tasks.Values);

        await engine.FireAsync(Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark));
        Assert.Equal(HumanTaskStatus.Open, task.Status);
        Assert.True(task.IsOverdue);

        var moved = DateTimeOffset.Parse("2025-05-09T18:00:00+08:00");
        await engine.Runtime.ExtendDeadlineAsync(instance.Id, "report", moved, "秘书处", "全省统一延期", Ct);
        Assert.Equal(moved, task.DueAt);
        Assert.False(task.IsOverdue);
    }

    [Fact]
    public async Task Cancelling_the_instance_cancels_its_open_tasks()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou", "unicom-kaifeng"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);

        await engine.Runtime.CancelAsync(instance.Id, Ct);

        Assert.All(engine.Store.Tasks.Values, t => Assert.Equal(HumanTaskStatus.Cancelled, t.Status));
    }

    [Fact]
    public async Task A_cancelled_task_of_a_fan_out_is_not_waited_for_and_a_lone_cancelled_task_ends_its_branch()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou", "unicom-kaifeng"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var ids = engine.Store.Tasks.Values.ToDictionary(t => t.Task.Assignment.OrganizationId!, t => t.Task.Id);
        Stimulus Cancel(string taskId) => HumanTask.Cancellation(taskId, instance.Id, "退出", new TaskActor("admin", "秘书处"));


        await engine.Runtime.SendStimulusAsync(Cancel(ids["unicom-kaifeng"]), Ct);
        Assert.Equal(HumanTaskStatus.Cancelled, engine.Store.Tasks[ids["unicom-kaifeng"]].Status);
        var done = (await engine.Runtime.SendStimulusAsync(Completion(instance, ids["mobile-zhengzhou"], "Submitted", 1), Ct)).Resumed.Single();
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Contains("thanks Message thanks", engine.Steps(instance.Id));

        await using var other = new TestEngine();
        var loneDefinition = Headcount(["broadcast-xinyang"]);
        await other.PublishAsync(loneDefinition);
        var lone = await other.StartAsync(loneDefinition);
        var loneTask = Assert.Single(other.Store.Tasks.Keys);
        var ended = (await other.Runtime.SendStimulusAsync(Cancel(loneTask) with { WorkflowInstanceId = lone.Id }, Ct)).Resumed.Single();
        Assert.Equal(WorkflowStatus.Finished, ended.Status);
        Assert.Equal(HumanTaskStatus.Cancelled, other.Store.Tasks[loneTask].Status);
        Assert.DoesNotContain("thanks Message thanks", other.Steps(lone.Id));
        Assert.DoesNotContain("late Message late", other.Steps(lone.Id));
    }

    [Fact]
    public async Task Reminders_go_to_the_current_assignees_from_the_directory_unless_the_workflow_names_recipients()
    {
        var directory = new FakeDirectory();
        await using var engine = new TestEngine(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<ITaskDirectory>(directory)));
        var json = Doc.FlowchartJson(
            [
                Doc.Activity("start", "Elsa.Start"),
                Doc.Activity("report", "Manyi.UserTask",
                    ("title", Doc.Input("培训人数报送")),
                    ("organizations", Doc.Input(new JsonArray("mobile-zhengzhou"), typeName: "String[]")),
                    ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
                    ("reminders", new JsonObject { ["before"] = new JsonArray(3) })),
            ],
            [Doc.Connection("start", "Done", "report")]);
        var definition = Manyi.Engine.Serialization.ElsaJson.Read(json.ToJsonString());
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);

        await engine.FireAsync(Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark));

        var reminder = Assert.Single(engine.Store.Outbox);
        Assert.Equal(["contact.mobile-zhengzhou@example.org"], reminder.To);
        Assert.Equal([engine.Store.Tasks.Keys.Single()], directory.AskedFor);
    }

    [Fact]
    public async Task The_time_of_receipt_counts_a_completion_at_the_deadline_is_late_even_before_its_timer_ran()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(["mobile-zhengzhou", "unicom-kaifeng"]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var ids = engine.Store.Tasks.Values.ToDictionary(t => t.Task.Assignment.OrganizationId!, t => t.Task.Id);
        var deadline = DateTimeOffset.Parse("2025-04-30T18:00:00+08:00");

        engine.Time.SetUtcNow(deadline - TimeSpan.FromSeconds(1));
        await engine.Runtime.SendStimulusAsync(Completion(instance, ids["mobile-zhengzhou"], "Submitted", 5), Ct);
        engine.Time.SetUtcNow(deadline);
        await engine.Runtime.SendStimulusAsync(Completion(instance, ids["unicom-kaifeng"], "Submitted", 6), Ct);

        Assert.Equal(HumanTaskStatus.Completed, engine.Store.Tasks[ids["mobile-zhengzhou"]].Status);
        Assert.Equal(HumanTaskStatus.Expired, engine.Store.Tasks[ids["unicom-kaifeng"]].Status);
        var after = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, after.Status);
        Assert.Contains("late Message late", engine.Steps(instance.Id));
        Assert.DoesNotContain("thanks Message thanks", engine.Steps(instance.Id));
    }

    [Theory]
    [InlineData("""[]""", "at least one outcome")]
    [InlineData("""["Submitted", "Submitted"]""", "'Submitted' is listed twice")]
    [InlineData("""["Overdue"]""", "'Overdue' cannot be a task outcome")]
    public void Bad_outcomes_are_reported_at_save_time(string outcomes, string problem)
    {
        var definition = Doc.Flowchart(
            [Doc.Activity("report", "Manyi.UserTask", ("role", Doc.Input("Administrator")), ("outcomes", JsonNode.Parse(outcomes)))]);
        var problems = Compile(definition);
        Assert.Contains(problems, p => p.ActivityId == "report" && p.Message.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_form_is_reported_at_save_time_naming_the_field()
    {
        var form = new JsonObject { ["fields"] = new JsonArray(new JsonObject { ["name"] = "n", ["label"] = "人数", ["type"] = "number", ["min"] = 10, ["max"] = 1 }) };
        var definition = Doc.Flowchart([Doc.Activity("report", "Manyi.UserTask", ("role", Doc.Input("Administrator")), ("form", form))]);
        var problem = Assert.Single(Compile(definition), p => p.ActivityId == "report");
        Assert.Equal("form", problem.Input);
        Assert.Contains("'n': min (10) is greater than max (1)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ports_are_the_declared_outcomes_and_Overdue()
    {
        var task = new UserTask { Outcomes = ["Submitted", "Returned"] };
        Assert.Equal(["Submitted", "Returned", WaitingActivity.Overdue], task.GetOutcomes());
    }

    [Fact]
    public async Task A_task_for_nobody_is_an_incident_naming_the_missing_assignment()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart([Doc.Activity("start", "Elsa.Start"), Doc.Activity("report", "Manyi.UserTask")], [Doc.Connection("start", "Done", "report")]);
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Contains("nobody to do it", Assert.Single(instance.Incidents).Message, StringComparison.Ordinal);
        Assert.Empty(engine.Store.Tasks);
    }

    private static List<ValidationProblem> Compile(WorkflowDefinition definition)
    {
        using var engine = new TestEngine();
        return [.. engine.Get<WorkflowCompiler>().Validate(definition).Errors];
    }

    private sealed class FakeDirectory : ITaskDirectory
    {
        public List<string> AskedFor { get; } = [];

        public Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
        {
            AskedFor.AddRange(taskIds);
            return Task.FromResult<IReadOnlyList<string>>(["contact.mobile-zhengzhou@example.org"]);
        }

        public Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["mobile-zhengzhou"] = "郑州移动" });
    }
}
