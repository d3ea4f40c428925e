using System.Text.Json.Nodes;
using Manyi.Engine.Forms;

namespace Manyi.Engine.Tests.Forms;

/// <summary>Rules across fields and fields required for some outcomes, as the 2025 notice's forms need them.</summary>
public sealed class FormRuleTests
{
    private static readonly FormDefinition Survey = Parse("""
        {"fields": [
          {"name": "periodStart", "label": "测评开始", "labelEn": "Survey start", "type": "date", "required": true},
          {"name": "periodEnd", "label": "测评结束", "labelEn": "Survey end", "type": "date"}],
         "rules": [
          {"left": {"field": "periodStart"}, "op": ">=", "right": {"value": "2024-10-01"}},
          {"left": {"field": "periodEnd"}, "op": ">=", "right": {"field": "periodStart"}}]}
        """);

    private static readonly FormDefinition Headcount = Parse("""
        {"fields": [
          {"name": "trainees", "label": "参训人数", "labelEn": "Trainees", "type": "number", "required": true, "integer": true},
          {"name": "names", "label": "参训人员", "labelEn": "Trainees' names", "type": "table", "columns": [
            {"name": "name", "label": "姓名", "type": "text", "required": true}]}],
         "rules": [{"left": {"rows": "names"}, "op": "=", "right": {"field": "trainees"}}]}
        """);

    private const string RowsMismatch = "“参训人员”的行数应等于“参训人数”。The number of rows of Trainees' names must equal Trainees.";

    [Theory]
    [InlineData("3")]
    [InlineData("\"2\"")]
    public void Trainees_must_match_the_names_given(string trainees)
    {
        var result = FormValidator.Validate(Headcount, Data($$"""{"trainees": {{trainees}}, "names": [{"name": "张三"}]}"""), Files);

        Assert.Equal([RowsMismatch], result.Errors["trainees"]);
        Assert.Equal([RowsMismatch], result.Errors["names"]);
    }

    [Fact]
    public void As_many_names_as_trainees_is_accepted()
    {
        var result = FormValidator.Validate(Headcount, Data("""{"trainees": "2", "names": [{"name": "张三"}, {"name": "李四"}]}"""), Files);

        Assert.True(result.IsValid);
    }

    [Fact]
    public void A_survey_ending_before_it_starts_is_refused_on_both_dates()
    {
        var result = FormValidator.Validate(Survey, Data("""{"periodStart": "2025-03-01", "periodEnd": "2025-02-28"}"""), Files);

        const string message = "“测评结束”应不早于“测评开始”。Survey end must be on or after Survey start.";
        Assert.Equal([message], result.Errors["periodEnd"]);
        Assert.Equal([message], result.Errors["periodStart"]);
    }

    [Fact]
    public void A_survey_starting_before_the_setting_is_refused()
    {
        var result = FormValidator.Validate(Survey, Data("""{"periodStart": "2024-09-30", "periodEnd": "2025-02-28"}"""), Files);

        Assert.Equal(["periodStart"], result.Errors.Keys);
        Assert.Equal(["“测评开始”应不早于2024-10-01。Survey start must be on or after 2024-10-01."], result.Errors["periodStart"]);
    }

    [Fact]
    public void An_empty_optional_side_or_a_field_refused_by_itself_skips_the_rule()
    {
        Assert.True(FormValidator.Validate(Survey, Data("""{"periodStart": "2025-01-01"}"""), Files).IsValid);

        var result = FormValidator.Validate(Survey, Data("""{"periodStart": "2025-13-01", "periodEnd": "2025-01-01"}"""), Files);
        Assert.Equal(["periodStart"], result.Errors.Keys);
        Assert.Equal(["应为日期，格式 yyyy-MM-dd。Must be a date written yyyy-MM-dd."], result.Errors["periodStart"]);
    }

