using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;

namespace Manyi.Engine.Tests.Expressions;

public sealed class LiquidEvaluatorTests
{
    private static readonly LiquidEvaluator Evaluator = new();

    [Fact]
    public async Task Renders_variables_by_name()
    {
        var scope = new FakeScope().Declare("name", "Ada").Declare("count", 3);

        Assert.Equal("Hello Ada, you have 3 tasks", await Evaluator.RenderAsync("Hello {{ Variables.name }}, you have {{ Variables.count }} tasks", scope));
    }

    [Fact]
    public async Task Dates_render_in_the_calendars_zone_in_Chinese_and_English()
    {
        var scope = new FakeScope();
        scope.InputValues["due"] = "2025-04-30T10:00:00Z";

        var text = await Evaluator.RenderAsync("{{ Input.due | zh_datetime }} / {{ Input.due | en_date }} / {{ Input.due | zh_date }}", scope);

        Assert.Equal("2025年4月30日 周三 18:00 / Wed 30 Apr 2025 / 2025年4月30日 周三", text);
    }

    /// <summary>"Received by 10 September" is 11 September 00:00: shown as the end of the 10th, the day people count by.</summary>
    [Fact]
    public async Task A_midnight_deadline_reads_as_24_00_of_the_day_before()
    {
        var scope = new FakeScope();
        scope.InputValues["due"] = "2025-09-11T00:00:00+08:00";

        var text = await Evaluator.RenderAsync("{{ Input.due | zh_datetime }} / {{ Input.due | en_datetime }}", scope);

        Assert.Equal("2025年9月10日 周三 24:00 / Wed 10 Sep 2025 24:00", text);
    }

    [Fact]
    public async Task Renders_nested_objects_lists_input_and_correlation_id()
    {
        var scope = new FakeScope { CorrelationId = "contract-3" }
            .Declare("person", JsonNode.Parse("""{"name": "Ada", "tags": ["a", "b"]}"""));
        scope.InputValues["amount"] = 12.5m;

        var text = await Evaluator.RenderAsync(
            "{{ Variables.person.name }}:{% for t in Variables.person.tags %}{{ t }}{% endfor %}:{{ Input.amount }}:{{ CorrelationId }}:{{ WorkflowInstanceId }}", scope);

        Assert.Equal("Ada:ab:12.5:contract-3:instance-1", text);
    }

    [Fact]
    public async Task Unset_variable_renders_as_empty_text()
    {
        var scope = new FakeScope().Declare("name", null);

        Assert.Equal("[]", await Evaluator.RenderAsync("[{{ Variables.name }}]", scope));
    }

    [Fact]
    public async Task Syntax_error_is_an_expression_error_and_Check_reports_it()
    {
        var error = await Assert.ThrowsAsync<ExpressionException>(async () => await Evaluator.RenderAsync("{% if x %}never closed", new FakeScope()));

        Assert.StartsWith("Liquid does not parse: ", error.Message);
        Assert.NotNull(Evaluator.Check("{{ Variables.name "));
        Assert.Null(Evaluator.Check("{{ Variables.name }}"));
    }

    /// <summary>
    /// The designer offers <see cref="LiquidFilters.Names"/> in completion: each is a filter templates have. Fluid
    /// passes a value through an unknown filter unchanged, so a registered one is told by changing it.
    /// </summary>
    [Fact]
    public async Task Every_filter_the_designer_offers_is_registered()
    {
        var scope = new FakeScope();
        scope.InputValues["due"] = "2025-04-30T10:00:00Z";
        var raw = await Evaluator.RenderAsync("{{ Input.due }}", scope);
        Assert.Equal(raw, await Evaluator.RenderAsync("{{ Input.due | no_such_filter }}", scope));
        foreach (var filter in LiquidFilters.Names)
            Assert.NotEqual(raw, await Evaluator.RenderAsync($"{{{{ Input.due | {filter.Name} }}}}", scope));
    }
}
