using System.Text.Json;
using Manyi.Persistence.Records;

namespace Manyi.Email.Channels;

/// <summary>A channel's stored lists read once: what it serves and whom it mentions.</summary>
public sealed record Channel(long Id, ChannelKind Kind, string Name, IReadOnlyList<string> Organizations, IReadOnlyList<string> Roles,
    IReadOnlyList<string> MessageKinds, IReadOnlyList<string> Mobiles, bool Enabled)
{
    public static Channel From(NotificationChannelRecord record) => new(record.Id, ChannelKind.Find(record.Kind) ?? ChannelKind.WeCom, record.Name,
        List(record.Organizations), List(record.Roles), List(record.MessageKinds), List(record.Mobiles), record.Enabled);

    /// <summary>Serves a kind of message about an organization (any, when it lists none) for a role (any, when it lists none).</summary>
    public bool Serves(string kind, string? organizationId, string? role) =>
        Enabled && MessageKinds.Contains(kind, StringComparer.Ordinal)
        && (Organizations.Count == 0 || (organizationId is not null && Organizations.Contains(organizationId, StringComparer.Ordinal)))
        && (Roles.Count == 0 || (role is not null && Roles.Contains(role, StringComparer.Ordinal)));

    public static string Json(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());

    public static IReadOnlyList<string> List(string? json) =>
        string.IsNullOrWhiteSpace(json) ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];
}
