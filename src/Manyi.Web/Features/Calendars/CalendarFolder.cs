using Manyi.Web.Infrastructure;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Manyi.Engine.Calendar;

namespace Manyi.Web.Features.Calendars;

/// <summary>
/// The year files and the only ways the running calendar changes: saving a year, and re-reading the files. The shipped
/// files (<c>Manyi:CalendarDirectory</c>, one <c>cn-&lt;year&gt;.json</c> a year, by default the repository's
/// <c>calendars/</c>) are a read-only base; an administrator's years are saved under the data directory
/// (<paramref name="saved"/>, <c>Manyi:Calendar:SavedDirectory</c>), and a year there wins over the base's. Both
/// changes take one lock, so that a reload never puts back a file a save is replacing.
/// </summary>
public sealed class CalendarFolder(string path, string saved, BusinessCalendar calendar, ILogger<CalendarFolder> logger)
{
    private static readonly JsonSerializerOptions FileFormat = ReadableJson.Options;

    private readonly SemaphoreSlim _changing = new(1, 1);

    /// <summary>The shipped files: read, never written.</summary>
    public string Path { get; } = path;

    /// <summary>Where saved years go: the data directory's <c>calendars</c> unless set.</summary>
    public string SavedPath { get; } = saved;

    public string FileOf(int year) => System.IO.Path.Combine(SavedPath, $"cn-{year}.json");

    /// <summary>
    /// Writes the year's file (to a temporary file first, then moved over the old one, so that no reader sees half a
    /// file), then puts the year in force. A failed write leaves the old file and the calendar as they were.
    /// </summary>
    public async Task SaveAsync(HolidayYear year, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(SavedPath);
            var target = FileOf(year.Year);
            // Not *.json, so that a reader of the folder never takes it for a year file.
            var temporary = System.IO.Path.Combine(SavedPath, $".{System.IO.Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
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
    /// Re-reads every year file, the base's and the saved ones, and puts in force the years that are new or changed; a
    /// saved year wins over the base's. A file that cannot be read or parsed, or a year found in two files of one folder,
    /// is logged and skipped: the calendar keeps what it had for that year. A year whose file was removed stays in force
    /// until the next start.
    /// </summary>
    /// <returns>The years put in force.</returns>
    public async Task<IReadOnlyList<int>> ReloadAsync(CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var years = await ReadAsync(Path, cancellationToken);
            foreach (var (year, saved) in await ReadAsync(SavedPath, cancellationToken)) years[year] = saved;
            var loaded = new List<int>();
            foreach (var (file, year) in years.Values)
            {
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

    /// <summary>The readable years of one folder, each with its file; a year in two files is left out.</summary>
    private async Task<Dictionary<int, (string File, HolidayYear Year)>> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        var found = new List<(string File, HolidayYear Year)>();
        if (Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
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
        var years = new Dictionary<int, (string File, HolidayYear Year)>();
        foreach (var sameYear in found.GroupBy(f => f.Year.Year))
        {
            if (sameYear.Count() > 1)
                logger.LogError("Holiday files {Files} all hold {Year}; none is loaded until only one is left.",
                    string.Join(", ", sameYear.Select(f => f.File)), sameYear.Key);
            else
                years[sameYear.Key] = sameYear.Single();
        }
        return years;
    }
}
