using Manyi.Engine.Calendar;
using Manyi.Web.Infrastructure;

namespace Manyi.Web.Features.Deadlines;

public static class CalendarSetup
{
    /// <summary>
    /// The business calendar from the holiday files of <c>Manyi:CalendarDirectory</c> (default the repository's
    /// <c>calendars/</c>) and the <c>Manyi:Calendar</c> settings; a broken file stops start-up with its name.
    /// </summary>
    public static IServiceCollection AddManyiCalendar(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var folder = RepositoryFolders.Resolve(configuration["Manyi:CalendarDirectory"], "calendars", environment.ContentRootPath);
        var options = configuration.GetSection("Manyi:Calendar").Get<CalendarOptions>() ?? new CalendarOptions();
        services.AddSingleton(BusinessCalendar.FromFolder(folder, options));
        services.AddHostedService<CalendarReport>();
        return services;
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
                logger.LogWarning("No holiday file for {Year}: Monday to Friday count as working days. Add calendars/cn-{Year}.json.", year, year);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
