namespace Manyi.Engine.Forms;

/// <summary>
/// One field of a task's form. The record is flat, one shape for every type, so that it maps to the same JSON the
/// designer writes and the UI renders; <see cref="FormJson"/> refuses properties that do not apply to the type.
/// </summary>
public sealed record FormField
{
    public const int DefaultMaxLength = 2000;
    public const long DefaultMaxBytes = 20 * 1024 * 1024;

    /// <summary>The key of the field in the posted data and in the workflow's variables.</summary>
    public string Name { get; init; } = "";

    /// <summary>The label shown to participants, in Chinese (e.g. 培训人数).</summary>
    public string Label { get; init; } = "";

    public string? LabelEn { get; init; }
    public FormFieldType Type { get; init; }

    /// <summary>On a checkbox this means it must be ticked: an attestation.</summary>
    public bool Required { get; init; }

    /// <summary>
    /// Outcomes for which the field is required although <see cref="Required"/> is not, e.g. the completeness check's
    /// list of missing items, required when the outcome is Returned.
    /// </summary>
    public IReadOnlyList<string> RequiredFor { get; init; } = [];

    /// <summary>
    /// The name of a checkbox beside this field (in the same form, or the same row of a table) that makes it required
    /// when ticked: a certificate number is needed for a trainee marked 考试通过, not for one who failed.
    /// </summary>
    public string? RequiredWhen { get; init; }

    public string? Description { get; init; }

    /// <summary>Text: the longest value, in characters (a Chinese character counts one).</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;

    /// <summary>Text: a regular expression the whole value must match, as HTML's <c>pattern</c> does.</summary>
    public string? Pattern { get; init; }

    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public bool Integer { get; init; }

    /// <summary>Date: the earliest date allowed; written <c>min</c> in JSON like a number's.</summary>
    public DateOnly? MinDate { get; init; }

    public DateOnly? MaxDate { get; init; }

    public IReadOnlyList<FormOption> Options { get; init; } = [];

    /// <summary>Choice and file: the value is a list.</summary>
    public bool Multiple { get; init; }

    /// <summary>File: the MIME types accepted (as sniffed from the content); empty accepts any.</summary>
    public IReadOnlyList<string> AllowedTypes { get; init; } = [];

    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Table: the cells of a row; neither tables nor files.</summary>
    public IReadOnlyList<FormField> Columns { get; init; } = [];

    public int? MinRows { get; init; }
    public int? MaxRows { get; init; }

    /// <summary>The JSON keys a field of <paramref name="type"/> (as written: <c>text</c>, <c>file</c>…) may have; null for an unknown type.</summary>
    public static IReadOnlyList<string>? KeysOf(string type) =>
        Enum.TryParse<FormFieldType>(type, ignoreCase: true, out var known) && Enum.IsDefined(known) ? FormJson.KeysOf(known) : null;
}

public enum FormFieldType
{
    Text,
    Number,
    Date,
    Choice,
    Checkbox,
    File,
    Table,
}

/// <summary>An option of a choice field: the stored <see cref="Value"/> and the Chinese label shown.</summary>
public sealed record FormOption(string Value, string Label, string? LabelEn = null);
