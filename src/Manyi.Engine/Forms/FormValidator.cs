using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Manyi.Engine.Forms;

/// <summary>
/// Checks a completion's data against the task's form on the server, whatever the browser already checked, and
/// normalizes it for the workflow: numbers as numbers, dates as <c>yyyy-MM-dd</c>, files as their ids.
/// </summary>
public static class FormValidator
{
    /// <summary>
    /// Every problem is reported at once, keyed by field name (<c>trainees[2].name</c> for a table cell), so that
    /// a participant fixes the whole form in one go. Keys the form does not know are refused, not dropped: they are
    /// a client bug or a form changed under the participant. When valid, <see cref="FormValidationResult.Values"/>
    /// has every field: a missing optional one is null, or false (checkbox), or [] (table, multiple choice or file).
    /// With <paramref name="outcome"/>, the fields whose <see cref="FormField.RequiredFor"/> lists it are required
    /// too. The form's <see cref="FormDefinition.Rules"/> are checked last, on fields that are valid by themselves.
    /// </summary>
    public static FormValidationResult Validate(FormDefinition form, JsonObject? data, IReadOnlyDictionary<string, FormFile> uploadedFiles, string? outcome = null)
    {
        if (InvalidUtf8(data, "") is { } where)
            return new FormValidationResult(new Dictionary<string, string[]> { [where.Length == 0 ? "data" : where] = [FormMessages.NotUtf8] }, []);
        var run = new Run(uploadedFiles, outcome);
        var values = run.Fields(form.Fields, data, prefix: "");
        foreach (var rule in form.Rules) run.Rule(rule, form.Fields, values);
        return new FormValidationResult(run.Errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal), values);
    }

    private sealed class Run(IReadOnlyDictionary<string, FormFile> files, string? outcome)
    {
        public void Rule(FormRule rule, IReadOnlyList<FormField> fields, JsonObject values)
        {
            // A field already refused has its own message; an empty optional one leaves nothing to compare.
            if (rule.Fields.Any(name => Errors.ContainsKey(name) || !values.ContainsKey(name))) return;
            var left = Operand(rule.Left, values);
            var right = Operand(rule.Right, values);
            if (left is null || right is null) return;
            var holds = FormRule.Holds(left, rule.Op, right);
            if (holds == true) return;
            var message = holds is null ? FormMessages.RuleBroken : FormMessages.RuleFailed(rule, fields);
            foreach (var name in rule.Fields) Error(name, message);
        }

        private static JsonNode? Operand(FormOperand operand, JsonObject values) => operand.Kind switch
        {
            FormOperandKind.Field => values[operand.Name!],
            FormOperandKind.Rows => values[operand.Name!] is JsonArray rows ? JsonValue.Create(rows.Count) : null,
            FormOperandKind.Value => operand.Value,
            _ => JsonValue.Create("unresolved input"), // a task opens with its inputs resolved; Holds reports it broken
        };

        private int _errorCount;

        public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

        public JsonObject Fields(IReadOnlyList<FormField> fields, JsonObject? data, string prefix)
        {
            foreach (var (key, _) in data ?? [])
                if (!fields.Any(f => f.Name == key))
                    Error(prefix + key, FormMessages.UnknownField);
            var values = new JsonObject();
            foreach (var field in fields)
            {
                var errorsBefore = _errorCount;
                // Ticked as posted: the checkbox's own errors are its own, the field beside it is asked for either way.
                var ticking = field.RequiredWhen is { } when && data?[when] is JsonValue ticked && ticked.GetValueKind() == JsonValueKind.True
                    ? fields.FirstOrDefault(f => f.Name == when)
                    : null;
                var value = Field(field, data?[field.Name], prefix + field.Name, ticking);
                if (_errorCount == errorsBefore) values[field.Name] = value;
            }
            return values;
        }

        private JsonNode? Field(FormField field, JsonNode? node, string key, FormField? tickedBeside = null)
        {
            var unticked = field.Type == FormFieldType.Checkbox && node is JsonValue v && v.GetValueKind() == JsonValueKind.False;
            if (IsEmpty(node) || unticked)
            {
                if (field.Required || (outcome is not null && field.RequiredFor.Contains(outcome)))
                    return Fail(key, field.Type switch
                    {
                        FormFieldType.Checkbox => FormMessages.MustTick,
                        FormFieldType.File => FormMessages.FileRequired(field),
                        _ => FormMessages.Required,
                    });
                if (tickedBeside is not null) return Fail(key, FormMessages.RequiredWhenTicked(tickedBeside));
                if (field is { Type: FormFieldType.Table, MinRows: > 0 and var minRows })
                    return Fail(key, FormMessages.TooFewRows(minRows));
                return field switch
                {
                    { Type: FormFieldType.Checkbox } => false,
                    { Type: FormFieldType.Table } or { Type: FormFieldType.Choice or FormFieldType.File, Multiple: true } => new JsonArray(),
                    _ => null,
                };
            }
            return field.Type switch
            {
                FormFieldType.Text => Text(field, node!, key),
                FormFieldType.Number => Number(field, node!, key),
                FormFieldType.Date => Date(field, node!, key),
                FormFieldType.Choice => Choice(field, node!, key),
                FormFieldType.Checkbox => node is JsonValue { } b && b.GetValueKind() == JsonValueKind.True ? true : Fail(key, FormMessages.NotBoolean),
                FormFieldType.File => Files(field, node!, key),
                FormFieldType.Table => Table(field, node!, key),
                _ => throw new ArgumentOutOfRangeException(nameof(field), field.Type, $"Field '{field.Name}' has an unknown type; check the form's Problems() at save time."),
            };
        }

        private JsonNode? Text(FormField field, JsonNode node, string key)
        {
            var text = AsString(node)?.Trim() ?? (Kind(node) == JsonValueKind.Number ? node.ToJsonString() : null);
            if (text is null) return Fail(key, FormMessages.NotText);
            if (text.EnumerateRunes().Count() > field.MaxLength) return Fail(key, FormMessages.TooLong(field.MaxLength));
            if (field.Pattern is { } pattern)
                switch (FormPattern.Matches(text, pattern))
                {
                    case FormPattern.Result.NoMatch: return Fail(key, FormMessages.PatternMismatch(pattern));
                    case FormPattern.Result.TimedOut: return Fail(key, FormMessages.PatternTimeout);
                    case FormPattern.Result.Broken: return Fail(key, FormMessages.PatternBroken);
                }
            return text;
        }

        private JsonNode? Number(FormField field, JsonNode node, string key)
        {
            var text = Kind(node) == JsonValueKind.Number ? node.ToJsonString() : AsString(node)?.Trim();
            if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return Fail(key, FormMessages.NotNumber);
            if (field.Integer && number != decimal.Truncate(number)) return Fail(key, FormMessages.NotInteger);
            if (number < field.Min) return Fail(key, FormMessages.AtLeast(field.Min.Value));
            if (number > field.Max) return Fail(key, FormMessages.AtMost(field.Max.Value));
            return JsonValue.Create(Normalized(number));
        }

        private JsonNode? Date(FormField field, JsonNode node, string key)
        {
            if (!DateOnly.TryParseExact(AsString(node)?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return Fail(key, FormMessages.NotDate);
            if (date < field.MinDate) return Fail(key, FormMessages.NotBefore(field.MinDate.Value));
            if (date > field.MaxDate) return Fail(key, FormMessages.NotAfter(field.MaxDate.Value));
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        private JsonNode? Choice(FormField field, JsonNode node, string key)
        {
            if (!field.Multiple) return Option(field, node, key);
            if (node is not JsonArray items) return Fail(key, FormMessages.NotList);
            var chosen = items.Select(item => Option(field, item, key)).ToList();
            return new JsonArray(chosen.OfType<JsonValue>().DistinctBy(v => v.GetValue<string>()).ToArray<JsonNode>());
        }

        /// <summary>Option values are strings; a number is read as its text, since a UI may post "3" as 3.</summary>
        private JsonValue? Option(FormField field, JsonNode? node, string key)
        {
            var value = AsString(node) ?? (Kind(node) == JsonValueKind.Number ? node!.ToJsonString() : null);
            if (value is not null && field.Options.Any(o => o.Value == value)) return JsonValue.Create(value);
            Fail(key, FormMessages.NotAnOption(value ?? node?.ToJsonString() ?? "null", field.Options));
            return null;
        }

        private JsonNode? Files(FormField field, JsonNode node, string key)
        {
            if (!field.Multiple) return File(field, node, key);
            if (node is not JsonArray items) return Fail(key, FormMessages.NotList);
            var ids = items.Select(item => File(field, item, key)).ToList();
            return new JsonArray(ids.OfType<JsonValue>().DistinctBy(v => v.GetValue<string>()).ToArray<JsonNode>());
        }

        private JsonValue? File(FormField field, JsonNode? node, string key)
        {
            if (AsString(node) is not { Length: > 0 } id) return Fail(key, FormMessages.NotFileId);
            if (!files.TryGetValue(id, out var file)) return Fail(key, FormMessages.UnknownFile(id));
            if (field.AllowedTypes.Count > 0 && !field.AllowedTypes.Contains(file.ContentType, StringComparer.OrdinalIgnoreCase))
                return Fail(key, FormMessages.FileType(file.ContentType, field.AllowedTypes));
            if (file.Size > field.MaxBytes) return Fail(key, FormMessages.FileTooLarge(file.FileName, field.MaxBytes));
            return JsonValue.Create(id);
        }

        private JsonNode? Table(FormField field, JsonNode node, string key)
        {
            if (node is not JsonArray rows) return Fail(key, FormMessages.NotList);
            if (rows.Count < field.MinRows) Fail(key, FormMessages.TooFewRows(field.MinRows.Value));
            if (rows.Count > field.MaxRows) Fail(key, FormMessages.TooManyRows(field.MaxRows.Value));
            var values = new JsonArray();
            for (var i = 0; i < rows.Count; i++)
                values.Add(rows[i] is JsonObject row ? Fields(field.Columns, row, $"{key}[{i}].") : Fail($"{key}[{i}]", FormMessages.NotRow));
            return values;
        }

        private JsonValue? Fail(string key, string message)
        {
            Error(key, message);
            return null;
        }

        private void Error(string key, string message)
        {
            if (!Errors.TryGetValue(key, out var messages)) Errors[key] = messages = [];
            if (messages.Contains(message)) return;
            messages.Add(message);
            _errorCount++;
        }
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonValue when AsString(node) is { } text => string.IsNullOrWhiteSpace(text),
        _ => false,
    };

    /// <summary>
    /// Where the data holds a key or a text that is not valid UTF-8 (a table cell as <c>trainees[0].name</c>, a key as
    /// the object holding it), or null. System.Text.Json keeps a request's raw bytes and checks them only when a string
    /// is read, which would otherwise fail half-way through the form.
    /// </summary>
    private static string? InvalidUtf8(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                List<KeyValuePair<string, JsonNode?>> properties;
                try { properties = [.. o]; }
                catch (InvalidOperationException) { return path; }
                foreach (var (key, value) in properties)
                    if (InvalidUtf8(value, path.Length == 0 ? key : $"{path}.{key}") is { } inner) return inner;
                return null;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (InvalidUtf8(a[i], $"{path}[{i}]") is { } inner) return inner;
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                try { v.GetValue<string>(); }
                catch (InvalidOperationException) { return path; }
                return null;
            default:
                return null;
        }
    }

    private static JsonValueKind? Kind(JsonNode? node) => (node as JsonValue)?.GetValueKind();

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.TryGetValue<string>(out var text) ? text : value.Deserialize<string>()
            : null;

    /// <summary>Drops trailing zeros (12.50 → 12.5) so that equal numbers are stored alike.</summary>
    private static decimal Normalized(decimal number) => number / 1.000000000000000000000000000000000m;
}

/// <summary>The outcome of <see cref="FormValidator.Validate"/>: messages per field, and the normalized values.</summary>
public sealed record FormValidationResult(IReadOnlyDictionary<string, string[]> Errors, JsonObject Values)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// A designer's regular expression, matched against the whole value as HTML's <c>pattern</c> is. It runs on
/// participants' input, so each match has a time limit against catastrophic backtracking.
/// </summary>
internal static class FormPattern
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    public enum Result
    {
        Match,
        NoMatch,
        TimedOut,
        Broken,
    }

    public static Result Matches(string input, string pattern)
    {
        try
        {
            return Regex.IsMatch(input, Anchored(pattern), RegexOptions.CultureInvariant, Timeout) ? Result.Match : Result.NoMatch;
        }
        catch (RegexMatchTimeoutException)
        {
            return Result.TimedOut;
        }
        catch (ArgumentException)
        {
            return Result.Broken;
        }
    }

    /// <summary>Why the pattern does not compile, or null when it does.</summary>
    public static string? Problem(string pattern)
    {
        try
        {
            _ = new Regex(Anchored(pattern), RegexOptions.CultureInvariant, Timeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static string Anchored(string pattern) => $"^(?:{pattern})\\z";
}
