using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

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
    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.IndexOf('T') is > 0 and var t && text.AsSpan(t).IndexOfAny('+', '-') > 0);
}
