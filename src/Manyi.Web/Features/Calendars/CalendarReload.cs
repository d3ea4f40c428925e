namespace Manyi.Web.Features.Calendars;

/// <summary>
/// Re-reads the calendar folder every <c>Manyi:Calendar:ReloadInterval</c> (default 5 minutes; 00:00:00 turns it
/// off), so that a year another node saved into the shared folder comes into force here too.
/// </summary>
public sealed class CalendarReload(CalendarFolder folder, TimeSpan interval, TimeProvider time, ILogger<CalendarReload> logger) : BackgroundService
{
    public const string IntervalSetting = "Manyi:Calendar:ReloadInterval";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (interval == TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await folder.ReloadAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The next tick tries again; the years in force stay as they are.
                    logger.LogError(ex, "Reloading the holiday files from {Folder} failed.", folder.Path);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
