using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Forms;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// What the scenario's people answer on a task's form, as a participant, the secretariat or a reviewer would: the values
/// the year's settings call for where a field needs one (an index above the minimum, a survey after the earliest date,
/// the notice's number), a plain valid value for any other field from its type, and an uploaded file (a row without
/// content) for each file field. The answer still goes through the form's own validation before the task is completed.
/// </summary>
public sealed class RehearsalAnswers(JsonObject settings)
{
    private static readonly string[] Ratings = ["AAA", "AA", "A"];

    /// <summary>The outcome of a check that sends a package back to its organization.</summary>
    public const string Returned = "Returned";

    /// <summary>The outcome chosen: the task's first, or Returned with its first missing item for a package returned.</summary>
    public static string Outcome(IReadOnlyList<string> outcomes, bool returning) =>
        returning && outcomes.Contains(Returned) ? Returned : outcomes.FirstOrDefault(o => o != Returned) ?? outcomes[0];

    /// <summary>The form's data; <paramref name="fileFor"/> stores an upload for a file field and returns its id.</summary>
    public JsonObject Data(FormDefinition form, string outcome, int position, Func<FormField, string> fileFor)
    {
        var data = new JsonObject();
        foreach (var field in form.Fields)
        {
            var required = field.Required || field.RequiredFor.Contains(outcome);
            if (Known(field, outcome, position) is { } known) data[field.Name] = known;
            else if (field.Type == FormFieldType.File)
            {
                if (required) data[field.Name] = field.Multiple ? new JsonArray(fileFor(field)) : fileFor(field);
            }
            else if (required || field.Type is FormFieldType.Number or FormFieldType.Table) data[field.Name] = Plain(field, position);
        }
        return data;
    }

    /// <summary>Values that the settings or the stage's meaning decide; null for a field answered from its type.</summary>
    private JsonNode? Known(FormField field, string outcome, int position) => field.Name switch
    {
        "documentNumber" => settings["notice"]?.DeepClone() ?? "演练",
        "index" => Math.Min(field.Max ?? 100m, (settings["minimumIndex"]?.GetValue<decimal>() ?? 80m) + 5m + position % 10),
        "periodStart" => SurveyStart().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "periodEnd" => SurveyStart().AddMonths(5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "rating" => Ratings[position % Ratings.Length],
        "missing" when field.Type == FormFieldType.Choice =>
            outcome == Returned && field.Options.Count > 0 ? new JsonArray(field.Options[0].Value) : new JsonArray(),
        "holders" when field.Type == FormFieldType.Table => new JsonArray(new JsonObject
        {
            ["name"] = "演练学员", ["passed"] = true, ["number"] = $"REHEARSAL-{position + 1}",
        }),
        _ => null,
    };

    /// <summary>The earliest survey start the settings allow (<c>surveyNotBefore</c>), else October of the year before.</summary>
    private DateOnly SurveyStart() =>
        settings["surveyNotBefore"] is JsonValue value && DateOnly.TryParseExact(value.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : new DateOnly((settings["year"]?.GetValue<int>() ?? DateTime.UtcNow.Year) - 1, 10, 1);

    /// <summary>A valid value of the field's type: two of a number or table (as two trainees), the first option, true, a short text.</summary>
    private static JsonNode Plain(FormField field, int position) => field.Type switch
    {
        FormFieldType.Number => Math.Clamp(2m, field.Min ?? 2m, field.Max ?? 2m),
        FormFieldType.Date => (field.MinDate ?? new DateOnly(2025, 1, 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        FormFieldType.Choice when field.Options.Count > 0 => field.Multiple ? new JsonArray(field.Options[0].Value) : field.Options[0].Value,
        FormFieldType.Checkbox => true,
        FormFieldType.Table => new JsonArray([.. Enumerable.Range(1, Math.Clamp(2, field.MinRows ?? 0, field.MaxRows ?? 2))
            .Select(row => (JsonNode)new JsonObject(field.Columns.Where(c => c.Required || c.Type != FormFieldType.File)
                .Select(c => KeyValuePair.Create(c.Name, (JsonNode?)Plain(c, position)))))]),
        _ => Text(field),
    };

    private static string Text(FormField field)
    {
        const string text = "演练";
        return field.MaxLength < text.Length ? text[..field.MaxLength] : text;
    }
}
