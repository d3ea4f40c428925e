namespace Manyi.Engine.Calendar;

/// <summary>
/// Working days and working hours in one time zone (Asia/Shanghai by default): Monday to Friday, except public
/// holidays, plus the weekend days declared working days (调休), from one data file a year.
/// </summary>
public sealed class BusinessCalendar
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    private readonly Dictionary<int, HolidayYear> _years;

    public BusinessCalendar(IEnumerable<HolidayYear> years, CalendarOptions? options = null)
    {
        options ??= new CalendarOptions();
        _years = years.ToDictionary(y => y.Year);
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        WorkdayStart = options.WorkdayStart;
        WorkdayEnd = options.WorkdayEnd;
        if (WorkdayEnd <= WorkdayStart) throw new ArgumentException("The working day must end after it starts.", nameof(options));
    }

    public TimeZoneInfo TimeZone { get; }
    public TimeOnly WorkdayStart { get; }
    public TimeOnly WorkdayEnd { get; }
    public IEnumerable<int> Years => _years.Keys.Order();

    public bool HasDataFor(int year) => _years.ContainsKey(year);

    /// <summary>Every <c>*.json</c> year file of a folder; a missing folder gives weekends only.</summary>
    public static BusinessCalendar FromFolder(string folder, CalendarOptions? options = null) =>
        new(Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(f => HolidayYear.Parse(File.ReadAllText(f), f))
                : [],
            options);

    public bool IsWorkingDay(DateOnly day)
    {
        if (_years.TryGetValue(day.Year, out var year))
        {
            if (year.DaysOff.Contains(day)) return false;
            if (year.WorkingWeekends.Contains(day)) return true;
        }
        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

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
        var step = Math.Sign(count);
        for (var left = Math.Abs(count); left > 0;)
        {
            day = day.AddDays(step);
            if (IsWorkingDay(day)) left--;
        }
        return day;
    }

    public DateOnly NextWorkingDay(DateOnly day, bool includingToday = true)
    {
        if (!includingToday) day = day.AddDays(1);
        while (!IsWorkingDay(day)) day = day.AddDays(1);
        return day;
    }

    public DateOnly PreviousWorkingDay(DateOnly day, bool includingToday = true)
    {
        if (!includingToday) day = day.AddDays(-1);
        while (!IsWorkingDay(day)) day = day.AddDays(-1);
        return day;
    }

    /// <summary>Whether the instant falls in working hours of a working day.</summary>
    public bool IsWorkingTime(DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return IsWorkingDay(DateOnly.FromDateTime(local.DateTime)) && time >= WorkdayStart && time < WorkdayEnd;
    }

    /// <summary>The instant itself when it is working time, else the start of the next working day.</summary>
    public DateTimeOffset NextWorkingTime(DateTimeOffset instant)
    {
        if (IsWorkingTime(instant)) return instant;
        var local = ToLocal(instant);
        var day = DateOnly.FromDateTime(local.DateTime);
        var startsToday = IsWorkingDay(day) && TimeOnly.FromDateTime(local.DateTime) < WorkdayStart;
        return At(startsToday ? day : NextWorkingDay(day, includingToday: false), WorkdayStart);
    }
}

/// <summary>The <c>Manyi:Calendar</c> settings.</summary>
public sealed record CalendarOptions
{
    public string TimeZone { get; init; } = BusinessCalendar.DefaultTimeZone;
    public TimeOnly WorkdayStart { get; init; } = new(9, 0);
    public TimeOnly WorkdayEnd { get; init; } = new(18, 0);
}
