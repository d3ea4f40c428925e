using System.Text.Json.Nodes;
using Manyi.Engine.Forms;

namespace Manyi.Engine.Tests.Forms;

public sealed class FormValidatorTests
{
    private const string Required = "请填写此项。This field is required.";
    private const string UnknownField = "未知字段。Unknown field.";

    /// <summary>A headcount report with one field of each kind.</summary>
    private static readonly FormDefinition Headcount = Form("""
        [
          {"name": "contactName", "label": "联系人", "type": "text", "required": true, "maxLength": 5},
          {"name": "phone", "label": "联系电话", "type": "text", "pattern": "1\\d{10}"},
          {"name": "headcount", "label": "培训人数", "type": "number", "required": true, "min": 1, "max": 500, "integer": true},
          {"name": "fee", "label": "费用", "type": "number", "min": 0},
          {"name": "arrival", "label": "报到日期", "type": "date", "min": "2025-05-13", "max": "2025-05-16"},
          {"name": "operator", "label": "运营商", "type": "choice", "required": true, "options": [
            {"value": "mobile", "label": "移动"}, {"value": "unicom", "label": "联通"}, {"value": "telecom", "label": "电信"}]},
          {"name": "sessions", "label": "期次", "type": "choice", "multiple": true, "options": ["1", "2"]},
          {"name": "commitment", "label": "诚信承诺", "type": "checkbox", "required": true},
          {"name": "subscribe", "label": "订阅通知", "type": "checkbox"},
          {"name": "report", "label": "实践报告", "type": "file", "required": true, "allowedTypes": ["application/pdf"], "maxBytes": 10485760},
          {"name": "evidence", "label": "佐证材料", "type": "file", "multiple": true, "allowedTypes": ["application/pdf", "image/png", "image/jpeg"], "maxBytes": 5242880},
          {"name": "trainees", "label": "参训人员", "type": "table", "minRows": 1, "maxRows": 3, "columns": [
            {"name": "name", "label": "姓名", "type": "text", "required": true, "maxLength": 20},
            {"name": "position", "label": "职务", "type": "text"},
            {"name": "age", "label": "年龄", "type": "number", "integer": true, "min": 18}]}
        ]
        """);

    private static readonly Dictionary<string, FormFile> Uploaded = new[]
    {
        new FormFile("f-report", "实践报告.pdf", "application/pdf", 1_000_000),
        new FormFile("f-photo", "现场.png", "image/png", 100_000),
        new FormFile("f-jpeg", "证书.jpg", "image/jpeg", 200_000),
        new FormFile("f-disguised", "scan.pdf", "image/png", 1_000),
        new FormFile("f-big", "全年材料.pdf", "application/pdf", 11_000_000),
    }.ToDictionary(f => f.Id);

    private const string Valid = """
        {"contactName": " 王小明 ", "phone": "13800000000", "headcount": "12", "fee": 3600.50, "arrival": "2025-05-13",
         "operator": "mobile", "sessions": ["1", 1], "commitment": true, "report": "f-report", "evidence": ["f-photo", "f-jpeg"],
         "trainees": [{"name": "李四", "position": "客服经理", "age": "35"}]}
        """;

    [Fact]
    public void Valid_data_is_normalized_for_the_workflow()
    {
        var result = Validate(Valid);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        Assert.Equal(
            """{"contactName":"王小明","phone":"13800000000","headcount":12,"fee":3600.5,"arrival":"2025-05-13","operator":"mobile","sessions":["1"],"commitment":true,"subscribe":false,"report":"f-report","evidence":["f-photo","f-jpeg"],"trainees":[{"name":"李四","position":"客服经理","age":35}]}""",
            Json.Text(result.Values));
    }

    [Fact]
    public void Missing_optional_fields_are_null_false_or_empty_lists()
    {
        var result = Validate("""{"contactName": "王", "headcount": 1, "operator": "unicom", "commitment": true, "report": "f-report", "trainees": [{"name": "李四"}]}""");

        Assert.True(result.IsValid);
        Assert.Equal(
            """{"contactName":"王","phone":null,"headcount":1,"fee":null,"arrival":null,"operator":"unicom","sessions":[],"commitment":true,"subscribe":false,"report":"f-report","evidence":[],"trainees":[{"name":"李四","position":null,"age":null}]}""",
            Json.Text(result.Values));
    }

