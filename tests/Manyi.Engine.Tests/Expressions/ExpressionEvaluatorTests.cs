using System.Text.Json.Nodes;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Tests.Expressions;

/// <summary>Dispatch by expression type, and conversion of the result to the type an input asks for.</summary>
public sealed class ExpressionEvaluatorTests
{
    private static readonly ExpressionEvaluator Evaluator = new(new JavaScriptEvaluator(new ScriptLimits()), new LiquidEvaluator());

    private static async Task<object?> EvaluateAsync(Expression expression, Type target, FakeScope? scope = null) =>
        await Evaluator.EvaluateAsync(expression, target, scope ?? new FakeScope(), TestContext.Current.CancellationToken);

    public static TheoryData<string, JsonNode?, Type, object?> Literals => new()
    {
        { "Int32 from text", "5", typeof(int), 5 },
        { "Int32 from a number", 5, typeof(int), 5 },
        { "Int64 from text", "9000000000", typeof(long), 9_000_000_000L },
        { "Double from text", "2.5", typeof(double), 2.5 },
        { "Decimal from text", "19.99", typeof(decimal), 19.99m },
        { "Boolean from text", "true", typeof(bool), true },
        { "Boolean from capitalised text", "False", typeof(bool), false },
        { "Boolean from JSON", true, typeof(bool), true },
        { "TimeSpan", "00:01:00", typeof(TimeSpan), TimeSpan.FromMinutes(1) },
        { "TimeSpan with days", "2.03:00:00", typeof(TimeSpan), new TimeSpan(2, 3, 0, 0) },
        { "DateTimeOffset", "2025-04-30T18:00+08:00", typeof(DateTimeOffset), new DateTimeOffset(2025, 4, 30, 18, 0, 0, TimeSpan.FromHours(8)) },
        { "String", "hello", typeof(string), "hello" },
        { "String from a number", 42, typeof(string), "42" },
        { "nullable Int32 from null", null, typeof(int?), null },
        { "Int32 from null", null, typeof(int), 0 },
    };

    [Theory]
    [MemberData(nameof(Literals))]
    public async Task Literal_is_converted_to_the_input_type(string because, JsonNode? value, Type target, object? expected)
    {
        var result = await EvaluateAsync(new Expression(Expression.Literal, value), target);

        Assert.True(Equals(expected, result), $"{because}: expected {expected ?? "null"}, got {result ?? "null"}");
    }

    [Fact]
    public async Task Literal_string_array_reads_a_json_list_or_comma_separated_text()
    {
        Assert.Equal(["a", "b"], (string[])(await EvaluateAsync(new Expression(Expression.Literal, "a, b"), typeof(string[])))!);
        Assert.Equal(["a", "b"], (string[])(await EvaluateAsync(new Expression(Expression.Literal, """["a","b"]"""), typeof(string[])))!);
        Assert.Equal(["a", "b"], (string[])(await EvaluateAsync(new Expression(Expression.Literal, new JsonArray("a", "b")), typeof(string[])))!);
    }

    [Theory]
    [InlineData("five", "Int32")]
    [InlineData("yes", "Boolean")]
    [InlineData("a minute", "TimeSpan")]
    public async Task Literal_that_does_not_fit_the_type_is_an_expression_error_naming_the_type(string text, string typeName)
    {
        var target = Engine.Activities.TypeNames.ToClr(typeName);

        var error = await Assert.ThrowsAsync<ExpressionException>(() => EvaluateAsync(new Expression(Expression.Literal, text), target));

        Assert.Contains($"not a valid {typeName}", error.Message);
        Assert.Contains(text, error.Message);
    }

    [Fact]
    public async Task JavaScript_result_is_converted_to_the_input_type()
    {
        Assert.Equal(true, await EvaluateAsync(new Expression(Expression.JavaScript, "1 < 2"), typeof(bool)));
        Assert.Equal(7, await EvaluateAsync(new Expression(Expression.JavaScript, "3 + 4"), typeof(int)));
        Assert.Equal("3", await EvaluateAsync(new Expression(Expression.JavaScript, "1 + 2"), typeof(string)));
    }

    [Fact]
    public async Task Liquid_renders_text()
    {
        var scope = new FakeScope().Declare("name", "Ada");

        Assert.Equal("Hi Ada", await EvaluateAsync(new Expression(Expression.Liquid, "Hi {{ Variables.name }}"), typeof(string), scope));
    }

    [Fact]
    public async Task Variable_expression_reads_the_variable_by_name_id_or_reference_object()
    {
        var scope = new FakeScope().Declare("limit", 10);

        Assert.Equal(10, await EvaluateAsync(new Expression(Expression.Variable, "limit"), typeof(int), scope));
        Assert.Equal(10, await EvaluateAsync(new Expression(Expression.Variable, "v-limit"), typeof(int), scope));
        Assert.Equal(10, await EvaluateAsync(new Expression(Expression.Variable, JsonNode.Parse("""{"id": "v-limit", "name": "limit"}""")), typeof(int), scope));
    }

    [Fact]
    public async Task Variable_expression_to_an_undeclared_variable_is_an_expression_error()
    {
        var error = await Assert.ThrowsAsync<ExpressionException>(() => EvaluateAsync(new Expression(Expression.Variable, "ghost"), typeof(int)));

        Assert.Equal("The workflow has no variable 'ghost'.", error.Message);
    }

    [Fact]
    public async Task CSharp_expression_is_refused_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<ExpressionException>(() => EvaluateAsync(new Expression("CSharp", "1 + 1"), typeof(int)));

        Assert.Equal("C# is refused: Manyi cannot run C# in a sandbox, and outside one it could do anything the server can; write it in JavaScript or Liquid", error.Message);
    }

    [Fact]
    public void ToJson_writes_a_TimeSpan_the_way_a_literal_reads_it()
    {
        var json = ValueConverter.ToJson(TimeSpan.FromMinutes(90));

        Assert.Equal("01:30:00", json!.GetValue<string>());
        Assert.Equal(TimeSpan.FromMinutes(90), ValueConverter.Convert<TimeSpan>(json));
    }
}
