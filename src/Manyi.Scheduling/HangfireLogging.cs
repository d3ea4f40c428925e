using Hangfire.AspNetCore;
using Hangfire.Logging;
using Microsoft.Extensions.Logging;

namespace Manyi.Scheduling;

/// <summary>
/// Hangfire's log provider is process-wide, and every service container that configures Hangfire makes its own
/// <see cref="ILoggerFactory"/> the provider. Where a process holds several containers (tests, WebApplicationFactory),
/// the factory of a disposed one must not break the Hangfire servers of the others: Hangfire.PostgreSql asks for a
/// logger right after a worker fetched a job, and an exception there strands that job for the invisibility timeout
/// (30 minutes). Loggers of a disposed factory log nothing.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(factory);

    public ILog GetLogger(string name)
    {
        try
        {
            return new SafeLog(_inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return SafeLog.Nothing;
        }
    }

    private sealed class SafeLog(ILog? inner) : ILog
    {
        public static readonly SafeLog Nothing = new(null);

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner?.Log(logLevel, messageFunc, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
