using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Manyi.Engine.Forms;

/// <summary>
/// A form's JSON, camelCase as designers write it. Reading is strict about shape: an unknown or misspelt property, or
/// one that does not apply to the field's type, is an error naming the field, so that a typo such as "requried" never
/// silently drops a rule. Whether the values make sense is <see cref="FormDefinition.Problems"/>' business.
/// </summary>
internal static class FormJson
{
    private static readonly string[] Common = ["name", "label", "labelEn", "type", "required", "requiredFor", "requiredWhen", "description"];

    private static readonly Dictionary<FormFieldType, string[]> Specific = new()
    {
        [FormFieldType.Text] = ["maxLength", "pattern"],
        [FormFieldType.Number] = ["min", "max", "integer"],
        [FormFieldType.Date] = ["min", "max"],
        [FormFieldType.Choice] = ["options", "multiple"],
        [FormFieldType.Checkbox] = [],
        [FormFieldType.File] = ["allowedTypes", "maxBytes", "multiple"],
        [FormFieldType.Table] = ["columns", "minRows", "maxRows"],
    };

    public static string TypeName(FormFieldType type) => JsonNamingPolicy.CamelCase.ConvertName(type.ToString());

    /// <summary>The JSON keys a field of the type may have.</summary>
    public static IReadOnlyList<string> KeysOf(FormFieldType type) => [.. Common, .. Specific[type]];

    public static IReadOnlyList<FormField> ReadFields(JsonNode? node, string path) => node switch
    {
        null => [],
        JsonArray array => array.Select((field, i) => ReadField(field, $"{path}[{i}]")).ToList(),
        _ => throw new FormatException($"{path} must be an array of fields"),
    };

