using System.Text.Json.Nodes;
using Manyi.Engine.Forms;

namespace Manyi.Engine.Tests.Forms;

public sealed class FormDefinitionTests
{
    /// <summary>Every type and property once, in the canonical form <see cref="FormDefinition.ToJson"/> writes.</summary>
    private const string Canonical = """
        {"fields":[
        {"name":"contactName","label":"联系人","labelEn":"Contact","type":"text","required":true,"description":"填写一人","maxLength":20,"pattern":"\\p{L}+"},
        {"name":"headcount","label":"培训人数","type":"number","required":true,"min":1,"max":500,"integer":true},
        {"name":"fee","label":"费用","type":"number","required":false,"min":0.5,"integer":false},
        {"name":"arrival","label":"报到日期","type":"date","required":false,"min":"2025-05-13","max":"2025-05-16"},
        {"name":"operator","label":"运营商","type":"choice","required":true,"options":[{"value":"mobile","label":"移动","labelEn":"Mobile"},{"value":"unicom","label":"联通"}],"multiple":false},
        {"name":"commitment","label":"诚信承诺","type":"checkbox","required":true},
        {"name":"report","label":"实践报告","type":"file","required":true,"allowedTypes":["application/pdf"],"maxBytes":10485760,"multiple":false},
        {"name":"trainees","label":"参训人员","type":"table","required":false,"columns":[{"name":"name","label":"姓名","type":"text","required":true,"maxLength":2000}],"minRows":1,"maxRows":50}
        ]}
        """;

    [Fact]
    public void Writes_what_it_reads_in_camel_case()
    {
        var form = FormDefinition.Parse(JsonNode.Parse(Canonical));

        Assert.Equal(Compact(Canonical), Json.Text(form.ToJson()));
        Assert.Equal(Compact(Canonical), Json.Text(FormDefinition.Parse(form.ToJson()).ToJson()));
    }

    [Fact]
    public void Reads_the_typed_properties()
    {
        var fields = FormDefinition.Parse(JsonNode.Parse(Canonical)).Fields;

        Assert.Equal(8, fields.Count);
        Assert.Equal(new FormField { Name = "headcount", Label = "培训人数", Type = FormFieldType.Number, Required = true, Min = 1, Max = 500, Integer = true }, fields[1]);
        Assert.Equal((new DateOnly(2025, 5, 13), new DateOnly(2025, 5, 16)), (fields[3].MinDate, fields[3].MaxDate));
        Assert.Equal([new FormOption("mobile", "移动", "Mobile"), new FormOption("unicom", "联通")], fields[4].Options);
        Assert.Equal(["application/pdf"], fields[6].AllowedTypes);
        Assert.Equal(10 * 1024 * 1024, fields[6].MaxBytes);
        Assert.Equal("name", Assert.Single(fields[7].Columns).Name);
        Assert.Equal((1, 50), (fields[7].MinRows, fields[7].MaxRows));
    }

    [Fact]
    public void Accepts_a_bare_array_of_fields_and_fills_in_defaults()
    {
        var form = FormDefinition.Parse(JsonNode.Parse("""
            [{"name": "note", "label": "备注", "type": "Text"},
             {"name": "scan", "label": "扫描件", "type": "file"},
             {"name": "level", "label": "等级", "type": "choice", "options": ["A", "AA", "AAA"]}]
            """));

        Assert.Equal(FormField.DefaultMaxLength, form.Fields[0].MaxLength);
        Assert.False(form.Fields[0].Required);
        Assert.Equal(20 * 1024 * 1024, form.Fields[1].MaxBytes);
        Assert.Equal(new FormOption("AA", "AA"), form.Fields[2].Options[1]);
    }

