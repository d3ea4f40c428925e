using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid;
using Fluid.Utils;

namespace Manyi.Engine.Expressions;

/// <summary>
/// Renders Liquid templates (Fluid) against the instance: <c>{{ Variables.x }}</c>, <c>{{ Input.x }}</c>,
/// <c>{{ Outputs.Report.Organizations.open }}</c>, <c>{{ CorrelationId }}</c>, with the date filters of <see cref="LiquidFilters"/> in the calendar's time zone.
/// </summary>
public sealed class LiquidEvaluator
{
    private static readonly FluidParser Parser = new();
    private readonly TemplateOptions _options = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _templates = new();
    private readonly ScriptLimits _limits;

    public LiquidEvaluator() : this(TimeZoneInfo.FindSystemTimeZoneById(Calendar.BusinessCalendar.DefaultTimeZone), new ScriptLimits())
    {
    }

    public LiquidEvaluator(Calendar.BusinessCalendar calendar, ScriptLimits limits) : this(calendar.TimeZone, limits)
    {
    }

    private LiquidEvaluator(TimeZoneInfo zone, ScriptLimits limits)
    {
        _limits = limits;
        // Fluid counts no steps unless told: nested loops of a bad template would run for hours.
        _options.MaxSteps = limits.LiquidMaxSteps;
        _options.MaxRecursion = limits.RecursionDepth;
        LiquidFilters.Register(_options.Filters, zone);
    }

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
        // Copied out only for a template that reads them: a task's results for every organization are not small.
        if (source.Contains("Outputs", StringComparison.Ordinal)) context.SetValue("Outputs", Outputs(scope));
        await using var output = new BoundedWriter(_limits.MaxResultLength);
        try
        {
            await template.RenderAsync(output, NullEncoder.Default, context);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("The maximum", StringComparison.Ordinal))
        {
            // Fluid's step and recursion limits.
            throw new ExpressionException($"Liquid stopped: {ex.Message} The limit is {_limits.LiquidMaxSteps:N0} steps.", ex);
        }
        return output.ToString();
    }

    /// <summary>
    /// <c>Outputs.{Activity}.{Output}</c>: what the named activities in scope have produced, by the same names as
    /// JavaScript's <c>get{Output}From{Activity}()</c> reads them.
    /// </summary>
    private static Dictionary<string, Dictionary<string, object?>> Outputs(IExpressionScope scope) =>
        scope.ProducedOutputs.GroupBy(p => p.Activity, p => p.Output)
            .ToDictionary(g => g.Key, g => g.Distinct().ToDictionary(output => output, output => ToPlain(scope.GetOutputFrom(g.Key, output))));

    /// <summary>Refuses to grow past the result limit, so that a template's output never has to be held whole first.</summary>
    private sealed class BoundedWriter(int limit) : StringWriter(CultureInfo.InvariantCulture)
    {
        private void Room(int more)
        {
            if ((long)GetStringBuilder().Length + more > limit)
                throw new ExpressionException($"Liquid stopped: the text would pass {limit:N0} characters. " +
                                              JavaScriptEvaluator.TooLong((long)GetStringBuilder().Length + more, limit));
        }

        public override void Write(char value) { Room(1); base.Write(value); }
        public override void Write(char[] buffer, int index, int count) { Room(count); base.Write(buffer, index, count); }
        public override void Write(ReadOnlySpan<char> buffer) { Room(buffer.Length); base.Write(buffer); }
        public override void Write(string? value) { Room(value?.Length ?? 0); base.Write(value); }
        public override Task WriteAsync(char value) { Room(1); return base.WriteAsync(value); }
        public override Task WriteAsync(string? value) { Room(value?.Length ?? 0); return base.WriteAsync(value); }
        public override Task WriteAsync(char[] buffer, int index, int count) { Room(count); return base.WriteAsync(buffer, index, count); }
        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) { Room(buffer.Length); return base.WriteAsync(buffer, cancellationToken); }
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
