using System.Text.Json.Nodes;

namespace Manyi.Engine.Tasks;

/// <summary>
/// A choice of organizations kept as the choice, not as the ids it meant when it was made: every organization of the
/// list, or those of an operator, of a city, or of both. The engine resolves it through
/// <see cref="IOrganizationCatalogue"/> each time an activity reads it, so an organization added to the list after the
/// workflow was published is included. Stored as the value of an <c>Organizations</c> expression:
/// <c>{"all": true}</c>, <c>{"operator": "移动"}</c>, <c>{"city": "郑州"}</c> or <c>{"operator": …, "city": …}</c>.
/// Organizations chosen one by one stay a plain list of ids (a literal), as Elsa files have them.
/// </summary>
public sealed record OrganizationSelection(string? Operator, string? City)
{
    public static readonly OrganizationSelection All = new(null, null);

    public bool IsAll => Operator is null && City is null;

    /// <summary>The selection a JSON value states, or the problem with it (for the validator: names what is wrong).</summary>
    public static OrganizationSelection? Parse(JsonNode? value, out string? problem)
    {
        problem = null;
        if (value is JsonValue text && text.TryGetValue<string>(out var json))
        {
            try
            {
                value = JsonNode.Parse(json);
            }
            catch (System.Text.Json.JsonException)
            {
                problem = "the choice of organizations is not JSON; write {\"all\": true}, {\"operator\": \"移动\"} or {\"city\": \"郑州\"}";
                return null;
            }
        }
        if (value is not JsonObject choice)
        {
            problem = "the choice of organizations must be an object: {\"all\": true}, {\"operator\": \"移动\"} or {\"city\": \"郑州\"}";
            return null;
        }
        if (choice.Select(p => p.Key).FirstOrDefault(k => k is not ("all" or "operator" or "city")) is { } unknown)
        {
            problem = $"the choice of organizations has '{unknown}', which is not one of all, operator, city";
            return null;
        }
        var @operator = Text(choice["operator"]);
        var city = Text(choice["city"]);
        var all = choice["all"] is JsonValue flag && flag.TryGetValue<bool>(out var b) && b;
        if (@operator is null && city is null && !all)
        {
            problem = "the choice of organizations names neither all, an operator nor a city";
            return null;
        }
        return new OrganizationSelection(@operator, city);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (IsAll) json["all"] = true;
        if (Operator is not null) json["operator"] = Operator;
        if (City is not null) json["city"] = City;
        return json;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}

/// <summary>
/// The list of organizations as the host keeps it (the campaign's catalogue of participating units): what an
/// <see cref="OrganizationSelection"/> means now. The engine knows no organizations itself; without a catalogue an
/// activity that reads a selection fails naming why.
/// </summary>
public interface IOrganizationCatalogue
{
    /// <summary>The ids of the organizations the selection means now, in the list's order.</summary>
    Task<IReadOnlyList<string>> ResolveAsync(OrganizationSelection selection, CancellationToken cancellationToken);
}
