using Manyi.Engine.Calendar;
using Manyi.Web.Features.Calendars;
using Manyi.Persistence;
using Manyi.Web.Infrastructure;

namespace Manyi.Web.Features.Deadlines;

public static class CalendarSetup
{
    /// <summary>
    /// The business calendar from the holiday files of <c>Manyi:CalendarDirectory</c> (default the repository's
    /// <c>calendars/</c>) and the <c>Manyi:Calendar</c> settings; a broken file stops start-up with its name. The
    /// folder is where <see cref="CalendarsApi"/> saves years, and it is re-read every
    /// <c>Manyi:Calendar:ReloadInterval</c> (default 00:05:00; 00:00:00 turns it off) for years saved by other nodes.
    /// </summary>
    public static IServiceCollection AddManyiCalendar(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var folder = RepositoryFolders.Resolve(configuration["Manyi:CalendarDirectory"], "calendars", environment.ContentRootPath);
        var options = configuration.GetSection("Manyi:Calendar").Get<CalendarOptions>() ?? new CalendarOptions();
        var interval = configuration.GetValue<TimeSpan?>(CalendarReload.IntervalSetting) ?? CalendarReload.DefaultInterval;
        if (interval < TimeSpan.Zero)
            throw new InvalidOperationException($"{CalendarReload.IntervalSetting} must be a duration such as 00:05:00, or 00:00:00 to turn reloading off (got {interval}).");
        var saved = SavedFolder(configuration);
        var calendar = BusinessCalendar.FromFolder(folder, options);
        // An administrator's saved years win over the shipped ones.
        var savedYears = BusinessCalendar.FromFolder(saved, options);
        foreach (var year in savedYears.Years) calendar.SetYear(savedYears.FindYear(year)!);
        services.AddSingleton(calendar);
        services.AddSingleton(sp => new CalendarFolder(folder, saved, calendar, sp.GetRequiredService<ILogger<CalendarFolder>>()));
        services.AddHostedService<CalendarReport>();
        services.AddHostedService(sp => new CalendarReload(
            sp.GetRequiredService<CalendarFolder>(), interval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CalendarReload>>()));
        return services;
    }

    /// <summary>
    /// Where <c>PUT /api/calendars/{year}</c> writes: <c>Manyi:Calendar:SavedDirectory</c>, by default <c>calendars</c> in
    /// <c>Manyi:DataDirectory</c>. Never the shipped folder, which may be the repository's or read-only.
    /// </summary>
    private static string SavedFolder(IConfiguration configuration)
    {
        var dataDirectory = ManyiDataOptions.DataDirectoryIn(configuration);
        var configured = configuration["Manyi:Calendar:SavedDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(dataDirectory, "calendars") : configured);
    }

    /// <summary>Says at start-up which years have holiday data, and warns when the current one has none.</summary>
    private sealed class CalendarReport(BusinessCalendar calendar, TimeProvider time, ILogger<CalendarReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var year = calendar.ToLocal(time.GetUtcNow()).Year;
            logger.LogInformation("Business calendar {TimeZone}, working hours {Start}–{End}, holiday data for {Years}.",
                calendar.TimeZone.Id, calendar.WorkdayStart, calendar.WorkdayEnd, string.Join(", ", calendar.Years));
            if (!calendar.HasDataFor(year))
                logger.LogWarning("No holiday file for {Year}: Monday to Friday count as working days. Add calendars/cn-{Year}.json or PUT /api/calendars/{Year}.", year, year, year);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
