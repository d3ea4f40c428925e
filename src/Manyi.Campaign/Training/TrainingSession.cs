using System.Globalization;
using System.Text.Json.Nodes;

namespace Manyi.Campaign.Training;

/// <summary>
/// One session of the CACE course (培训班期次) as the year's settings give it under <c>training.sessions</c>: its id, its
/// name in Chinese and English, the place, check-in, the days of the course and how many trainees it seats. The notice
/// (通企〔2025〕90号) announces two sessions between April and July and details the first; the facts every session shares
/// (fee, payment, invoice, accommodation, contact) stay under <c>training</c>.
/// </summary>
public sealed record TrainingSession(
    string Id, string Zh, string En, string Location, DateTimeOffset CheckIn, DateTimeOffset CheckInEnd, DateTimeOffset Start, DateTimeOffset End,
    int Capacity)
{
    /// <summary>The sessions of the settings (<c>campaign</c>), in the order given; a session that is not well formed is an error naming it.</summary>
    public static IReadOnlyList<TrainingSession> AllIn(JsonNode? campaign)
    {
        if (campaign?["training"]?["sessions"] is not JsonArray sessions || sessions.Count == 0)
            throw new FormatException("The year's settings have no training session (training.sessions).");
        var read = sessions.Select((s, i) => Read(s as JsonObject, i)).ToList();
        foreach (var duplicate in read.GroupBy(s => s.Id).Where(g => g.Count() > 1))
            throw new FormatException($"training.sessions: the id '{duplicate.Key}' is given twice.");
        return read;
    }

    /// <summary>The session of this id in the settings, or null.</summary>
    public static TrainingSession? Find(JsonNode? campaign, string? id) => AllIn(campaign).FirstOrDefault(s => s.Id == id);

    /// <summary>The session as the workflow's texts read it (<c>Variables.session</c>): the settings' own object.</summary>
    public static JsonObject? JsonIn(JsonNode? campaign, string id) =>
        (campaign?["training"]?["sessions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => (string?)s["id"] == id)?.DeepClone() as JsonObject;

    private static TrainingSession Read(JsonObject? session, int index)
    {
        var where = $"training.sessions[{index}]";
        if (session is null) throw new FormatException($"{where} is not an object.");
        string Text(string key) => session[key] is JsonValue v && v.TryGetValue<string>(out var t) && !string.IsNullOrWhiteSpace(t)
            ? t.Trim() : throw new FormatException($"{where}.{key} is required.");
        DateTimeOffset Instant(string key) =>
            DateTimeOffset.TryParse(Text(key), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? at : throw new FormatException($"{where}.{key} is not an instant with its offset, e.g. 2025-05-14T08:30:00+08:00.");
        var capacity = session["capacity"] is JsonValue c && c.TryGetValue<int>(out var seats) && seats > 0
            ? seats : throw new FormatException($"{where}.capacity must be a whole number of seats, at least 1.");
        var name = session["name"] as JsonObject ?? throw new FormatException($"{where}.name needs zh and en.");
        var zh = (string?)name["zh"] ?? throw new FormatException($"{where}.name.zh is required.");
        var en = (string?)name["en"] ?? throw new FormatException($"{where}.name.en is required.");
        var start = Instant("start");
        var end = Instant("end");
        if (end <= start) throw new FormatException($"{where}: the end comes before the start.");
        return new TrainingSession(Text("id"), zh, en, Text("location"), Instant("checkIn"), Instant("checkInEnd"), start, end, capacity);
    }
}