    [Fact]
    public void No_definition_is_an_empty_form()
    {
        Assert.Empty(FormDefinition.Parse(null).Fields);
        Assert.Empty(FormDefinition.Parse(JsonNode.Parse("""{"fields": []}""")).Fields);
        Assert.Equal("""{"fields":[]}""", FormDefinition.Empty.ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("""[42]""", "fields[0] must be an object")]
    [InlineData("""[{"name": "a", "label": "A", "type": "textarea"}]""", "fields[0] 'a': unknown type 'textarea'; use one of text, number, date, choice, checkbox, file, table")]
    [InlineData("""[{"name": "a", "label": "A"}]""", "fields[0] 'a': 'type' is missing")]
    [InlineData("""[{"name": "a", "label": "A", "type": "text", "requried": true}]""", "fields[0] 'a': unknown property 'requried'")]
    [InlineData("""[{"name": "a", "label": "A", "type": "text", "min": 1}]""", "fields[0] 'a': 'min' does not apply to a text field")]
    [InlineData("""[{"name": "a", "label": "A", "type": "text"}, {"name": "n", "label": "N", "type": "number", "max": "500"}]""", "fields[1] 'n': 'max' must be a number")]
    [InlineData("""[{"name": "d", "label": "D", "type": "date", "min": "2025-02-30"}]""", "fields[0] 'd': 'min' must be a date written yyyy-MM-dd")]
    [InlineData("""[{"name": "t", "label": "T", "type": "text", "maxLength": 20.5}]""", "fields[0] 't': 'maxLength' must be a whole number")]
    [InlineData("""[{"name": "c", "label": "C", "type": "checkbox", "required": "yes"}]""", "fields[0] 'c': 'required' must be true or false")]
    [InlineData("""[{"name": "c", "label": "C", "type": "choice", "options": [{"label": "甲"}]}]""", "fields[0] 'c' options[0]: 'value' is missing")]
    [InlineData("""[{"name": "f", "label": "F", "type": "file", "allowedTypes": "application/pdf"}]""", "fields[0] 'f': 'allowedTypes' must be an array")]
    [InlineData("""[{"name": "t", "label": "T", "type": "table", "columns": [{"name": "a", "label": "A", "type": "text"}, {"name": "age", "label": "年龄", "type": "number", "min": "x"}]}]""",
        "fields[0] 't' columns[1] 'age': 'min' must be a number")]
    [InlineData("""{"fields": [], "title": "x"}""", "A form has only 'fields', 'rules' and 'confirm'; unknown property 'title'")]
    [InlineData("\"text\"", "A form is an array of fields or an object {\"fields\": [...]}")]
    public void A_malformed_definition_is_refused_naming_the_field(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => FormDefinition.Parse(JsonNode.Parse(json)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_sound_form_has_no_problems() =>
        Assert.Empty(FormDefinition.Parse(JsonNode.Parse(Canonical)).Problems());

    [Fact]
    public void Problems_name_each_field_and_what_to_fix()
    {
        var form = FormDefinition.Parse(JsonNode.Parse("""
            [
              {"name": "headcount", "label": "培训人数", "type": "number", "min": 10, "max": 5},
              {"name": "headcount", "label": "培训人数", "type": "number"},
              {"name": "full name", "label": "姓名", "type": "text", "pattern": "(unclosed"},
              {"name": "1st", "label": "", "type": "text", "maxLength": 0},
              {"name": "arrival", "label": "报到", "type": "date", "min": "2025-05-16", "max": "2025-05-13"},
              {"name": "operator", "label": "运营商", "type": "choice", "options": []},
              {"name": "rating", "label": "等级", "type": "choice", "options": ["A", "A", ""]},
              {"name": "report", "label": "报告", "type": "file", "maxBytes": 0, "allowedTypes": ["pdf"]},
              {"name": "empty", "label": "空表", "type": "table", "minRows": 3, "maxRows": 2},
              {"name": "trainees", "label": "参训人员", "type": "table", "columns": [
                {"name": "certificate", "label": "证书", "type": "file"},
                {"name": "exams", "label": "考试", "type": "table", "columns": [{"name": "score", "label": "分数", "type": "number"}]},
                {"name": "certificate", "label": "证书号", "type": "text"}
              ]}
            ]
            """));
        form = form with { Fields = [.. form.Fields, new FormField { Name = "mystery", Label = "?", Type = (FormFieldType)42 }] };

        Assert.Equal(
        [
            "fields[0] 'headcount': min (10) is greater than max (5)",
            "fields[1] 'headcount': another field has the same name",
            "fields[2] 'full name': the name must be an identifier (a letter or _, then letters, digits or _)",
            "fields[2] 'full name': the pattern is not a valid regular expression: " + PatternError("(unclosed"),
            "fields[3] '1st': the name must be an identifier (a letter or _, then letters, digits or _)",
            "fields[3] '1st': the label is empty",
            "fields[3] '1st': maxLength must be positive (got 0)",
            "fields[4] 'arrival': min (2025-05-16) is after max (2025-05-13)",
            "fields[5] 'operator': a choice needs options",
            "fields[6] 'rating': the option 'A' is listed twice",
            "fields[6] 'rating': an option has an empty value",
            "fields[7] 'report': maxBytes must be positive (got 0)",
            "fields[7] 'report': 'pdf' in allowedTypes is not a MIME type such as application/pdf",
            "fields[8] 'empty': a table needs columns",
            "fields[8] 'empty': minRows (3) is greater than maxRows (2)",
            "fields[9] 'trainees' columns[0] 'certificate': a table column cannot be a file",
            "fields[9] 'trainees' columns[1] 'exams': tables cannot be nested",
            "fields[9] 'trainees' columns[2] 'certificate': another field has the same name",
            "fields[10] 'mystery': unknown type 42",
        ], form.Problems());
    }

    private static string PatternError(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex($"^(?:{pattern})\\z");
            return "";
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static string Compact(string json) => Json.Text(JsonNode.Parse(json));
}
