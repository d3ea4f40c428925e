using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

public sealed class TimerActivityTests
{
    [Fact]
    public async Task Delay_waits_on_a_timer_bookmark_due_after_its_duration_then_continues()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("start", "Elsa.Start"), Doc.Activity("wait", "Elsa.Delay", ("timeSpan", Doc.Input("1.00:00:00", typeName: "TimeSpan"))), Doc.WriteLine("after", "after")],
            [Doc.Connection("start", "Done", "wait"), Doc.Connection("wait", "Done", "after")]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);
        var timer = Assert.Single(instance.Bookmarks);
        Assert.Equal(("Elsa.Delay", TestEngine.Epoch.AddDays(1)), (timer.Name, timer.ResumeAt));
        await engine.FireAsync(timer);

        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
    }

    [Fact]
    public async Task Cron_waits_until_the_next_occurrence_in_its_time_zone()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart([Doc.Activity("nine", "Elsa.Cron", ("cronExpression", Doc.Input("0 9 * * 1-5")), ("timeZone", Doc.Input("Asia/Shanghai")))]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        // The epoch is Tuesday 1 April 2025 00:00 UTC = 08:00 in Shanghai: next is 09:00 Shanghai that day.
        Assert.Equal(DateTimeOffset.Parse("2025-04-01T09:00:00+08:00"), Assert.Single(instance.Bookmarks).ResumeAt);
    }

    [Theory]
    [InlineData("Elsa.Delay", "timeSpan", "-01:00:00", "TimeSpan", "must not be negative")]
    [InlineData("Elsa.Timer", "interval", "00:00:00", "TimeSpan", "must be positive")]
    [InlineData("Elsa.StartAt", "dateTime", "2024-10-01T00:00:00+08:00", "DateTimeOffset", "has already passed")]
    [InlineData("Elsa.Delay", "timeSpan", "10675199.02:48:05", "TimeSpan", "must be at most 3653 days")]
    [InlineData("Elsa.Timer", "interval", "36600.00:00:00", "TimeSpan", "must be at most 3653 days")]
    [InlineData("Elsa.StartAt", "dateTime", "9999-12-31T23:59:59+08:00", "DateTimeOffset", "must fall between 2000 and 2199")]
    [InlineData("Elsa.Cron", "cronExpression", "61 * * * *", "String", "is not a valid cron expression")]
    [InlineData("Elsa.Cron", "timeZone", "Mars/Olympus", "String", "is not a known time zone")]
    public void Bad_timer_inputs_are_refused_when_saved_naming_the_input(string type, string input, string value, string typeName, string message)
    {
        using var engine = new TestEngine();
        var properties = new List<(string, System.Text.Json.Nodes.JsonNode?)> { (input, Doc.Input(value, typeName: typeName)) };
        if (type == "Elsa.Cron" && input == "timeZone") properties.Add(("cronExpression", Doc.Input("0 9 * * *")));
        var definition = Doc.Flowchart([Doc.Activity("timer", type, [.. properties])]);

        var problem = Assert.Single(engine.Get<Manyi.Engine.Validation.WorkflowCompiler>().Validate(definition).Errors);

        Assert.Equal(("timer", input), (problem.ActivityId, problem.Input));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public async Task A_timer_start_trigger_starts_the_workflow_every_interval_once_per_firing()
    {
        await using var engine = new TestEngine();
        var timer = Doc.Activity("hourly", "Elsa.Timer", ("interval", Doc.Input("01:00:00", typeName: "TimeSpan")));
        timer["customProperties"] = new System.Text.Json.Nodes.JsonObject { ["canStartWorkflow"] = true };
        var definition = Doc.Flowchart([timer, Doc.WriteLine("tick", "tick")], [Doc.Connection("hourly", "Done", "tick")]);
        await engine.PublishAsync(definition);

        Assert.Equal(0, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));
        engine.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));
        engine.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));

        var ticks = engine.Store.Journal.Count(j => j.ActivityId == "tick" && j.Event == JournalEvent.Message);
        Assert.Equal(2, ticks);
        Assert.Equal(2, engine.Store.Journal.Count(j => j.Event == JournalEvent.WorkflowFinished));
    }

    [Fact]
    public async Task Republishing_replaces_the_old_versions_start_timers()
    {
        await using var engine = new TestEngine();
        System.Text.Json.Nodes.JsonObject Nine(string cron)
        {
            var activity = Doc.Activity("nine", "Elsa.Cron", ("cronExpression", Doc.Input(cron)));
            activity["customProperties"] = new System.Text.Json.Nodes.JsonObject { ["canStartWorkflow"] = true };
            return activity;
        }
        var first = Doc.Flowchart([Nine("0 9 * * *")]);
        await engine.PublishAsync(first);
        var second = Doc.Flowchart([Nine("0 10 * * *")]);
        second.Id = "doc-v2";
        second.Version = 2;
        await engine.PublishAsync(second);

        engine.Time.SetUtcNow(DateTimeOffset.Parse("2025-04-01T09:30:00+08:00"));
        Assert.Equal(0, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));
        engine.Time.SetUtcNow(DateTimeOffset.Parse("2025-04-01T10:00:00+08:00"));
        Assert.Equal(1, await engine.Runtime.FireDueTriggersAsync(TestContext.Current.CancellationToken));
    }
}
