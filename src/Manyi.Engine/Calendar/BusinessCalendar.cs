using System.Collections.Immutable;

namespace Manyi.Engine.Calendar;

/// <summary>
/// Working days and working hours in one time zone (Asia/Shanghai by default): Monday to Friday, except public
/// holidays, plus the weekend days declared working days (调休), from one data file a year. A year can be added or
/// replaced while the calendar is in use (<see cref="SetYear"/>); each computation reads one consistent set of years.
/// </summary>
public sealed class BusinessCalendar
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    // Never changed in place: SetYear swaps in a new dictionary, so a reader holding one sees all of a year or none of it.
    private ImmutableDictionary<int, HolidayYear> _years;

    public BusinessCalendar(IEnumerable<HolidayYear> years, CalendarOptions? options = null)
    {
        options ??= new CalendarOptions();
        _years = years.ToDictionary(y => y.Year).ToImmutableDictionary();
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        WorkdayStart = options.WorkdayStart;
        WorkdayEnd = options.WorkdayEnd;
        if (WorkdayEnd <= WorkdayStart) throw new ArgumentException("The working day must end after it starts.", nameof(options));
    }

    public TimeZoneInfo TimeZone { get; }
    public TimeOnly WorkdayStart { get; }
    public TimeOnly WorkdayEnd { get; }
    public IEnumerable<int> Years => Snapshot.Keys.Order();

    private ImmutableDictionary<int, HolidayYear> Snapshot => Volatile.Read(ref _years);

    public bool HasDataFor(int year) => Snapshot.ContainsKey(year);

    /// <summary>The holiday data in force for a year, if any.</summary>
    public HolidayYear? FindYear(int year) => Snapshot.GetValueOrDefault(year);

    /// <summary>
    /// Adds a year, or replaces the one in force: every date computed afterwards uses it. Safe while other threads
    /// compute dates; a computation already running finishes on the years it started with.
    /// </summary>
    public void SetYear(HolidayYear year)
    {
        ArgumentNullException.ThrowIfNull(year);
        ImmutableInterlocked.Update(ref _years, static (years, added) => years.SetItem(added.Year, added), year);
    }

    /// <summary>Every <c>*.json</c> year file of a folder; a missing folder gives weekends only. A broken file, or two files of one year, is an error naming the file.</summary>
    public static BusinessCalendar FromFolder(string folder, CalendarOptions? options = null)
    {
        var years = new Dictionary<int, (HolidayYear Year, string File)>();
        if (Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var year = HolidayYear.Parse(File.ReadAllText(file), file);
                if (!years.TryAdd(year.Year, (year, file)))
                    throw new FormatException($"{file}: {year.Year} 年的数据已在 {years[year.Year].File} 中。The year {year.Year} is already in {years[year.Year].File}.");
            }
        return new BusinessCalendar(years.Values.Select(y => y.Year), options);
    }

    public bool IsWorkingDay(DateOnly day) => IsWorkingDay(Snapshot, day);

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, TimeZone);

    /// <summary>The instant of a local date and time in this calendar's zone.</summary>
    public DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local));
    }

    /// <summary>The day <paramref name="count"/> working days after <paramref name="day"/> (before it when negative).</summary>
    public DateOnly AddWorkingDays(DateOnly day, int count)
    {
        var years = Snapshot;
        var step = Math.Sign(count);
        for (var left = Math.Abs(count); left > 0;)
        {
            day = day.AddDays(step);
            if (IsWorkingDay(years, day)) left--;
        }
        return day;
    }

    public DateOnly NextWorkingDay(DateOnly day, bool includingToday = true) => NextWorkingDay(Snapshot, day, includingToday);

    public DateOnly PreviousWorkingDay(DateOnly day, bool includingToday = true)
    {
        var years = Snapshot;
        if (!includingToday) day = day.AddDays(-1);
        while (!IsWorkingDay(years, day)) day = day.AddDays(-1);
        return day;
    }

    /// <summary>Whether the instant falls in working hours of a working day.</summary>
    public bool IsWorkingTime(DateTimeOffset instant) => IsWorkingTime(Snapshot, instant);

    /// <summary>The instant itself when it is working time, else the start of the next working day.</summary>
    public DateTimeOffset NextWorkingTime(DateTimeOffset instant)
    {
        var years = Snapshot;
        if (IsWorkingTime(years, instant)) return instant;
        var local = ToLocal(instant);
        var day = DateOnly.FromDateTime(local.DateTime);
        var startsToday = IsWorkingDay(years, day) && TimeOnly.FromDateTime(local.DateTime) < WorkdayStart;
        return At(startsToday ? day : NextWorkingDay(years, day, includingToday: false), WorkdayStart);
    }

    private static bool IsWorkingDay(ImmutableDictionary<int, HolidayYear> years, DateOnly day)
    {
        if (years.TryGetValue(day.Year, out var year))
        {
            if (year.DaysOff.Contains(day)) return false;
            if (year.WorkingWeekends.Contains(day)) return true;
        }
        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    private static DateOnly NextWorkingDay(ImmutableDictionary<int, HolidayYear> years, DateOnly day, bool includingToday)
    {
        if (!includingToday) day = day.AddDays(1);
        while (!IsWorkingDay(years, day)) day = day.AddDays(1);
        return day;
    }

    private bool IsWorkingTime(ImmutableDictionary<int, HolidayYear> years, DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return IsWorkingDay(years, DateOnly.FromDateTime(local.DateTime)) && time >= WorkdayStart && time < WorkdayEnd;
    }
}

/// <summary>The <c>Manyi:Calendar</c> settings.</summary>
public sealed record CalendarOptions
{
    public string TimeZone { get; init; } = BusinessCalendar.DefaultTimeZone;
    public TimeOnly WorkdayStart { get; init; } = new(9, 0);
    public TimeOnly WorkdayEnd { get; init; } = new(18, 0);
}