    private static FormField ReadField(JsonNode? node, string path)
    {
        if (node is not JsonObject json) throw new FormatException($"{path} must be an object");
        if (json["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String) path += $" '{name.GetValue<string>()}'";
        var read = new Reader(json, path);
        var type = read.Type();
        foreach (var (key, _) in json)
            if (!Common.Contains(key) && !Specific[type].Contains(key))
                throw new FormatException(Specific.Values.Any(keys => keys.Contains(key))
                    ? $"{path}: '{key}' does not apply to a {TypeName(type)} field"
                    : $"{path}: unknown property '{key}'");

        var field = new FormField
        {
            Name = read.String("name") ?? "",
            Label = read.String("label") ?? "",
            LabelEn = read.String("labelEn"),
            Type = type,
            Required = read.Bool("required"),
            RequiredFor = read.Strings("requiredFor") is { Count: > 0 } outcomes ? outcomes : [],
            RequiredWhen = read.String("requiredWhen"),
            Description = read.String("description"),
        };
        return type switch
        {
            FormFieldType.Text => field with { MaxLength = read.Int("maxLength") ?? FormField.DefaultMaxLength, Pattern = read.String("pattern") },
            FormFieldType.Number => field with { Min = read.Decimal("min"), Max = read.Decimal("max"), Integer = read.Bool("integer") },
            FormFieldType.Date => field with { MinDate = read.Date("min"), MaxDate = read.Date("max") },
            FormFieldType.Choice => field with { Options = read.Options("options"), Multiple = read.Bool("multiple") },
            FormFieldType.File => field with
            {
                AllowedTypes = read.Strings("allowedTypes"), MaxBytes = read.Long("maxBytes") ?? FormField.DefaultMaxBytes, Multiple = read.Bool("multiple"),
            },
            FormFieldType.Table => field with { Columns = ReadFields(json["columns"], $"{path} columns"), MinRows = read.Int("minRows"), MaxRows = read.Int("maxRows") },
            _ => field,
        };
    }

    public static JsonArray WriteFields(IEnumerable<FormField> fields) => new(fields.Select(f => (JsonNode)WriteField(f)).ToArray());

    private static JsonObject WriteField(FormField field)
    {
        var json = new JsonObject { ["name"] = field.Name, ["label"] = field.Label };
        if (field.LabelEn is not null) json["labelEn"] = field.LabelEn;
        json["type"] = TypeName(field.Type);
        json["required"] = field.Required;
        if (field.RequiredFor.Count > 0) json["requiredFor"] = new JsonArray(field.RequiredFor.Select(o => (JsonNode)JsonValue.Create(o)).ToArray());
        if (field.RequiredWhen is not null) json["requiredWhen"] = field.RequiredWhen;
        if (field.Description is not null) json["description"] = field.Description;
        switch (field.Type)
        {
            case FormFieldType.Text:
                json["maxLength"] = field.MaxLength;
                if (field.Pattern is not null) json["pattern"] = field.Pattern;
                break;
            case FormFieldType.Number:
                if (field.Min is { } min) json["min"] = min;
                if (field.Max is { } max) json["max"] = max;
                json["integer"] = field.Integer;
                break;
            case FormFieldType.Date:
                if (field.MinDate is { } minDate) json["min"] = minDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (field.MaxDate is { } maxDate) json["max"] = maxDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                break;
            case FormFieldType.Choice:
                json["options"] = new JsonArray(field.Options.Select(o => (JsonNode)WriteOption(o)).ToArray());
                json["multiple"] = field.Multiple;
                break;
            case FormFieldType.File:
                json["allowedTypes"] = new JsonArray(field.AllowedTypes.Select(t => (JsonNode)JsonValue.Create(t)).ToArray());
                json["maxBytes"] = field.MaxBytes;
                json["multiple"] = field.Multiple;
                break;
            case FormFieldType.Table:
                json["columns"] = WriteFields(field.Columns);
                if (field.MinRows is { } minRows) json["minRows"] = minRows;
                if (field.MaxRows is { } maxRows) json["maxRows"] = maxRows;
                break;
        }
        return json;
    }

    private static readonly Dictionary<string, FormComparison> Comparisons = new(StringComparer.Ordinal)
    {
        ["="] = FormComparison.Equal,
        ["!="] = FormComparison.NotEqual,
        ["<"] = FormComparison.Less,
        ["<="] = FormComparison.LessOrEqual,
        [">"] = FormComparison.Greater,
        [">="] = FormComparison.GreaterOrEqual,
    };

    public static bool ReadConfirm(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new FormatException("'confirm' must be true or false"),
    };

    public static IReadOnlyList<FormRule> ReadRules(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select((rule, i) => ReadRule(rule, $"rules[{i}]")).ToList(),
        _ => throw new FormatException("rules must be an array of rules {\"left\", \"op\", \"right\"}"),
    };

    private static FormRule ReadRule(JsonNode? node, string path)
    {
        if (node is not JsonObject json) throw new FormatException($"{path} must be an object {{\"left\", \"op\", \"right\"}}");
        foreach (var (key, _) in json)
            if (key is not ("left" or "op" or "right" or "message" or "messageEn")) throw new FormatException($"{path}: unknown property '{key}'");
        var read = new Reader(json, path);
        var op = read.String("op") ?? throw new FormatException($"{path}: 'op' is missing");
        if (!Comparisons.TryGetValue(op, out var comparison))
            throw new FormatException($"{path}: unknown op '{op}'; use one of {string.Join(" ", Comparisons.Keys)}");
        return new FormRule(ReadOperand(json["left"], $"{path} left"), comparison, ReadOperand(json["right"], $"{path} right"))
        {
            Message = read.String("message"),
            MessageEn = read.String("messageEn"),
        };
    }

    private static FormOperand ReadOperand(JsonNode? node, string path)
    {
        if (node is not JsonObject { Count: 1 } json)
            throw new FormatException($"{path} must be one of {{\"field\": name}}, {{\"rows\": table}}, {{\"value\": constant}}, {{\"input\": \"campaign.setting\"}}");
        var (key, value) = json.First();
        var name = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return key switch
        {
            "field" when name is not null => FormOperand.Field(name),
            "rows" when name is not null => FormOperand.Rows(name),
            "input" when name is not null => FormOperand.Input(name),
            "value" when value is JsonValue => FormOperand.Constant(value.DeepClone()),
            "field" or "rows" or "input" or "value" => throw new FormatException($"{path}: '{key}' must be {(key == "value" ? "a number or a string" : "a string")}"),
            _ => throw new FormatException($"{path}: unknown operand '{key}'"),
        };
    }

    public static JsonArray WriteRules(IEnumerable<FormRule> rules) => new(rules.Select(r => (JsonNode)WriteRule(r)).ToArray());

    private static JsonObject WriteRule(FormRule rule)
    {
        var json = new JsonObject
        {
            ["left"] = WriteOperand(rule.Left),
            ["op"] = Comparisons.First(c => c.Value == rule.Op).Key,
            ["right"] = WriteOperand(rule.Right),
        };
        if (rule.Message is not null) json["message"] = rule.Message;
        if (rule.MessageEn is not null) json["messageEn"] = rule.MessageEn;
        return json;
    }

    private static JsonObject WriteOperand(FormOperand operand) => operand.Kind switch
    {
        FormOperandKind.Field => new JsonObject { ["field"] = operand.Name },
        FormOperandKind.Rows => new JsonObject { ["rows"] = operand.Name },
        FormOperandKind.Input => new JsonObject { ["input"] = operand.Name },
        _ => new JsonObject { ["value"] = operand.Value?.DeepClone() },
    };

    /// <summary>The op as written in JSON and shown in the designer: = != &lt; &lt;= &gt; &gt;=.</summary>
    public static string OpText(FormComparison op) => Comparisons.First(c => c.Value == op).Key;

    private static JsonObject WriteOption(FormOption option)
    {
        var json = new JsonObject { ["value"] = option.Value, ["label"] = option.Label };
        if (option.LabelEn is not null) json["labelEn"] = option.LabelEn;
        return json;
    }

    /// <summary>Reads one field's properties; a JSON null counts as absent.</summary>
    private sealed class Reader(JsonObject json, string path)
    {
        public FormFieldType Type()
        {
            var text = String("type") ?? throw new FormatException($"{path}: 'type' is missing");
            foreach (var type in Enum.GetValues<FormFieldType>())
                if (string.Equals(TypeName(type), text, StringComparison.OrdinalIgnoreCase))
                    return type;
            throw new FormatException($"{path}: unknown type '{text}'; use one of {string.Join(", ", Enum.GetValues<FormFieldType>().Select(TypeName))}");
        }

        public string? String(string key) => Value(key, JsonValueKind.String, "a string")?.GetValue<string>();

        public bool Bool(string key) => json[key] switch
        {
            null => false,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw Wrong(key, "true or false"),
        };

        public int? Int(string key) => Number(key, "a whole number", text => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));

        public long? Long(string key) => Number(key, "a whole number", text => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));

        public decimal? Decimal(string key) => Number(key, "a number", text => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));

