using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// An instant in a request body must carry its offset (<c>2025-05-01T18:00:00+08:00</c> or <c>…Z</c>): without one,
/// System.Text.Json would read it in the server's zone, silently eight hours off for Beijing.
/// </summary>
public sealed class InstantJson : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is not null && HasOffset(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            return instant;
        throw new JsonException($"应为带时区的时刻，例如 2025-05-01T18:00:00+08:00。Must be an instant with its offset, e.g. 2025-05-01T18:00:00+08:00 (got {(text is null ? reader.TokenType.ToString() : $"'{text}'")}).");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>Ends with Z, or has a sign after the date part (±hh:mm).</summary>
    public static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.IndexOf('T') is > 0 and var t && text.AsSpan(t).IndexOfAny('+', '-') > 0);
}

/// <summary>
/// The same rule for instants in the query string (<c>?dueAfter=…</c>), which the framework's binding would read in the
/// server's zone: a parameter of type <see cref="DateTimeOffset"/> without an offset is a 400 naming the parameter.
/// </summary>
public static class InstantQuery
{
    public static TBuilder RequireInstantOffsets<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var names = InstantParameters(factory.MethodInfo.GetParameters()).ToList();
            if (names.Count == 0) return next;
            return async context =>
            {
                var query = context.HttpContext.Request.Query;
                var errors = new Dictionary<string, string[]>();
                foreach (var name in names)
                    if (query.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } text && !InstantJson.HasOffset(text))
                        errors[name] = [$"{name} 应为带时区的时刻，例如 2025-05-01T18:00:00+08:00。{name} must be an instant with its offset, e.g. 2025-05-01T18:00:00+08:00 (got '{text}')."];
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(context);
            };
        });

    /// <summary>The query names of the instant parameters, those of an <c>[AsParameters]</c> bundle's constructor included.</summary>
    private static IEnumerable<string> InstantParameters(IEnumerable<ParameterInfo> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                var constructor = parameter.ParameterType.GetConstructors().MaxBy(c => c.GetParameters().Length);
                foreach (var name in InstantParameters(constructor?.GetParameters() ?? [])) yield return name;
            }
            else if ((Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType) == typeof(DateTimeOffset)
                     && (parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name) is { } name)
                yield return name;
        }
    }
}
