using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>Faults become incidents; the definition's strategy decides between Faulted and continuing; an administrator retries.</summary>
public sealed class IncidentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fault_activity_faults_the_instance_with_an_incident_naming_the_activity()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/fault.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal(("boom", "Elsa.Fault", "E42: Payment service down", TestEngine.Epoch, (DateTimeOffset?)null),
            (incident.ActivityId, incident.ActivityType, incident.Message, incident.At, incident.ResolvedAt));
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "boom Faulted E42: Payment service down",
            "WorkflowFaulted",
        ], engine.Steps(instance.Id));
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Faulted, stored.Status);
        Assert.Equal(incident, Assert.Single(stored.Incidents));
    }

    [Fact]
    public async Task Retry_resolves_the_incident_and_runs_the_activity_again()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/fault.json");
        var instance = await engine.StartAsync(definition);
        var first = Assert.Single(instance.Incidents);
        engine.Time.Advance(TimeSpan.FromMinutes(5));

        var retried = await engine.Runtime.RetryAsync(instance.Id, first.Id, Ct);

        // The Fault activity faults again: a second, open incident; the first is resolved at the retry's time.
        Assert.Equal(WorkflowStatus.Faulted, retried.Status);
        Assert.Equal(2, retried.Incidents.Count);
        Assert.Equal(TestEngine.Epoch.AddMinutes(5), retried.Incidents.Single(i => i.Id == first.Id).ResolvedAt);
        var second = retried.Incidents.Single(i => i.Id != first.Id);
        Assert.Null(second.ResolvedAt);
        Assert.Equal("boom", second.ActivityId);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "boom Faulted E42: Payment service down",
            "WorkflowFaulted",
            "Retried",
            "boom Faulted E42: Payment service down",
            "WorkflowFaulted",
        ], engine.Steps(instance.Id));
        Assert.Equal(["boom"], (await engine.LoadAsync(instance.Id)).State.Queue.Select(i => i.ActivityId));
    }

    [Fact]
    public async Task Retry_after_a_transient_failure_completes_the_run()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/flaky.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("check", incident.ActivityId);
        Assert.Contains("service not ready", incident.Message);
        Assert.Equal(1, (await engine.LoadAsync(instance.Id)).State.Variables["attempts"]!.GetValue<int>());

        var retried = await engine.Runtime.RetryAsync(instance.Id, incident.Id, Ct);

        Assert.Equal(WorkflowStatus.Finished, retried.Status);
        Assert.NotNull(Assert.Single(retried.Incidents).ResolvedAt);
        Assert.Equal(2, retried.State.Variables["attempts"]!.GetValue<int>());
        var steps = engine.Steps(instance.Id);
        Assert.Equal(
        [
            "Retried",
            "check Executed True",
            "ok Message ok after 2",
            "ok Executed Done",
            "WorkflowFinished",
        ], steps.SkipWhile(s => s != "WorkflowFaulted").Skip(1));
    }

    [Fact]
    public async Task Retry_of_a_resolved_or_unknown_incident_is_refused()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/flaky.json");
        var instance = await engine.StartAsync(definition);
        var incident = Assert.Single(instance.Incidents);
        await engine.Runtime.RetryAsync(instance.Id, incident.Id, Ct);

        await Assert.ThrowsAsync<WorkflowStateException>(() => engine.Runtime.RetryAsync(instance.Id, incident.Id, Ct));
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => engine.Runtime.RetryAsync(instance.Id, "no-such-incident", Ct));
    }

    [Fact]
    public async Task Retry_after_the_step_guard_resumes_the_loop_once_where_it_stopped()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/long-loop.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var stopped = (await engine.LoadAsync(instance.Id)).State.Variables["n"]!.GetValue<int>();
        Assert.InRange(stopped, 1, 5999);

        var retried = await engine.Runtime.RetryAsync(instance.Id, Assert.Single(instance.Incidents).Id, Ct);

        Assert.Equal(WorkflowStatus.Finished, retried.Status);
        Assert.Equal(6000, retried.State.Variables["n"]!.GetValue<int>());
        Assert.Single(engine.Steps(instance.Id), s => s == "done Message n=6000");
    }

    [Fact]
    public async Task Continue_strategy_records_the_incident_and_keeps_the_other_branches_going()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/continue.json");

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal(("boom", "broken branch"), (incident.ActivityId, incident.Message));
        Assert.Empty(instance.State.Queue);

        var resumed = Assert.Single((await engine.SendEventAsync("go")).Resumed);

        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "fork Executed Broken,Healthy",
            "boom Faulted broken branch",
            "boom Message incident.continued",
            "wait Suspended Elsa.Event:go",
            "wait Resumed",
            "wait Executed Done",
            "done Message healthy branch done",
            "done Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Retry_on_an_ended_instance_is_refused_and_leaves_the_incident_open()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/flaky.json");
        var instance = await engine.StartAsync(definition);
        var incident = Assert.Single(instance.Incidents);
        await engine.Runtime.CancelAsync(instance.Id, Ct);

        var refused = await Assert.ThrowsAsync<WorkflowStateException>(() => engine.Runtime.RetryAsync(instance.Id, incident.Id, Ct));

        Assert.Contains("is Cancelled", refused.Message);
        Assert.Null(Assert.Single((await engine.LoadAsync(instance.Id)).Incidents).ResolvedAt);
    }

    [Fact]
    public async Task A_bookmark_key_longer_than_a_store_holds_faults_the_activity_that_asked_for_it()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("wait", "Elsa.Event", ("eventName", Doc.Input(new string('x', Bookmark.MaxKeyLength + 1))))]);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Empty(instance.Bookmarks);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("wait", incident.ActivityId);
        Assert.Contains($"at most {Bookmark.MaxKeyLength}", incident.Message);
    }
}
