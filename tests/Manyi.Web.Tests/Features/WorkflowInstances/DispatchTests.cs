using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Reconciliation_finds_in_one_query_the_children_never_started_and_the_ended_ones_their_parent_missed(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.DeployAsync(Child);
        await client.DeployAsync(Parent);
        var campaign = await client.ExecuteAsync("campaign");
        var children = (await client.FetchAsync("/api/workflow-instances?definitionId=participant").ExpectOkAsync()).GetArray("items")
            .ToDictionary(c => c.GetString("correlationId"), c => c.GetString("id"));
        var ct = TestContext.Current.CancellationToken;

        async Task<int> ReconcileAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().ReconcileChildrenAsync(ct);
        }
        Assert.Equal(0, await ReconcileAsync());

        // As if a crash had come between the commits: one child never started, another ended without telling its parent.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            var lost = children["mobile-zhengzhou"];
            await db.Bookmarks.Where(b => b.InstanceId == lost).ExecuteDeleteAsync(ct);
            await db.JournalEntries.Where(j => j.InstanceId == lost).ExecuteDeleteAsync(ct);
            await db.WorkflowInstances.Where(i => i.Id == lost).ExecuteDeleteAsync(ct);
            var ended = children["unicom-kaifeng"];
            await db.Bookmarks.Where(b => b.InstanceId == ended).ExecuteDeleteAsync(ct);
            await db.WorkflowInstances.Where(i => i.Id == ended).ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, "Finished"), ct);
        }

        Assert.Equal(2, await ReconcileAsync());
        Assert.Equal("Suspended", (await client.GetInstanceAsync(children["mobile-zhengzhou"])).GetString("status"));
        // The missed end is recorded for the parent, which takes it when its wait is over; it waits for all three still.
        var parent = await client.GetInstanceAsync(campaign.GetString("id"));
        Assert.Equal(3, parent.GetArray("bookmarks").Count(b => b.GetString("name") == "Manyi.ChildEnded"));
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal([children["unicom-kaifeng"]], await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().ChildEnds
                .Where(e => e.ParentInstanceId == campaign.GetString("id")).Select(e => e.ChildInstanceId).ToListAsync(ct));
        Assert.Equal(0, await ReconcileAsync());
    }
}
