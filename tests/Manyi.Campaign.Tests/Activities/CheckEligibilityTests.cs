using System.Text.Json.Nodes;
using Manyi.Campaign.Activities;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Stores;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Campaign.Tests.CampaignHarness;

namespace Manyi.Campaign.Tests.Activities;

/// <summary>The rules need no database: these run the activity in a workflow on the engine's in-memory store.</summary>
public sealed class CheckEligibilityTests : IDisposable
{
    private readonly InMemoryWorkflowStore _store = new();
    private readonly ServiceProvider _services;

    public CheckEligibilityTests()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IWorkflowStore>(_store);
        services.AddManyiEngine();
        services.AddManyiCampaign();
        // No database here: the training seats' services (which need one) are registered but never built.
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public void Dispose() => _services.Dispose();

    /// <summary>Runs check → Eligible: yes / NotEligible: no with these inputs (validated first, as a save would).</summary>
    private Task<Outcome> RunAsync(params (string Name, string TypeName, JsonNode? Value)[] inputs) =>
        RunAsync(Activity("check", "Manyi.CheckEligibility", inputs));

    private async Task<Outcome> RunAsync(JsonObject check)
    {
        var definition = Workflow("eligibility-" + Guid.NewGuid().ToString("N")[..8], [
            check.DeepClone(),
            Activity("yes", "Elsa.WriteLine", ("text", "String", "eligible")),
            Activity("no", "Elsa.WriteLine", ("text", "String", "not eligible")),
        ], [Connect("check", "yes", "Eligible"), Connect("check", "no", "NotEligible")]);
        var errors = _services.GetRequiredService<WorkflowCompiler>().Validate(definition).Errors.ToList();
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        definition.IsPublished = true;
        await using var scope = _services.CreateAsyncScope();
        var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
        _store.AddDefinition(definition, await runtime.GetTriggersAsync(definition, TestContext.Current.CancellationToken));
        var instance = await runtime.StartAsync(definition, new StartOptions(), TestContext.Current.CancellationToken);

        var ran = _store.Journal.Where(j => j.InstanceId == instance.Id && j.Event == JournalEvent.Executed).Select(j => j.ActivityId).ToList();
        var outputs = instance.State.ActivityOutputs.GetValueOrDefault("check") ?? [];
        return new Outcome(ran.Contains("yes") ? "yes" : ran.Contains("no") ? "no" : "", outputs.GetValueOrDefault("Eligible")?.GetValue<bool>(),
            [.. (outputs.GetValueOrDefault("Reasons")?.AsArray() ?? []).Select(r => r!.GetValue<string>())], instance);
    }

    private sealed record Outcome(string Branch, bool? Eligible, string[] Reasons, WorkflowInstance Instance);

    /// <summary>The inputs of a check; the minimum is left out (its default, 81) unless given.</summary>
    private static (string, string, JsonNode?)[] Inputs(JsonNode index, string surveyEnd = "2024-12-15", int holders = 2, JsonNode? minimum = null) =>
    [
        ("index", "Decimal", index),
        .. minimum is null ? [] : new[] { ("minimumIndex", "Decimal", minimum) },
        ("surveyEnd", "String", surveyEnd),
        ("surveyNotBefore", "String", "2024-10-01"),
        ("certificateHolders", "Int32", holders),
    ];

    [Theory]
    [InlineData("81.0")]
    [InlineData("81")]
    [InlineData("92.35")]
    public async Task An_index_at_or_above_81_with_a_recent_survey_and_a_certificate_holder_is_eligible(string index)
    {
        var (branch, eligible, reasons, _) = await RunAsync(Inputs(index));

        Assert.Equal(("yes", true), (branch, eligible));
        Assert.Empty(reasons);
    }

    [Fact]
    public async Task A_number_literal_or_a_script_gives_the_index_too()
    {
        Assert.Equal("yes", (await RunAsync(Inputs(JsonValue.Create(81.0m)))).Branch);
        var check = Activity("check", "Manyi.CheckEligibility", Inputs("0")[1..]);
        check["index"] = Input("Decimal", "80 + 0.9", "JavaScript");

        var outcome = await RunAsync(check);

        Assert.Equal("no", outcome.Branch);
        Assert.Equal(["满意度指数 80.9 低于 81。Satisfaction index 80.9 is below 81."], outcome.Reasons);
    }

    [Fact]
    public async Task A_minimum_that_gives_nothing_is_the_default_81_and_an_index_that_gives_nothing_is_a_reason()
    {
        Assert.Equal("no", (await RunAsync(Inputs("80.9", minimum: ""))).Branch);
        var check = Activity("check", "Manyi.CheckEligibility", Inputs("80.9"));
        check["minimumIndex"] = Input("Decimal", "getInput('campaign')?.minimumIndex ?? null", "JavaScript");
        Assert.Equal("no", (await RunAsync(check)).Branch);

        check["index"] = Input("Decimal", "null", "JavaScript");
        Assert.Equal(["未提供满意度指数。No satisfaction index was given."], (await RunAsync(check)).Reasons);
    }

