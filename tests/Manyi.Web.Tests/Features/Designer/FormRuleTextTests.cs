using System.Text.Json.Nodes;
using Manyi.Engine.Forms;
using Manyi.Web.Features.Designer;

namespace Manyi.Web.Tests.Features.Designer;

/// <summary>The form editor's rules, a line each, written to the rules JSON the server checks and read back.</summary>
public sealed class FormRuleTextTests
{
    [Fact]
    public void Each_line_becomes_a_rule_the_form_reads_and_writes_back_the_same()
    {
        const string text = "rows(names) = trainees\nperiodStart >= input(campaign.surveyNotBefore)\nperiodEnd >= periodStart\nperiodStart >= 2024-10-01\ntrainees <= 50";

        var (rules, problem) = FormRuleText.Parse(text);

        Assert.Null(problem);
        var form = FormDefinition.Parse(new JsonObject { ["fields"] = new JsonArray(), ["rules"] = rules });
        Assert.Equal([FormOperandKind.Rows, FormOperandKind.Field, FormOperandKind.Field, FormOperandKind.Field, FormOperandKind.Field], form.Rules.Select(r => r.Left.Kind));
        Assert.Equal([FormOperandKind.Field, FormOperandKind.Input, FormOperandKind.Field, FormOperandKind.Value, FormOperandKind.Value], form.Rules.Select(r => r.Right.Kind));
        Assert.Equal(FormComparison.LessOrEqual, form.Rules[4].Op);
        Assert.Equal(text, FormRuleText.Write(form.ToJson()["rules"]));
    }

    [Fact]
    public void A_line_that_is_not_a_rule_is_refused_naming_it()
    {
        var (rules, problem) = FormRuleText.Parse("periodEnd after periodStart");

        Assert.Null(rules);
        Assert.Equal("无法识别的规则：periodEnd after periodStart（例：periodEnd >= periodStart）。Cannot read the rule \"periodEnd after periodStart\" (e.g. periodEnd >= periodStart).", problem);
    }
}
