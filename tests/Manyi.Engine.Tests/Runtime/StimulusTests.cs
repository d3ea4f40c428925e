using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;

namespace Manyi.Engine.Tests.Runtime;

/// <summary>Stimuli through the runtime's single entry point: triggers, correlation, queueing and event input.</summary>
public sealed class StimulusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Event_that_can_start_a_workflow_registers_a_trigger()
    {
        await using var engine = new TestEngine();
        var definition = Fixture.Load("Events/order-placed.json");

        var triggers = await engine.Runtime.GetTriggersAsync(definition, Ct);

        var trigger = Assert.Single(triggers);
        Assert.Equal(new StoredTrigger("order", "order-v1", "placed", "Elsa.Event", "order-placed"), trigger);
    }

    [Fact]
    public async Task Stimulus_starts_a_published_workflow_through_its_trigger_and_the_event_input_reaches_later_activities()
    {
        await using var engine = new TestEngine();
        await engine.PublishAsync("Events/order-placed.json");

        var result = await engine.SendEventAsync("order-placed", "customer-9", ("orderId", "A-17"));

        Assert.Empty(result.Resumed);
        Assert.False(result.Queued);
        var instance = Assert.Single(result.Started);
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal("customer-9", instance.CorrelationId);
        Assert.Equal("placed", instance.State.StartActivityId);
        Assert.Equal(
        [
            "WorkflowStarted",
            "placed Executed Done",
            "note Message order A-17 for customer-9 (A-17)",
            "note Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));
        Assert.Equal("A-17", instance.State.Input["orderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unpublished_definition_is_not_started_by_its_trigger()
    {
        await using var engine = new TestEngine();
        var definition = Fixture.Load("Events/order-placed.json");
        engine.Store.AddDefinition(definition, await engine.Runtime.GetTriggersAsync(definition, Ct));

        var result = await engine.SendEventAsync("order-placed");

        Assert.Empty(result.Started);
        Assert.True(result.Queued);
    }

    [Fact]
    public async Task Started_without_a_stimulus_the_trigger_event_waits_like_any_other_event()
    {
        await using var engine = new TestEngine();
        var definition = Fixture.Load("Events/order-placed.json");
        engine.Store.AddDefinition(definition);

        var instance = await engine.StartAsync(definition, "customer-1");

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        var bookmark = Assert.Single(instance.Bookmarks);
        Assert.Equal(("placed", "Elsa.Event", "order-placed", "customer-1"), (bookmark.ActivityId, bookmark.Name, bookmark.Key, bookmark.CorrelationId));
    }

    [Fact]
    public async Task Event_resumes_only_the_instance_with_its_correlation_id()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var first = await engine.StartAsync(definition, "contract-1");
        var second = await engine.StartAsync(definition, "contract-2");

        var result = await engine.SendEventAsync("approved", "contract-2", ("by", "Wang"));

        Assert.Equal(second.Id, Assert.Single(result.Resumed).Id);
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(second.Id)).Status);
        var untouched = await engine.LoadAsync(first.Id);
        Assert.Equal(WorkflowStatus.Suspended, untouched.Status);
        Assert.Single(untouched.Bookmarks);
        Assert.DoesNotContain("approved Resumed", engine.Steps(first.Id));
        Assert.Contains("thanks Message approved by Wang for contract-2", engine.Steps(second.Id));
    }

    [Fact]
    public async Task Event_with_another_correlation_id_does_not_resume_and_is_queued()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var instance = await engine.StartAsync(definition, "contract-1");

        var result = await engine.SendEventAsync("approved", "contract-404");

        Assert.Empty(result.Resumed);
        Assert.Empty(result.Started);
        Assert.True(result.Queued);
        Assert.Equal(WorkflowStatus.Suspended, (await engine.LoadAsync(instance.Id)).Status);
    }

    [Fact]
    public async Task Event_without_a_correlation_id_resumes_every_waiting_instance()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var first = await engine.StartAsync(definition, "contract-1");
        var second = await engine.StartAsync(definition, "contract-2");

        var result = await engine.SendEventAsync("approved", input: ("by", "Zhao"));

        Assert.Equal(new[] { first.Id, second.Id }.Order(), result.Resumed.Select(i => i.Id).Order());
        Assert.All(result.Resumed, i => Assert.Equal(WorkflowStatus.Finished, i.Status));
    }

    [Fact]
    public async Task Stimulus_that_arrives_before_its_bookmark_is_queued_then_delivered_when_the_bookmark_appears()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");

        var early = await engine.SendEventAsync("approved", "contract-7", ("by", "Sun"));
        Assert.True(early.Queued);
        Assert.Empty(early.Resumed);

        engine.Time.Advance(TimeSpan.FromSeconds(30));
        var instance = await engine.StartAsync(definition, "contract-7");

        // What the start returns is the instance after the queued stimulus was delivered, as the store holds it.
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(WorkflowStatus.Finished, (await engine.LoadAsync(instance.Id)).Status);
        Assert.Equal(
        [
            "WorkflowStarted",
            "start Executed Done",
            "approved Suspended Elsa.Event:approved",
            "approved Resumed",
            "approved Executed Done",
            "remember Executed Done",
            "thanks Message approved by Sun for contract-7",
            "thanks Executed Done",
            "WorkflowFinished",
        ], engine.Steps(instance.Id));

        // Delivered once: a second instance does not get the same stimulus again.
        var another = await engine.StartAsync(definition, "contract-7");
        Assert.Equal(WorkflowStatus.Suspended, another.Status);
    }

    [Fact]
    public async Task Queued_stimulus_expires_after_its_lifetime()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        Assert.True((await engine.SendEventAsync("approved", "contract-8")).Queued);

        engine.Time.Advance(TimeSpan.FromMinutes(2));
        var instance = await engine.StartAsync(definition, "contract-8");

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        Assert.Equal(WorkflowStatus.Suspended, (await engine.LoadAsync(instance.Id)).Status);
    }

    [Fact]
    public async Task Stimulus_aimed_at_one_instance_does_not_start_new_ones_or_touch_others()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var first = await engine.StartAsync(definition);
        var second = await engine.StartAsync(definition);

        var result = await engine.Runtime.SendStimulusAsync(TestEngine.Event("approved") with { WorkflowInstanceId = first.Id }, Ct);

        Assert.Equal(first.Id, Assert.Single(result.Resumed).Id);
        Assert.Equal(WorkflowStatus.Suspended, (await engine.LoadAsync(second.Id)).Status);
    }

    [Fact]
    public async Task Event_input_is_the_event_activity_output_and_the_last_result()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Events/approval.json");
        var instance = await engine.StartAsync(definition, "c");

        await engine.SendEventAsync("approved", "c", ("by", "Qian"), ("level", 2));

        var stored = await engine.LoadAsync(instance.Id);
        var output = Assert.IsType<JsonObject>(stored.State.ActivityOutputs["approved"]["Input"]);
        Assert.Equal("Qian", output["by"]!.GetValue<string>());
        Assert.Equal(2, output["level"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(output, stored.State.LastResult));
        Assert.Equal("Qian", stored.State.Variables["approver"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_stimulus_resumes_every_bookmark_of_an_instance_that_it_matches()
    {
        await using var engine = new TestEngine();
        var definition = await engine.PublishAsync("Flowcharts/fork-same-event.json");
        var instance = await engine.StartAsync(definition);
        Assert.Equal(2, instance.Bookmarks.Count);

        var result = await engine.SendEventAsync("legal-signed");

        var resumed = Assert.Single(result.Resumed);
        Assert.Equal(WorkflowStatus.Finished, resumed.Status);
        var steps = engine.Steps(instance.Id);
        Assert.Equal(2, steps.Count(s => s.EndsWith(" Resumed", StringComparison.Ordinal)));
        Assert.Equal(1, steps.Count(s => s == "after Message signed"));
    }
}