    [Fact]
    public void Every_missing_required_field_is_reported_at_once()
    {
        var result = FormValidator.Validate(Headcount, null, Uploaded);

        Assert.False(result.IsValid);
        Assert.Equal(["commitment", "contactName", "headcount", "operator", "report", "trainees"], result.Errors.Keys.Order());
        Assert.Equal([Required], result.Errors["contactName"]);
        Assert.Equal(["请勾选此项。This box must be ticked."], result.Errors["commitment"]);
        Assert.Equal(["请上传“实践报告”。Please upload the 实践报告."], result.Errors["report"]);
        Assert.Equal(["至少需要 1 行。Needs at least 1 row."], result.Errors["trainees"]);
        Assert.DoesNotContain(result.Values, v => result.Errors.ContainsKey(v.Key));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("[]")]
    public void Null_empty_and_blank_count_as_missing(string value)
    {
        var form = Form("""[{"name": "note", "label": "备注", "type": "text", "required": true}, {"name": "ids", "label": "编号", "type": "choice", "multiple": true, "required": true, "options": ["a"]}]""");

        var result = FormValidator.Validate(form, Data($$"""{"note": {{value}}, "ids": {{value}}}"""), Uploaded);

        Assert.Equal([Required], result.Errors["note"]);
        Assert.Equal([Required], result.Errors["ids"]);
    }

    [Fact]
    public void Keys_the_form_does_not_know_are_refused_not_dropped()
    {
        var result = Validate(Valid.Replace("\"phone\":", "\"isAdmin\": true, \"phone\":"));

        Assert.Equal("isAdmin", Assert.Single(result.Errors).Key);
        Assert.Equal([UnknownField], result.Errors["isAdmin"]);
        Assert.False(result.Values.ContainsKey("isAdmin"));
    }

    [Theory]
    [InlineData("\"abc\"", "应为数字。Must be a number.")]
    [InlineData("true", "应为数字。Must be a number.")]
    [InlineData("\"1,200\"", "应为数字。Must be a number.")]
    [InlineData("[12]", "应为数字。Must be a number.")]
    [InlineData("2.5", "应为整数。Must be a whole number.")]
    [InlineData("0", "应不小于 1。Must be at least 1.")]
    [InlineData("\"501\"", "应不大于 500。Must be at most 500.")]
    public void A_number_must_be_a_number_in_range(string value, string message) =>
        AssertRefused("headcount", value, message);

    [Theory]
    [InlineData("12", "12")]
    [InlineData("\" 12 \"", "12")]
    [InlineData("12.0", "12")]
    [InlineData("\"1e2\"", "100")]
    public void A_number_may_come_as_text_and_is_stored_as_a_number(string value, string stored) =>
        Assert.Equal(stored, Json.Text(Validate(Valid.Replace("\"headcount\": \"12\"", $"\"headcount\": {value}")).Values["headcount"]));

    [Theory]
    [InlineData("\"王小明先生好\"", "不能超过 5 个字符。Must be at most 5 characters.")]
    [InlineData("{\"text\": \"王\"}", "应为文本。Must be text.")]
    [InlineData("true", "应为文本。Must be text.")]
    public void Text_is_text_within_its_length(string value, string message) =>
        AssertRefused("contactName", value, message);

    [Fact]
    public void Length_counts_characters_not_bytes() =>
        Assert.True(Validate(Valid.Replace("\" 王小明 \"", "\"欧阳小明明\"")).IsValid);

    [Theory]
    [InlineData("\"1380000000\"")]
    [InlineData("\"13800000000x\"")]
    [InlineData("\"x13800000000\"")]
    public void A_pattern_must_match_the_whole_value(string value) =>
        AssertRefused("phone", value, "格式不符合要求：1\\d{10}。Does not match the required format: 1\\d{10}.");

    [Fact]
    public void A_pattern_that_backtracks_forever_is_stopped()
    {
        var form = Form("""[{"name": "code", "label": "编码", "type": "text", "pattern": "(a|aa)+"}]""");

        var result = FormValidator.Validate(form, Data($$"""{"code": "{{new string('a', 40)}}!"}"""), Uploaded);

        Assert.Equal(["格式检查超时。The format check took too long."], result.Errors["code"]);
    }

