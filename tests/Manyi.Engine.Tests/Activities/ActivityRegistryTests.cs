using Manyi.Engine.Activities;
using Manyi.Engine.Activities.Primitives;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

public sealed class ActivityRegistryTests
{
    [Fact]
    public void Registers_the_core_Elsa_activities_under_their_Elsa_type_names_and_Manyis_own()
    {
        using var engine = new TestEngine();

        var names = engine.Get<ActivityRegistry>().All.Select(d => d.TypeName).Order();

        Assert.Equal(
        [
            "Elsa.Break", "Elsa.Complete", "Elsa.Correlate", "Elsa.Cron", "Elsa.Delay", "Elsa.DispatchWorkflow", "Elsa.End", "Elsa.Event",
            "Elsa.ExecuteWorkflow", "Elsa.Fault", "Elsa.Finish", "Elsa.Flowchart", "Elsa.FlowDecision", "Elsa.FlowFork", "Elsa.FlowJoin", "Elsa.FlowNode",
            "Elsa.FlowSendHttpRequest", "Elsa.FlowSwitch", "Elsa.For", "Elsa.ForEach", "Elsa.Fork", "Elsa.HttpEndpoint", "Elsa.If", "Elsa.ParallelForEach",
            "Elsa.RunJavaScript", "Elsa.SendHttpRequest", "Elsa.Sequence", "Elsa.SetName", "Elsa.SetOutput", "Elsa.SetVariable", "Elsa.Start", "Elsa.StartAt",
            "Elsa.Switch", "Elsa.Timer", "Elsa.While", "Elsa.WriteHttpResponse", "Elsa.WriteLine",
            "Manyi.UserTask",
        ], names);
    }

    [Fact]
    public void Elsa_Fork_is_the_container_fork_and_Elsa_FlowFork_the_flowchart_fork()
    {
        using var engine = new TestEngine();
        var registry = engine.Get<ActivityRegistry>();

        Assert.Equal(typeof(Engine.Activities.Containers.Fork), registry.Find("Elsa.Fork")!.ClrType);
        Assert.Equal(typeof(Engine.Activities.Flow.FlowFork), registry.Find("Elsa.FlowFork")!.ClrType);
    }

    [Fact]
    public void Descriptors_carry_outcomes_inputs_and_whether_the_activity_can_trigger()
    {
        using var engine = new TestEngine();
        var registry = engine.Get<ActivityRegistry>();

        Assert.Equal(["True", "False"], registry.Find("Elsa.FlowDecision")!.Outcomes);
        Assert.True(registry.Find("Elsa.FlowSwitch")!.HasDynamicOutcomes);
        Assert.True(registry.Find("Elsa.Event")!.IsTrigger);
        Assert.False(registry.Find("Elsa.WriteLine")!.IsTrigger);
        var text = Assert.Single(registry.Find("Elsa.WriteLine")!.Inputs);
        Assert.Equal(("text", "String", true, false), (text.Name, text.TypeName, text.IsExpression, text.Required));
        var variable = registry.Find("Elsa.SetVariable")!.Inputs.Single(i => i.Name == "variable");
        Assert.False(variable.IsExpression);
        Assert.True(registry.Find("Elsa.HttpEndpoint")!.IsTrigger);
        Assert.Null(registry.Find("Acme.Unknown"));
        Assert.Null(registry.Find("elsa.writeline"));
    }

    [Fact]
    public void Two_activities_claiming_one_type_name_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ActivityRegistry([new ActivityRegistration(typeof(WriteLine)), new ActivityRegistration(typeof(ImpostorWriteLine))]));

        Assert.Contains("'Elsa.WriteLine'", error.Message);
    }

    [Fact]
    public void Registering_the_same_activity_twice_is_harmless()
    {
        var registry = new ActivityRegistry([new ActivityRegistration(typeof(End)), new ActivityRegistration(typeof(End))]);

        Assert.Single(registry.All);
    }

    [Activity("Elsa.WriteLine", "Test", "Claims a name that is taken.")]
    private sealed class ImpostorWriteLine : Activity
    {
        public override ValueTask<ActivityStep> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityStep.Done);
    }
}
