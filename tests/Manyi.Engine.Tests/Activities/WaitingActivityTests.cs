using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

public sealed class WaitingActivityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Waits for "headcount-reported" until 30 April 18:00 (Shanghai); Overdue leads to "late", Done to "thanks".</summary>
    private static WorkflowDefinition Headcount(string behaviour = "Outcome", JsonObject? reminders = null) => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("report", "Elsa.Event",
                ("eventName", Doc.Input("headcount-reported")),
                ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
                ("deadlineBehaviour", Doc.Input(behaviour)),
                ("reminders", reminders),
                ("remindTo", Doc.Input(new JsonArray("contact@zhengzhou-mobile.example.org"), typeName: "String[]")),
                ("escalateTo", Doc.Input(new JsonArray("secretariat@association.example.org"), typeName: "String[]")),
                ("title", Doc.Input("培训人数报送 Headcount report"))),
            Doc.WriteLine("late", "late"),
            Doc.WriteLine("thanks", "thanks"),
        ],
        [Doc.Connection("start", "Done", "report"), Doc.Connection("report", "Overdue", "late"), Doc.Connection("report", "Done", "thanks")]);

    [Fact]
    public async Task When_the_deadline_passes_the_activity_ends_with_Overdue_and_its_other_bookmarks_go()
    {
        await using var engine = new TestEngine();
        var definition = Headcount();
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "zhengzhou-mobile");
        var deadline = Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark);
        Assert.Equal(DateTimeOffset.Parse("2025-04-30T10:00:00Z"), deadline.ResumeAt);

        await engine.FireAsync(deadline);

        var after = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, after.Status);
        Assert.Empty(after.Bookmarks);
        Assert.Contains("late Message late", engine.Steps(instance.Id));
        Assert.DoesNotContain("thanks Message thanks", engine.Steps(instance.Id));
        Assert.Empty((await engine.SendEventAsync("headcount-reported", "zhengzhou-mobile")).Resumed);
    }

    [Fact]
    public async Task With_the_flag_behaviour_the_activity_stays_open_flagged_overdue_and_can_still_complete()
    {
        await using var engine = new TestEngine();
        var definition = Headcount("Flag");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "kaifeng-unicom");

        await engine.FireAsync(Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark));
        var flagged = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Suspended, flagged.Status);
        Assert.True((bool)flagged.State.ActivityOutputs["report"]["Overdue"]!);
        await engine.SendEventAsync("headcount-reported", "kaifeng-unicom");

        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
        Assert.Contains("thanks Message thanks", engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Reminders_go_out_step_by_step_once_each_and_stop_when_the_event_arrives()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(reminders: new JsonObject { ["before"] = new JsonArray(7, 1), ["atDeadline"] = true });
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "luoyang-telecom");

        // 7 working days before 30 April is 22 April (Sunday 27 April is worked); then 29 April; the deadline timer stays beside them.
        var first = Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark);
        Assert.Equal(DateTimeOffset.Parse("2025-04-22T09:00:00+08:00"), first.ResumeAt);
        await engine.FireAsync(first);
        var second = Assert.Single((await engine.LoadAsync(instance.Id)).Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark);
        Assert.Equal(DateTimeOffset.Parse("2025-04-29T09:00:00+08:00"), second.ResumeAt);

        // A repeated firing of the first step (a scheduler retry) finds its bookmark gone and sends nothing more.
        Assert.Empty((await engine.FireAsync(first)).Resumed);
        await engine.FireAsync(second);
        await engine.SendEventAsync("headcount-reported", "luoyang-telecom");

        var email = engine.Store.Outbox;
        Assert.Equal(2, email.Count);
        Assert.All(email, e => Assert.Equal(["contact@zhengzhou-mobile.example.org"], e.To));
        Assert.Equal(["before-7", "before-1"], email.Select(e => e.Key.Split(':')[^1]));
        Assert.All(email, e => Assert.Contains("培训人数报送", e.Subject));
        var done = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, done.Status);
        Assert.Empty(done.Bookmarks);
    }

    [Fact]
    public async Task Extending_a_deadline_moves_the_deadline_and_the_pending_reminder_and_records_who_and_why()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(reminders: new JsonObject { ["before"] = new JsonArray(1) });
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "anyang-broadcast");

        var moved = await engine.Runtime.ExtendDeadlineAsync(instance.Id, "report", DateTimeOffset.Parse("2025-05-09T18:00:00+08:00"),
            "secretariat@association.example.org", "城市分公司申请延期 / branch asked for more time", Ct);

        Assert.Equal(DateTimeOffset.Parse("2025-05-09T10:00:00Z"), Assert.Single(moved.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark).ResumeAt);
        Assert.Equal(DateTimeOffset.Parse("2025-05-08T09:00:00+08:00"), Assert.Single(moved.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark).ResumeAt);
        Assert.Single(moved.Bookmarks, b => b.Name == "Elsa.Event");
        Assert.Contains(engine.Steps(instance.Id), s => s.StartsWith("report Message deadline.moved {\"deadline\":\"2025-05-09T18:00:00.0000000+08:00\",\"by\":\"secretariat@association.example.org\"", StringComparison.Ordinal));
        await Assert.ThrowsAsync<WorkflowStateException>(() =>
            engine.Runtime.ExtendDeadlineAsync(instance.Id, "report", DateTimeOffset.Parse("2025-03-01T00:00:00Z"), "x", "y", Ct));
    }

    [Theory]
    [InlineData("2025-03-01T18:00:00+08:00", "has already passed")]
    [InlineData("next Friday", "with its offset")]
    public void A_literal_deadline_in_the_past_or_unreadable_is_refused_when_saved(string deadline, string message)
    {
        using var engine = new TestEngine();
        var definition = Doc.Flowchart([Doc.Activity("report", "Elsa.Event", ("eventName", Doc.Input("e")), ("deadline", Doc.Input(deadline, typeName: "Object")))]);

        var problem = Assert.Single(engine.Get<Manyi.Engine.Validation.WorkflowCompiler>().Validate(definition).Errors);

        Assert.Equal(("report", "deadline"), (problem.ActivityId, problem.Input));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void A_published_literal_deadline_that_has_since_passed_still_compiles_to_run()
    {
        using var engine = new TestEngine();
        var definition = Doc.Flowchart([Doc.Activity("report", "Elsa.Event", ("eventName", Doc.Input("e")),
            ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")))]);
        var compiler = engine.Get<Manyi.Engine.Validation.WorkflowCompiler>();
        Assert.Empty(compiler.Validate(definition).Errors); // saved on 1 April

        engine.Time.SetUtcNow(DateTimeOffset.Parse("2025-05-06T09:00:00+08:00")); // a restart after the deadline

        Assert.Contains("has already passed", Assert.Single(compiler.Validate(definition).Errors).Message);
        Assert.NotNull(compiler.Compile(definition)); // what a timer's burst does after a restart: the deadline is its reason to run
    }

    [Fact]
    public void A_ladder_with_a_negative_offset_is_refused_when_saved()
    {
        using var engine = new TestEngine();
        var definition = Doc.Flowchart([Doc.Activity("report", "Elsa.Event", ("eventName", Doc.Input("e")),
            ("reminders", new JsonObject { ["before"] = new JsonArray(3, -2) }))]);

        var problem = Assert.Single(engine.Get<Manyi.Engine.Validation.WorkflowCompiler>().Validate(definition).Errors);

        Assert.Equal(("report", "reminders"), (problem.ActivityId, problem.Input));
        Assert.Contains("must be positive (got -2)", problem.Message);
    }

    [Fact]
    public async Task A_changed_ladder_replaces_the_pending_reminder_and_is_kept_for_the_following_steps()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(reminders: new JsonObject { ["before"] = new JsonArray(7) });
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "zhengzhou-mobile");
        Assert.Equal("before-7", (string?)Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark).Payload!["step"]);

        var ladder = new Manyi.Engine.Calendar.ReminderLadder { Before = [3], AtDeadline = true };
        var changed = await engine.Runtime.ChangeRemindersAsync(instance.Id, "report", ladder, "秘书处", "多提醒", Ct);

        var reminder = Assert.Single(changed.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark);
        Assert.Equal("before-3", (string?)reminder.Payload!["step"]);
        Assert.Contains(engine.Steps(instance.Id), s => s == "report Message reminders.changed {\"by\":\"秘书处\",\"reason\":\"多提醒\"}");
        await engine.FireAsync(reminder);
        var next = Assert.Single((await engine.LoadAsync(instance.Id)).Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark);
        Assert.Equal("at", (string?)next.Payload!["step"]);
        Assert.Single(engine.Store.Outbox);
    }

    [Fact]
    public async Task A_ladder_of_an_activity_that_is_not_waiting_cannot_be_changed()
    {
        await using var engine = new TestEngine();
        var definition = Headcount(reminders: new JsonObject { ["before"] = new JsonArray(7) });
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "zhengzhou-mobile");
        await engine.SendEventAsync("headcount-reported", "zhengzhou-mobile");

        await Assert.ThrowsAsync<WorkflowStateException>(() =>
            engine.Runtime.ChangeRemindersAsync(instance.Id, "report", new Manyi.Engine.Calendar.ReminderLadder { Before = [1] }, "秘书处", "r", Ct));
    }
}
