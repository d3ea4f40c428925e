using System.Text.Json.Nodes;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;
using Manyi.Engine.Serialization;
using Manyi.Engine.Stores;
using Manyi.Web.Features.Designer;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Designer;

/// <summary>Issue 21, item 5: what the code editor offers, and "try it", which reads a run and never changes it.</summary>
public sealed class ExpressionTrialTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A variable total (21), a workflow input campaign, a task named Report, waiting for an event.</summary>
    private static string Tally(string definitionId) => Workflows.Flowchart(definitionId,
        $$$"""
        {{{Workflows.Start()}}},
        {"id": "report", "name": "Report", "type": "Manyi.UserTask", "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Administrator"}}, "outcomes": ["Done"]},
        {{{Workflows.Event("wait", "never")}}}
        """,
        $"{Workflows.Connect("start", "report")}, {Workflows.Connect("report", "wait")}",
        """ "variables": [{"id": "v-total", "name": "total", "typeName": "Int32", "value": "21"}], "inputs": [{"name": "campaign", "type": "Object"}], """);

    private static Expression Js(string code) => new(Expression.JavaScript, JsonValue.Create(code));

    [Fact]
    public async Task A_run_is_read_not_written_and_a_mistake_or_a_runaway_script_is_told_in_Chinese_first()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var client = app.CreateClient();
        await client.DeployAsync(Tally("tally"));
        var run = await client.ExecuteAsync("tally");
        var definition = ElsaJson.Read(Tally("tally"));
        using var scope = app.Services.CreateScope();
        var trial = scope.ServiceProvider.GetRequiredService<ExpressionTrial>();

        var instances = await trial.InstancesAsync("tally", Ct);
        var instance = Assert.Single(instances);
        Assert.Equal(run.GetString("id"), instance.Id);
        Assert.DoesNotContain(instance.Id, instance.Label, StringComparison.Ordinal);

        // The script writes its variable; the stored run keeps 21.
        var tried = await trial.TryAsync(Js("setTotal(99); getTotal() + 1"), definition, instance.Id, null, Ct);
        Assert.True(tried.Succeeded, tried.Text);
        Assert.Equal("100", tried.Text);
        var stored = await scope.ServiceProvider.GetRequiredService<IWorkflowStore>().FindInstanceAsync(instance.Id, Ct);
        Assert.Equal(21, stored!.State.Variables["total"]!.GetValue<int>());

        // Sample data, an activity's outputs by its name too.
        var sample = """{"variables": {"total": 2}, "outputs": {"Report": {"Outcome": "Done"}}}""";
        Assert.Equal("Done 4", (await trial.TryAsync(Js("getOutcomeFromReport() + ' ' + getTotal() * 2"), definition, null, sample, Ct)).Text);
        Assert.Equal("Done", (await trial.TryAsync(new Expression(Expression.Liquid, JsonValue.Create("{{ Outputs.Report.Outcome }}")), definition, null, sample, Ct)).Text);

        var huge = await trial.TryAsync(Js("'z'.repeat(50000)"), definition, null, sample, Ct);
        Assert.True(huge.Succeeded);
        Assert.Equal(ExpressionTrial.MaxShown + 1, huge.Text.IndexOf('\n', StringComparison.Ordinal) + 1);
        Assert.EndsWith("50,000 characters in all）", huge.Text, StringComparison.Ordinal);

        // A text reads as the text, its line breaks as line breaks; any other value as JSON.
        var lines = await trial.TryAsync(new Expression(Expression.Liquid, JsonValue.Create("结果：{{ Outputs.Report.Outcome }}\n第二行")), definition, null, sample, Ct);
        Assert.Equal("结果：Done\n第二行", lines.Text);
        Assert.False(lines.IsJson);
        var json = await trial.TryAsync(Js("({done: ['郑州移动'], total: getTotal()})"), definition, null, sample, Ct);
        Assert.True(json.IsJson);
        Assert.Contains("\"done\"", json.Text, StringComparison.Ordinal);
        Assert.Contains("郑州移动", json.Text, StringComparison.Ordinal);

        var broken = await trial.TryAsync(Js("getTotal().no.such"), definition, null, sample, Ct);
        Assert.False(broken.Succeeded);
        Assert.StartsWith("JavaScript 运行出错：", broken.Text, StringComparison.Ordinal);
        var unparsed = await trial.TryAsync(Js("1 +"), definition, null, sample, Ct);
        Assert.StartsWith("JavaScript 有语法错误：", unparsed.Text, StringComparison.Ordinal);
        var runaway = await trial.TryAsync(Js("while (true) {}"), definition, null, sample, Ct);
        Assert.False(runaway.Succeeded);
        Assert.StartsWith("JavaScript 运行出错：", runaway.Text, StringComparison.Ordinal);
        var notJson = await trial.TryAsync(Js("1"), definition, null, "{not json", Ct);
        Assert.False(notJson.Succeeded);
        Assert.StartsWith("样例数据不是有效的 JSON 对象", notJson.Text, StringComparison.Ordinal);
        var elsewhere = await trial.TryAsync(Js("1"), ElsaJson.Read(Tally("other")), instance.Id, null, Ct);
        Assert.False(elsewhere.Succeeded);
    }

    [Fact]
    public async Task The_editor_offers_variables_inputs_outputs_and_the_engines_functions_as_each_language_spells_them()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var registry = app.Services.GetRequiredService<ActivityRegistry>();
        var definition = ElsaJson.Read(Tally("tally"));

        var js = ExpressionCompletions.For(Expression.JavaScript, definition, registry).Select(c => (c.Label, c.Kind)).ToList();
        Assert.Contains(("getTotal()", "variable"), js);
        Assert.Contains(("getCampaign()", "input"), js);
        Assert.Contains(("getOrganizationsFromReport()", "output"), js);
        Assert.Contains(("getResultsFromReport()", "output"), js);
        Assert.Contains(("getVariable(name)", "function"), js);
        Assert.DoesNotContain(js, c => c.Label.Contains("FromWait", StringComparison.Ordinal)); // not named: found by no name

        var liquid = ExpressionCompletions.For(Expression.Liquid, definition, registry).Select(c => (c.Label, c.Kind)).ToList();
        Assert.Contains(("Variables.total", "variable"), liquid);
        Assert.Contains(("Input.campaign", "input"), liquid);
        Assert.Contains(("Outputs.Report.Organizations", "output"), liquid);
        Assert.Contains(("zh_datetime", "filter"), liquid);
    }

    /// <summary>
    /// An activity named in Chinese (整改报告) is no Liquid member name: the editor offers its outputs as an index,
    /// <c>Outputs["整改报告"].Organizations</c>, and that is what Liquid reads; the member form does not parse.
    /// </summary>
    [Fact]
    public async Task An_activity_named_in_Chinese_is_offered_to_Liquid_as_an_index_that_evaluates()
    {
        await using var app = await ManyiApp.StartAsync("sqlite");
        var registry = app.Services.GetRequiredService<ActivityRegistry>();
        var definition = ElsaJson.Read(Tally("tally").Replace("\"name\": \"Report\"", "\"name\": \"整改报告\"", StringComparison.Ordinal));

        var liquid = ExpressionCompletions.For(Expression.Liquid, definition, registry).Select(c => c.InsertText).ToList();
        Assert.Contains("Outputs[\"整改报告\"].Organizations", liquid);
        Assert.DoesNotContain(liquid, c => c.StartsWith("Outputs.整改报告", StringComparison.Ordinal));

        using var scope = app.Services.CreateScope();
        var trial = scope.ServiceProvider.GetRequiredService<ExpressionTrial>();
        var sample = """{"outputs": {"整改报告": {"Organizations": {"done": ["郑州移动"], "open": ["洛阳联通", "开封电信"], "overdue": []}}}}""";
        var tried = await trial.TryAsync(new Expression(Expression.Liquid,
            JsonValue.Create("""未提交 {{ Outputs["整改报告"].Organizations.open | size }} 家：{{ Outputs["整改报告"].Organizations.open | join: "、" }}""")),
            definition, null, sample, Ct);
        Assert.True(tried.Succeeded, tried.Text);
        Assert.Equal("未提交 2 家：洛阳联通、开封电信", tried.Text);
        Assert.False(tried.IsJson);
        var member = await trial.TryAsync(new Expression(Expression.Liquid, JsonValue.Create("{{ Outputs.整改报告.Organizations.open }}")), definition, null, sample, Ct);
        Assert.False(member.Succeeded);
    }
}
