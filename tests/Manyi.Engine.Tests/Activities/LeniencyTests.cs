using Manyi.Engine.Runtime;

namespace Manyi.Engine.Tests.Activities;

/// <summary>What runs where Elsa is lenient: inputs left empty in a file.</summary>
public sealed class LeniencyTests
{
    [Fact]
    public async Task A_WriteLine_without_text_writes_an_empty_line_and_an_empty_Delay_does_not_wait()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [Doc.Activity("blank", "Elsa.WriteLine"), Doc.Activity("pause", "Elsa.Delay", ("timeSpan", Doc.Input(""))), Doc.WriteLine("after", "after")],
            [Doc.Connection("blank", "Done", "pause"), Doc.Connection("pause", "Done", "after")]);

        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(["blank Message", "blank Executed Done", "pause Executed Done", "after Message after", "after Executed Done", "WorkflowFinished"],
            engine.Steps(instance.Id).Skip(1));
    }

    [Fact]
    public async Task A_Fault_without_a_message_faults_with_a_default_one()
    {
        await using var engine = new TestEngine();

        var instance = await engine.StartAsync(Doc.Flowchart([Doc.Activity("boom", "Elsa.Fault")]));

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Equal("The workflow raised a fault.", Assert.Single(instance.Incidents).Message);
    }
}
