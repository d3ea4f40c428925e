using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Engine.Tests.Activities;

/// <summary>
/// The escalation goes to people named as a role (the secretariat) or a user, kept as that choice and looked up when it
/// is sent — an administrator appointed after publishing gets it — beside typed addresses, which are still checked.
/// </summary>
public sealed class RecipientReferenceTests
{
    private static WorkflowDefinition Waiting(params string[] escalateTo) => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("report", "Elsa.Event",
                ("eventName", Doc.Input("report-uploaded")),
                ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
                ("deadlineBehaviour", Doc.Input("Flag")),
                ("reminders", new JsonObject { ["escalate"] = true }),
                ("escalateTo", Doc.Input(new JsonArray([.. escalateTo.Select(e => (JsonNode?)JsonValue.Create(e))]), typeName: "String[]")),
                ("title", Doc.Input("整改报告 Corrective-action report"))),
        ],
        [Doc.Connection("start", "Done", "report")]);

    [Fact]
    public async Task A_role_and_a_user_are_looked_up_when_the_escalation_is_sent_typed_addresses_go_as_they_are()
    {
        var directory = new PeopleDirectory();
        await using var engine = new TestEngine(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<ITaskDirectory>(directory)));
        var definition = Waiting(Recipients.Role("Administrator"), Recipients.User("u-7"), "typed@example.org");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition, "zhengzhou");

        // Appointed after the workflow was published and started.
        directory.Administrators.Add("new-secretary@example.org");
        await engine.FireAsync(Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.ReminderBookmark));

        var escalation = Assert.Single(engine.Store.Outbox);
        Assert.Equal(["secretary@example.org", "new-secretary@example.org", "seven@example.org", "typed@example.org"], escalation.To);
    }

    [Theory]
    [InlineData("not-an-address", "'not-an-address' is not a valid e-mail address")]
    [InlineData("role:", "'role:' names no role")]
    [InlineData("user:", "'user:' names no user")]
    public void A_typed_address_that_is_none_and_an_empty_reference_are_problems_at_save_time(string entry, string problem)
    {
        using var engine = new TestEngine();
        var problems = engine.Get<WorkflowCompiler>().Validate(Waiting(entry)).Errors;
        Assert.Contains(problems, p => p.ActivityId == "report" && p.Input == "escalateTo" && p.Message == problem);
    }

    [Fact]
    public void Roles_users_and_addresses_pass_the_check()
    {
        using var engine = new TestEngine();
        Assert.DoesNotContain(engine.Get<WorkflowCompiler>().Validate(Waiting("role:Administrator", "user:abc", "sec@example.org")).Errors,
            p => p.Input == "escalateTo");
    }

    private sealed class PeopleDirectory : ITaskDirectory
    {
        public List<string> Administrators { get; } = ["secretary@example.org"];

        public Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

        public Task<IReadOnlyList<string>> AddressesAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([.. recipients.SelectMany(r => r switch
            {
                "role:Administrator" => Administrators.ToArray(),
                "user:u-7" => ["seven@example.org"],
                _ when Recipients.IsReference(r) => [],
                _ => new[] { r },
            })]);
    }
}
