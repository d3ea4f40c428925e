using System.Buffers;
using System.Globalization;
using System.Text;

namespace Manyi.Web.Features.Files;

/// <summary>
/// The uploaded name made fit to show and to offer back as a download name on Windows, macOS or Linux. It is never
/// part of a stored path (files are stored under their id), so this is about what the person downloading gets.
/// </summary>
public static class SafeFileName
{
    /// <summary>The longest name, in UTF-8 bytes: Linux's limit, and within Windows' 255 characters.</summary>
    public const int MaxBytes = 255;

    private const string Fallback = "file";
    private const int MaxExtensionBytes = 16;
    private static readonly SearchValues<char> Invalid = SearchValues.Create("<>:\"/\\|?*");
    private static readonly HashSet<string> ReservedOnWindows = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// Keeps the last path segment (either separator), drops control and invisible formatting characters (a
    /// right-to-left override can make a <c>.exe</c> read as a <c>.pdf</c>) and characters Windows or Linux refuse,
    /// collapses <c>..</c>, trims leading dots and trailing dots and spaces, and shortens the name before its extension.
    /// Chinese names are kept as they are.
    /// </summary>
    public static string From(string? uploadedName)
    {
        var name = (uploadedName ?? "").Normalize(NormalizationForm.FormC);
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format || rune.IsBmp && Invalid.Contains((char)rune.Value))
                continue;
            if (rune.Value == '.' && kept.Length > 0 && kept[^1] == '.') continue;
            kept.Append(rune.ToString());
        }
        name = Trim(kept.ToString());
        if (ReservedOnWindows.Contains(name.Split('.')[0].TrimEnd())) name = "_" + name;
        name = Shorten(name);
        return name.Length == 0 ? Fallback : name;
    }

    private static string Trim(string name)
    {
        var start = 0;
        while (start < name.Length && (name[start] == '.' || char.IsWhiteSpace(name[start]))) start++;
        var end = name.Length;
        while (end > start && (name[end - 1] == '.' || char.IsWhiteSpace(name[end - 1]))) end--;
        return name[start..end];
    }

    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxBytes) return name;
        var extension = Path.GetExtension(name);
        if (Encoding.UTF8.GetByteCount(extension) > MaxExtensionBytes) extension = "";
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(extension);
        var stem = new StringBuilder();
        foreach (var rune in name[..^extension.Length].EnumerateRunes())
        {
            if ((budget -= rune.Utf8SequenceLength) < 0) break;
            stem.Append(rune.ToString());
        }
        return Trim(stem.ToString()) + extension;
    }
}
