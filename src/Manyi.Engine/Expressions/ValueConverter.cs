using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Expressions;

/// <summary>Converts between the JSON that variables and files hold and the CLR types activities ask for.</summary>
public static class ValueConverter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), Options),
    };

    public static T? Convert<T>(object? value) => (T?)Convert(value, typeof(T));

    public static object? Convert(object? value, Type target)
    {
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (value is null) return target.IsValueType && Nullable.GetUnderlyingType(target) is null ? Activator.CreateInstance(target) : null;
        if (underlying.IsInstanceOfType(value) && value is not JsonNode) return value;
        if (underlying == typeof(JsonNode)) return ToJson(value);

        if (value is JsonNode node)
        {
            if (node is JsonValue jsonValue && jsonValue.TryGetValue<string>(out var text))
                return FromString(text, underlying);
            if (underlying == typeof(object))
                return node.DeepClone();
            if (underlying == typeof(string))
                return node.ToJsonString();
            try
            {
                return node.Deserialize(underlying, Options);
            }
            catch (JsonException ex)
            {
                throw new InvalidCastException($"Cannot read {node.ToJsonString()} as {underlying.Name}: {ex.Message}", ex);
            }
        }
        if (value is string s) return FromString(s, underlying);
        if (underlying == typeof(string)) return System.Convert.ToString(value, CultureInfo.InvariantCulture);
        if (underlying == typeof(bool) && value is double d) return d != 0;
        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(underlying))
            return System.Convert.ChangeType(value, underlying, CultureInfo.InvariantCulture);
        return Convert(ToJson(value), target);
    }

    private static object? FromString(string text, Type target)
    {
        if (target == typeof(string) || target == typeof(object)) return text;
        try
        {
            if (target == typeof(bool)) return text.Length == 0 ? false : bool.Parse(text);
            if (target == typeof(int)) return text.Length == 0 ? 0 : int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (target == typeof(long)) return text.Length == 0 ? 0L : long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (target == typeof(double)) return text.Length == 0 ? 0d : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (target == typeof(decimal)) return text.Length == 0 ? 0m : decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (target == typeof(TimeSpan)) return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
            if (target == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (target == typeof(DateTime)) return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            if (target.IsEnum) return Enum.Parse(target, text, ignoreCase: true);
            if (target == typeof(JsonNode)) return JsonValue.Create(text);
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
                return JsonSerializer.Deserialize(text, target, Options);
            if (target == typeof(string[]))
                return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or JsonException or ArgumentException)
        {
            throw new InvalidCastException($"'{text}' is not a valid {TypeName(target)}.", ex);
        }
        throw new InvalidCastException($"'{text}' cannot be read as {TypeName(target)}.");
    }

    private static string TypeName(Type type) => Activities.TypeNames.Of(type);
}
