using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Runtime;

public sealed class CancelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancelling_a_suspended_instance_removes_its_bookmarks_so_no_event_resumes_it()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/fork-events-wait-all.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(2, instance.Bookmarks.Count);
        engine.Time.Advance(TimeSpan.FromHours(1));

        var cancelled = await engine.Runtime.CancelAsync(instance.Id, Ct);

        Assert.Equal(WorkflowStatus.Cancelled, cancelled.Status);
        Assert.Empty(cancelled.Bookmarks);
        Assert.Equal(TestEngine.Epoch.AddHours(1), cancelled.FinishedAt);
        var stored = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Cancelled, stored.Status);
        Assert.Empty(stored.Bookmarks);
        Assert.Equal("WorkflowCancelled", engine.Steps(instance.Id)[^1]);

        var late = await engine.SendEventAsync("legal-signed");

        Assert.Empty(late.Resumed);
        Assert.Equal(WorkflowStatus.Cancelled, (await engine.LoadAsync(instance.Id)).Status);
    }

    [Fact]
    public async Task Cancelling_a_finished_instance_is_refused()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/sequence.json");
        var instance = await engine.StartAsync(definition, input: ("name", "Ada"));
        var journalLength = engine.Steps(instance.Id).Count;

        var error = await Assert.ThrowsAsync<WorkflowStateException>(() => engine.Runtime.CancelAsync(instance.Id, Ct));

        Assert.Contains("Finished", error.Message);
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
        Assert.Equal(journalLength, engine.Steps(instance.Id).Count);
    }

    [Fact]
    public async Task Cancelling_twice_is_refused_the_second_time()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var instance = await engine.StartAsync(definition);
        await engine.Runtime.CancelAsync(instance.Id, Ct);

        await Assert.ThrowsAsync<WorkflowStateException>(() => engine.Runtime.CancelAsync(instance.Id, Ct));
    }

    [Fact]
    public async Task Cancelling_a_faulted_instance_drops_its_pending_retry()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Incidents/fault.json");
        var instance = await engine.StartAsync(definition);

        var cancelled = await engine.Runtime.CancelAsync(instance.Id, Ct);

        Assert.Equal(WorkflowStatus.Cancelled, cancelled.Status);
        Assert.Empty((await engine.LoadAsync(instance.Id)).State.Queue);
    }

    [Fact]
    public async Task Cancelling_an_unknown_instance_says_it_does_not_exist()
    {
        await using var engine = new TestEngine();

        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => engine.Runtime.CancelAsync("nope", Ct));
    }
}
