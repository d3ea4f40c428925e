using System.Text.Json.Nodes;

namespace Manyi.Web.Tests.Features.WorkflowInstances;

/// <summary>Parent and child instances on a real database: Elsa.DispatchWorkflow once per organization, waiting for each.</summary>
public sealed class DispatchTests
{
    private static readonly string Child = Workflows.Flowchart("participant",
        $"{Workflows.Start()}, {Workflows.Event("wait", "reported")}, {Workflows.WriteLine("thanks", "thanks")}",
        $"{Workflows.Connect("start", "wait")}, {Workflows.Connect("wait", "thanks")}");

    private static readonly string Parent = Workflows.Flowchart("campaign",
        Workflows.Start() + ", " +
        """
        {"id": "dispatch", "type": "Elsa.DispatchWorkflow",
         "workflowDefinitionId": {"typeName": "String", "expression": {"type": "Literal", "value": "participant"}},
         "forEach": {"typeName": "Object", "expression": {"type": "Literal", "value": ["mobile-zhengzhou", "unicom-kaifeng", "telecom-jiyuan"]}},
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "2099-12-31T18:00:00+08:00"}}},
        """ + Workflows.WriteLine("published", "all done"),
        $"{Workflows.Connect("start", "dispatch")}, {Workflows.Connect("dispatch", "published")}");

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_campaign_dispatches_one_child_per_organization_and_goes_on_when_all_have_ended(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Child);
        await client.DeployAsync(Parent);

        var campaign = await client.ExecuteAsync("campaign");
        Assert.Equal("Suspended", campaign.GetString("status"));
        var children = await client.FetchAsync("/api/workflow-instances?definitionId=participant").ExpectOkAsync();
        Assert.Equal(["mobile-zhengzhou", "telecom-jiyuan", "unicom-kaifeng"], children.GetArray("items").Select(c => c.GetString("correlationId")).Order());

        foreach (var organization in new[] { "mobile-zhengzhou", "unicom-kaifeng" })
            await client.TriggerAsync("reported", new JsonObject { ["correlationId"] = organization });
        Assert.Equal("Suspended", (await client.GetInstanceAsync(campaign.GetString("id"))).GetString("status"));
        var jiyuan = children.GetArray("items").Single(c => c.GetString("correlationId") == "telecom-jiyuan").GetString("id");
        await client.PostJsonAsync($"/api/workflow-instances/{jiyuan}/cancel", null).ExpectOkAsync();

        var done = await client.GetInstanceAsync(campaign.GetString("id"));
        Assert.Equal("Finished", done.GetString("status"));
        var journal = await client.FetchAsync($"/api/workflow-instances/{campaign.GetString("id")}/journal").ExpectOkAsync();
        Assert.Contains(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == "all done");
    }
}