        public DateOnly? Date(string key) => String(key) is not { } text ? null
            : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
            : throw Wrong(key, "a date written yyyy-MM-dd");

        public IReadOnlyList<string> Strings(string key) => Array(key)
            .Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Wrong($"{key}[{i}]", "a string"))
            .ToList();

        /// <summary>Each option is <c>{"value", "label", "labelEn"}</c>, or a bare string serving as both value and label.</summary>
        public IReadOnlyList<FormOption> Options(string key) => Array(key).Select((item, i) => item switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => new FormOption(v.GetValue<string>(), v.GetValue<string>()),
            JsonObject o => Option(o, $"{path} {key}[{i}]"),
            _ => throw Wrong($"{key}[{i}]", "a string or an object {\"value\", \"label\"}"),
        }).ToList();

        private static FormOption Option(JsonObject json, string path)
        {
            foreach (var (key, _) in json)
                if (key is not ("value" or "label" or "labelEn")) throw new FormatException($"{path}: unknown property '{key}'");
            var read = new Reader(json, path);
            var value = read.String("value") ?? throw new FormatException($"{path}: 'value' is missing");
            return new FormOption(value, read.String("label") ?? value, read.String("labelEn"));
        }

        private JsonArray Array(string key) => json[key] switch
        {
            null => [],
            JsonArray array => array,
            _ => throw Wrong(key, "an array"),
        };

        private JsonValue? Value(string key, JsonValueKind kind, string expected) => json[key] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == kind => v,
            _ => throw Wrong(key, expected),
        };

        private T? Number<T>(string key, string expected, Func<string, T> parse) where T : struct
        {
            if (Value(key, JsonValueKind.Number, expected) is not { } value) return null;
            try
            {
                return parse(value.ToJsonString());
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                throw Wrong(key, expected);
            }
        }

        private FormatException Wrong(string key, string expected) => new($"{path}: '{key}' must be {expected}");
    }
}
