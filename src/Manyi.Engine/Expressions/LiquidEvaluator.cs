using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid;

namespace Manyi.Engine.Expressions;

/// <summary>
/// Renders Liquid templates (Fluid) against the instance: <c>{{ Variables.x }}</c>, <c>{{ Input.x }}</c>,
/// <c>{{ CorrelationId }}</c>, with the date filters of <see cref="LiquidFilters"/> in the calendar's time zone.
/// </summary>
public sealed class LiquidEvaluator
{
    private static readonly FluidParser Parser = new();
    private readonly TemplateOptions _options = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _templates = new();

    public LiquidEvaluator() : this(TimeZoneInfo.FindSystemTimeZoneById(Calendar.BusinessCalendar.DefaultTimeZone))
    {
    }

    public LiquidEvaluator(Calendar.BusinessCalendar calendar) : this(calendar.TimeZone)
    {
    }

    private LiquidEvaluator(TimeZoneInfo zone) => LiquidFilters.Register(_options.Filters, zone);

    public string? Check(string source) => Parser.TryParse(source, out _, out var error) ? null : error;

    public async ValueTask<string> RenderAsync(string source, IExpressionScope scope)
    {
        var template = _templates.GetOrAdd(source, static s =>
            Parser.TryParse(s, out var parsed, out var error) ? parsed : throw new ExpressionException($"Liquid does not parse: {error}"));
        var context = new TemplateContext(_options);
        var variables = scope.VariableDefinitions.ToDictionary(v => v.Name, v => ToPlain(scope.GetVariable(v.Name)));
        context.SetValue("Variables", variables);
        context.SetValue("Input", scope.Input.ToDictionary(p => p.Key, p => ToPlain(p.Value)));
        context.SetValue("CorrelationId", scope.CorrelationId);
        context.SetValue("WorkflowInstanceId", scope.WorkflowInstanceId);
        context.SetValue("WorkflowDefinitionId", scope.WorkflowDefinitionId);
        return await template.RenderAsync(context);
    }

    /// <summary>JSON to dictionaries, lists and primitives, which Fluid understands without member-access registration.</summary>
    public static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => ToNumber(v.ToJsonString()),
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    // Read from the JSON text: a value built in code (JsonValue.Create(3)) only converts to its own CLR type.
    private static object ToNumber(string json) =>
        long.TryParse(json, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole
        : decimal.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? exact
        : double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
}
