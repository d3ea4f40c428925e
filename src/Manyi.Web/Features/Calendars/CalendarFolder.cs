using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Manyi.Engine.Calendar;

namespace Manyi.Web.Features.Calendars;

/// <summary>
/// The folder of year files (<c>Manyi:CalendarDirectory</c>, one <c>cn-&lt;year&gt;.json</c> a year) and the only
/// ways the running calendar changes: saving a year, and re-reading the folder. Both take one lock, so that a reload
/// never puts back a file a save is replacing.
/// </summary>
public sealed class CalendarFolder(string path, BusinessCalendar calendar, ILogger<CalendarFolder> logger)
{
    private static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SemaphoreSlim _changing = new(1, 1);

    public string Path { get; } = path;

    public string FileOf(int year) => System.IO.Path.Combine(Path, $"cn-{year}.json");

    /// <summary>
    /// Writes the year's file (to a temporary file first, then moved over the old one, so that no reader sees half a
    /// file), then puts the year in force. A failed write leaves the old file and the calendar as they were.
    /// </summary>
    public async Task SaveAsync(HolidayYear year, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path);
            var target = FileOf(year.Year);
            // Not *.json, so that a reader of the folder never takes it for a year file.
            var temporary = System.IO.Path.Combine(Path, $".{System.IO.Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(year.ToJson().ToJsonString(FileFormat) + "\n"), cancellationToken);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            calendar.SetYear(year);
            logger.LogInformation("Holiday data for {Year} saved to {File} and in force.", year.Year, target);
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Re-reads every year file and puts in force the years that are new or changed. A file that cannot be read or
    /// parsed, or a year found in two files, is logged and skipped: the calendar keeps what it had for that year. A
    /// year whose file was removed stays in force until the next start.
    /// </summary>
    /// <returns>The years put in force.</returns>
    public async Task<IReadOnlyList<int>> ReloadAsync(CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Path)) return [];
            var found = new List<(string File, HolidayYear Year)>();
            foreach (var file in Directory.EnumerateFiles(Path, "*.json").Order(StringComparer.Ordinal))
            {
                try
                {
                    found.Add((file, HolidayYear.Parse(await File.ReadAllTextAsync(file, cancellationToken), file)));
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    logger.LogError("Holiday file skipped; the calendar keeps what it had for its year. {Problem}", ex.Message);
                }
            }
            var loaded = new List<int>();
            foreach (var sameYear in found.GroupBy(f => f.Year.Year))
            {
                if (sameYear.Count() > 1)
                {
                    logger.LogError("Holiday files {Files} all hold {Year}; none is loaded until only one is left.",
                        string.Join(", ", sameYear.Select(f => f.File)), sameYear.Key);
                    continue;
                }
                var (file, year) = sameYear.Single();
                if (calendar.FindYear(year.Year) == year) continue;
                calendar.SetYear(year);
                loaded.Add(year.Year);
                logger.LogInformation("Holiday data for {Year} loaded from {File}.", year.Year, file);
            }
            return loaded;
        }
        finally
        {
            _changing.Release();
        }
    }
}