    [Fact]
    public void A_setting_read_by_a_rule_is_resolved_when_the_task_opens()
    {
        var form = Parse("""
            {"fields": [{"name": "periodStart", "label": "测评开始", "type": "date"}],
             "rules": [{"left": {"field": "periodStart"}, "op": ">=", "right": {"input": "campaign.surveyNotBefore"}}]}
            """);
        Assert.True(form.ReadsInputs);
        var campaign = JsonNode.Parse("""{"surveyNotBefore": "2024-10-01"}""");

        var resolved = form.WithInputs(path => path == "campaign.surveyNotBefore" ? campaign!["surveyNotBefore"] : null);

        Assert.False(resolved.ReadsInputs);
        Assert.Contains("""{"value":"2024-10-01"}""", resolved.ToJson().ToJsonString());
        Assert.False(FormValidator.Validate(resolved, Data("""{"periodStart": "2024-09-01"}"""), Files).IsValid);
        Assert.Throws<InvalidOperationException>(() => form.WithInputs(_ => null));
    }

    [Fact]
    public void Rules_round_trip_and_nonsense_rules_are_problems()
    {
        Assert.Equal(Json.Text(Survey.ToJson()), Json.Text(FormDefinition.Parse(Survey.ToJson()).ToJson()));
        Assert.Empty(Survey.Problems());

        var form = Parse("""
            {"fields": [{"name": "d", "label": "日期", "type": "date"}, {"name": "n", "label": "数", "type": "number"}, {"name": "t", "label": "文本", "type": "text"}],
             "rules": [
              {"left": {"field": "d"}, "op": "<", "right": {"field": "n"}},
              {"left": {"field": "t"}, "op": "=", "right": {"value": 1}},
              {"left": {"rows": "n"}, "op": "=", "right": {"value": 1}},
              {"left": {"field": "gone"}, "op": "=", "right": {"value": "x"}}]}
            """);
        Assert.Equal(
        [
            "rules[0]: compares a number with a date",
            "rules[1]: 't' is a text field; a rule compares numbers or dates",
            "rules[2]: 'rows' needs a table field; 'n' is not one",
            "rules[3]: no field 'gone'",
            "rules[3]: the value \"x\" is neither a number nor a date written yyyy-MM-dd",
        ], form.Problems());
        Assert.Throws<FormatException>(() => Parse("""{"fields": [], "rules": [{"left": {"field": "a"}, "op": "=>", "right": {"value": 1}}]}"""));
    }

    [Fact]
    public void A_form_that_asks_for_confirmation_says_so_in_its_json()
    {
        var form = Parse("""{"fields": [], "confirm": true}""");

        Assert.True(form.Confirm);
        Assert.Equal("""{"fields":[],"confirm":true}""", form.ToJson().ToJsonString());
        Assert.False(FormDefinition.Parse(JsonNode.Parse("""{"fields": []}""")).Confirm);
        Assert.Throws<FormatException>(() => Parse("""{"fields": [], "confirm": "yes"}"""));
    }

    [Fact]
    public void A_field_required_for_an_outcome_is_required_only_then()
    {
        var form = Parse("""
            {"fields": [{"name": "missing", "label": "缺少的材料", "labelEn": "Missing items", "type": "choice", "multiple": true,
              "requiredFor": ["Returned"], "options": ["a", "b"]}]}
            """);

        Assert.True(FormValidator.Validate(form, Data("{}"), Files, "Complete").IsValid);
        Assert.Equal(["请填写此项。This field is required."], FormValidator.Validate(form, Data("{}"), Files, "Returned").Errors["missing"]);
        Assert.Contains("\"requiredFor\":[\"Returned\"]", form.ToJson().ToJsonString());
    }

    [Fact]
    public void A_missing_required_file_is_named_by_its_label()
    {
        var form = Parse("""
            {"fields": [{"name": "applicationForm", "label": "申报表", "labelEn": "application form", "type": "file", "required": true},
                        {"name": "integrityCommitment", "label": "诚信承诺书", "labelEn": "integrity commitment", "type": "file", "required": true}]}
            """);

        var result = FormValidator.Validate(form, Data("{}"), Files);

        Assert.Equal(["请上传“申报表”。Please upload the application form."], result.Errors["applicationForm"]);
        Assert.Equal(["请上传“诚信承诺书”。Please upload the integrity commitment."], result.Errors["integrityCommitment"]);
    }

    private static readonly Dictionary<string, FormFile> Files = [];

    private static FormDefinition Parse(string json) => FormDefinition.Parse(JsonNode.Parse(json));

    private static JsonObject Data(string json) => JsonNode.Parse(json)!.AsObject();
}