    [Theory]
    [InlineData("\"2025/05/13\"", "应为日期，格式 yyyy-MM-dd。Must be a date written yyyy-MM-dd.")]
    [InlineData("\"2025-02-30\"", "应为日期，格式 yyyy-MM-dd。Must be a date written yyyy-MM-dd.")]
    [InlineData("20250513", "应为日期，格式 yyyy-MM-dd。Must be a date written yyyy-MM-dd.")]
    [InlineData("\"2025-05-12\"", "应不早于 2025-05-13。Must be on or after 2025-05-13.")]
    [InlineData("\"2025-05-17\"", "应不晚于 2025-05-16。Must be on or before 2025-05-16.")]
    public void A_date_is_written_yyyy_MM_dd_within_its_range(string value, string message) =>
        AssertRefused("arrival", value, message);

    [Theory]
    [InlineData("operator", "\"china-mobile\"", "“china-mobile”不是可选项，可选：mobile, unicom, telecom。\"china-mobile\" is not an option; options: mobile, unicom, telecom.")]
    [InlineData("operator", "[\"mobile\"]", "“[\"mobile\"]”不是可选项，可选：mobile, unicom, telecom。\"[\"mobile\"]\" is not an option; options: mobile, unicom, telecom.")]
    [InlineData("sessions", "\"1\"", "应为列表。Must be a list.")]
    [InlineData("sessions", "[\"1\", \"3\"]", "“3”不是可选项，可选：1, 2。\"3\" is not an option; options: 1, 2.")]
    public void A_choice_is_one_of_its_options(string field, string value, string message) =>
        AssertRefused(field, value, message);

    [Theory]
    [InlineData("\"true\"", "应为 true 或 false。Must be true or false.")]
    [InlineData("1", "应为 true 或 false。Must be true or false.")]
    [InlineData("false", "请勾选此项。This box must be ticked.")]
    public void A_required_checkbox_is_an_attestation_that_must_be_ticked(string value, string message) =>
        AssertRefused("commitment", value, message);

    [Fact]
    public void An_optional_checkbox_may_be_left_unticked() =>
        Assert.False(Validate(Valid.Replace("\"commitment\": true", "\"commitment\": true, \"subscribe\": false")).Values["subscribe"]!.GetValue<bool>());

    [Theory]
    [InlineData("report", "\"f-nope\"", "找不到已上传的文件 f-nope。No uploaded file f-nope.")]
    [InlineData("report", "42", "应为已上传文件的编号。Must be the id of an uploaded file.")]
    [InlineData("report", "\"f-disguised\"", "文件类型 PNG 不允许，只接受 PDF。File type PNG is not allowed; allowed: PDF.")]
    [InlineData("report", "\"f-big\"", "文件 全年材料.pdf 超过 10 MB 上限。File 全年材料.pdf exceeds the 10 MB limit.")]
    [InlineData("evidence", "\"f-photo\"", "应为列表。Must be a list.")]
    [InlineData("evidence", "[\"f-photo\", \"f-nope\"]", "找不到已上传的文件 f-nope。No uploaded file f-nope.")]
    [InlineData("evidence", "[\"f-big\"]", "文件 全年材料.pdf 超过 5 MB 上限。File 全年材料.pdf exceeds the 5 MB limit.")]
    public void A_file_is_an_uploaded_file_of_an_allowed_type_and_size(string field, string value, string message) =>
        AssertRefused(field, value, message);

    [Fact]
    public void Table_cells_are_checked_like_fields_and_keyed_by_row()
    {
        var result = Validate(Valid.Replace(
            """[{"name": "李四", "position": "客服经理", "age": "35"}]""",
            """[{"name": "李四", "nickname": "小李"}, {"position": "经理"}, {"name": "王五", "age": "abc"}, "赵六"]"""));

        Assert.Equal(["trainees", "trainees[0].nickname", "trainees[1].name", "trainees[2].age", "trainees[3]"], result.Errors.Keys.Order());
        Assert.Equal(["最多 3 行。At most 3 rows."], result.Errors["trainees"]);
        Assert.Equal([UnknownField], result.Errors["trainees[0].nickname"]);
        Assert.Equal([Required], result.Errors["trainees[1].name"]);
        Assert.Equal(["应为数字。Must be a number."], result.Errors["trainees[2].age"]);
        Assert.Equal(["每行应为对象。Each row must be an object."], result.Errors["trainees[3]"]);
        Assert.False(result.Values.ContainsKey("trainees"));
    }