    [Fact]
    public async Task An_index_of_80_9_is_below_81()
    {
        var (branch, eligible, reasons, instance) = await RunAsync(Inputs("80.9"));

        Assert.Equal(("no", false), (branch, eligible));
        Assert.Equal(["满意度指数 80.9 低于 81。Satisfaction index 80.9 is below 81."], reasons);
        Assert.Contains(_store.Journal, j => j.InstanceId == instance.Id && j.MessageKey == CampaignJournalKeys.NotEligible
            && (string?)j.Arguments?["reasons"]?[0] == "满意度指数 80.9 低于 81。Satisfaction index 80.9 is below 81.");
    }

    [Fact]
    public async Task The_minimum_is_an_input()
    {
        Assert.Equal(["满意度指数 84.99 低于 85。Satisfaction index 84.99 is below 85."], (await RunAsync(Inputs("84.99", minimum: "85"))).Reasons);
        Assert.Equal("yes", (await RunAsync(Inputs("79", minimum: "78.5"))).Branch);
    }

    [Fact]
    public async Task A_survey_that_ended_before_October_2024_is_not_eligible()
    {
        var (branch, _, reasons, _) = await RunAsync(Inputs("90", surveyEnd: "2024-09-30"));

        Assert.Equal("no", branch);
        Assert.Equal(["满意度测评于 2024-09-30 结束，早于 2024-10-01。The satisfaction survey ended on 2024-09-30, before 2024-10-01."], reasons);
        Assert.Equal("yes", (await RunAsync(Inputs("90", surveyEnd: "2024-10-01"))).Branch);
    }

    [Fact]
    public async Task Without_a_certificate_holder_it_is_not_eligible()
    {
        var (branch, _, reasons, _) = await RunAsync(Inputs("90", holders: 0));

        Assert.Equal("no", branch);
        Assert.Equal(["持有培训合格证书的人数为 0，至少需要 1 人。0 staff members hold the training certificate; at least 1 is needed."], reasons);
    }

    [Fact]
    public async Task Every_failed_rule_is_listed_with_its_numbers()
    {
        var (branch, eligible, reasons, _) = await RunAsync(Inputs("80.90", surveyEnd: "2024-06-30", holders: 0));

        Assert.Equal(("no", false), (branch, eligible));
        Assert.Equal([
            "满意度指数 80.9 低于 81。Satisfaction index 80.9 is below 81.",
            "满意度测评于 2024-06-30 结束，早于 2024-10-01。The satisfaction survey ended on 2024-06-30, before 2024-10-01.",
            "持有培训合格证书的人数为 0，至少需要 1 人。0 staff members hold the training certificate; at least 1 is needed.",
        ], reasons);
    }

    [Fact]
    public async Task No_survey_end_and_an_index_out_of_range_are_reasons_too()
    {
        var (_, _, reasons, _) = await RunAsync(Inputs("810", surveyEnd: "  "));

        Assert.Equal([
            "满意度指数 810 不在 0 到 100 之间。Satisfaction index 810 is not between 0 and 100.",
            "未提供满意度测评的结束日期。No end date of the satisfaction survey was given.",
        ], reasons);
    }

    [Fact]
    public async Task A_date_that_is_not_yyyy_MM_dd_at_run_time_is_a_fault_naming_the_input()
    {
        var check = Activity("check", "Manyi.CheckEligibility", Inputs("90"));
        check["surveyEnd"] = Input("String", "'2024/12/15'", "JavaScript");

        var outcome = await RunAsync(check);

        Assert.Equal(WorkflowStatus.Faulted, outcome.Instance.Status);
        Assert.Contains("Input 'surveyEnd': '2024/12/15' is not a date written yyyy-MM-dd", Assert.Single(outcome.Instance.Incidents).Message);
    }

    [Fact]
    public void Literal_dates_and_minimum_are_checked_when_the_workflow_is_saved()
    {
        var definition = Workflow("bad-eligibility", [
            Activity("check", "Manyi.CheckEligibility", ("index", "Decimal", "90"), ("minimumIndex", "Decimal", "181"),
                ("surveyEnd", "String", "15/12/2024"), ("surveyNotBefore", "String", "2024-10"), ("certificateHolders", "Int32", 1)),
            Activity("empty", "Manyi.CheckEligibility"),
        ], [Connect("check", "empty", "Eligible")]);

        var errors = _services.GetRequiredService<WorkflowCompiler>().Validate(definition).Errors.ToList();

        Assert.Equal(["check surveyEnd", "check surveyNotBefore", "check minimumIndex", "empty index", "empty surveyEnd", "empty surveyNotBefore", "empty certificateHolders"],
            errors.Select(e => $"{e.ActivityId} {e.Input}"));
    }

    [Fact]
    public void The_type_its_inputs_and_outcomes_are_as_workflow_files_write_them()
    {
        var descriptor = ActivityDescriptor.Describe(typeof(CheckEligibility));

        Assert.Equal(("Manyi.CheckEligibility", "Campaign"), (descriptor.TypeName, descriptor.Category));
        Assert.Equal(["index:Decimal", "minimumIndex:Decimal", "surveyEnd:String", "surveyNotBefore:String", "certificateHolders:Int32"],
            descriptor.Inputs.Select(i => $"{i.Name}:{i.TypeName}"));
        Assert.Equal(["Eligible", "NotEligible"], descriptor.Outcomes);
    }
}
