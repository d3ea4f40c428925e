using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Tasks;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Engine.Tests.Activities;

/// <summary>
/// A task "for every organization" stores the choice (all of the list, an operator's, a city's), not the ids it meant
/// when the workflow was designed: the engine resolves it through the host's organization catalogue when the activity
/// runs, so an organization added after publishing gets its task. Plain id lists keep working.
/// </summary>
public sealed class OrganizationSelectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_organization_added_after_publishing_is_included_when_the_task_runs()
    {
        var catalogue = new ListCatalogue(("mobile-zhengzhou", "移动", "郑州"), ("unicom-kaifeng", "联通", "开封"));
        await using var engine = new TestEngine(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<IOrganizationCatalogue>(catalogue)));
        // Exported and read back, as an administrator's file would be: the choice survives as data.
        var definition = ElsaJson.Read(ElsaJson.Write(TaskFor(new JsonObject { ["all"] = true })));
        await engine.PublishAsync(definition);

        catalogue.Add("telecom-luoyang", "电信", "洛阳");
        var instance = await engine.StartAsync(definition);

        Assert.Equal(WorkflowStatus.Suspended, instance.Status);
        Assert.Equal(["mobile-zhengzhou", "telecom-luoyang", "unicom-kaifeng"], Organizations(engine));
    }

    [Theory]
    [InlineData("""{"operator": "移动"}""", "mobile-kaifeng,mobile-luoyang,mobile-zhengzhou")]
    [InlineData("""{"city": "郑州"}""", "mobile-zhengzhou,unicom-zhengzhou")]
    [InlineData("""{"operator": "移动", "city": "洛阳"}""", "mobile-luoyang")]
    public async Task An_operators_or_a_citys_organizations_are_those_of_the_list_when_the_task_runs(string choice, string expected)
    {
        var catalogue = new ListCatalogue(("mobile-zhengzhou", "移动", "郑州"), ("unicom-zhengzhou", "联通", "郑州"), ("mobile-kaifeng", "移动", "开封"));
        await using var engine = new TestEngine(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<IOrganizationCatalogue>(catalogue)));
        var definition = TaskFor(JsonNode.Parse(choice)!);
        await engine.PublishAsync(definition);
        catalogue.Add("mobile-luoyang", "移动", "洛阳");

        await engine.StartAsync(definition);
        Assert.Equal(expected.Split(','), Organizations(engine));
    }

    [Fact]
    public async Task A_plain_list_of_ids_still_opens_one_task_each()
    {
        await using var engine = new TestEngine();
        var definition = Doc.Flowchart(
            [
                Doc.Activity("start", "Elsa.Start"),
                Doc.Activity("report", "Manyi.UserTask", ("title", Doc.Input("整改报告")),
                    ("organizations", Doc.Input(new JsonArray("mobile-zhengzhou", "unicom-kaifeng"), typeName: "String[]"))),
            ],
            [Doc.Connection("start", "Done", "report")]);
        await engine.PublishAsync(definition);
        await engine.StartAsync(definition);
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng"], Organizations(engine));
    }

    [Fact]
    public async Task Without_a_catalogue_the_choice_is_an_incident_saying_why()
    {
        await using var engine = new TestEngine();
        var definition = TaskFor(new JsonObject { ["all"] = true });
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        Assert.Contains("no such list", Assert.Single(instance.Incidents).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""", "neither all, an operator nor a city")]
    [InlineData("""{"all": true, "region": "x"}""", "'region'")]
    [InlineData("""["mobile-zhengzhou"]""", "must be an object")]
    public void A_malformed_choice_is_a_problem_at_save_time(string choice, string problem)
    {
        using var engine = new TestEngine();
        var problems = engine.Get<WorkflowCompiler>().Validate(TaskFor(JsonNode.Parse(choice)!)).Errors;
        Assert.Contains(problems, p => p.ActivityId == "report" && p.Input == "organizations" && p.Message.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void A_choice_reads_back_as_it_was_written()
    {
        foreach (var json in new[] { """{"all":true}""", """{"operator":"移动"}""", """{"city":"郑州"}""", """{"operator":"移动","city":"郑州"}""" })
        {
            var selection = OrganizationSelection.Parse(JsonNode.Parse(json), out var problem);
            Assert.Null(problem);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), selection!.ToJson()), json);
        }
    }

    private static List<string?> Organizations(TestEngine engine) =>
        [.. engine.Store.Tasks.Values.Select(t => t.Task.Assignment.OrganizationId).Order(StringComparer.Ordinal)];

    private static WorkflowDefinition TaskFor(JsonNode choice) => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("report", "Manyi.UserTask", ("title", Doc.Input("整改报告")),
                ("organizations", Doc.Input(choice, Expression.Organizations, "String[]"))),
        ],
        [Doc.Connection("start", "Done", "report")]);

    private sealed class ListCatalogue(params (string Id, string Operator, string City)[] organizations) : IOrganizationCatalogue
    {
        private readonly List<(string Id, string Operator, string City)> _organizations = [.. organizations];

        public void Add(string id, string @operator, string city) => _organizations.Add((id, @operator, city));

        public Task<IReadOnlyList<string>> ResolveAsync(OrganizationSelection selection, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([.. _organizations
                .Where(o => (selection.Operator is null || o.Operator == selection.Operator) && (selection.City is null || o.City == selection.City))
                .Select(o => o.Id)]);
    }
}