    [Fact]
    public void A_table_is_a_list_of_rows_within_its_row_limits()
    {
        AssertRefused("trainees", "{\"name\": \"李四\"}", "应为列表。Must be a list.");
        AssertRefused("trainees", "[{\"name\": \"李四\", \"age\": 17}]", "应不小于 18。Must be at least 18.", "trainees[0].age");
    }

    /// <summary>A request body holds raw bytes; invalid UTF-8 in a value or a key is refused, naming where it is.</summary>
    [Theory]
    [InlineData("{\"trainees\": [{\"name\": \"\xff\xfe\"}]}", "trainees[0].name")]
    [InlineData("{\"contactName\": \"\xff\"}", "contactName")]
    [InlineData("{\"trainees\": [{\"\xff\xfe\": \"x\"}]}", "trainees[0]")]
    [InlineData("{\"\xff\": 1}", "data")]
    public void Invalid_utf8_is_refused_as_unreadable_text(string raw, string key)
    {
        var bytes = raw.Select(c => (byte)c).ToArray();
        var data = System.Text.Json.JsonSerializer.Deserialize<JsonObject>(bytes)!;

        var result = FormValidator.Validate(Headcount, data, Uploaded);

        Assert.Equal(["文字编码无效（应为 UTF-8）。The text is not valid UTF-8."], result.Errors[key]);
    }

    private static void AssertRefused(string field, string value, string message, string? key = null)
    {
        var data = Data(Valid);
        data[field] = JsonNode.Parse(value);

        var result = FormValidator.Validate(Headcount, data, Uploaded);

        Assert.False(result.IsValid);
        Assert.Equal(key ?? field, Assert.Single(result.Errors).Key);
        Assert.Equal([message], result.Errors[key ?? field]);
        Assert.False(result.Values.ContainsKey(field));
    }

    private static FormValidationResult Validate(string data) => FormValidator.Validate(Headcount, Data(data), Uploaded);

    private static JsonObject Data(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>
    /// A certificate number is required for a trainee marked 考试通过 (the holder counts only with one), not for one who
    /// failed: the cell says so, naming the checkbox; a requiredWhen that names no checkbox beside it is a form problem.
    /// </summary>
    [Fact]
    public void A_field_required_when_a_checkbox_beside_it_is_ticked_is_asked_for_only_then()
    {
        var form = Form("""
            [{"name": "holders", "label": "持证人员", "type": "table", "columns": [
              {"name": "name", "label": "姓名", "type": "text", "required": true},
              {"name": "passed", "label": "考试通过", "labelEn": "Passed the exam", "type": "checkbox"},
              {"name": "number", "label": "证书编号", "type": "text", "requiredWhen": "passed"}]}]
            """);
        var data = JsonNode.Parse("""
            {"holders": [{"name": "张三", "passed": true}, {"name": "李四", "passed": false}, {"name": "王五", "passed": true, "number": "HN-2025-001"}]}
            """)!.AsObject();

        var result = FormValidator.Validate(form, data, Uploaded);

        Assert.Equal(["holders[0].number"], result.Errors.Keys);
        Assert.Equal(["勾选“考试通过”时请填写此项。This field is required when 'Passed the exam' is ticked."], result.Errors["holders[0].number"]);
        var broken = FormDefinition.Parse(JsonNode.Parse("""
            [{"name": "number", "label": "证书编号", "type": "text", "requiredWhen": "name"}, {"name": "name", "label": "姓名", "type": "text"}]
            """));
        Assert.Contains(broken.Problems(), p => p.Contains("requiredWhen names 'name', which is not a checkbox of the same form", StringComparison.Ordinal));
    }

    private static FormDefinition Form(string json)
    {
        var form = FormDefinition.Parse(JsonNode.Parse(json));
        Assert.Empty(form.Problems());
        return form;
    }
}
