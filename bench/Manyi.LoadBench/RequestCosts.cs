using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Manyi.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.LoadBench;

/// <summary>
/// With <c>--explain</c>: where a request's time goes, measured on the server. Per endpoint: requests, time in the
/// pipeline, SQL commands, connections opened and time in SQL (EF Core's, through an interceptor on the product's
/// DbContext; the bare endpoint's one query is not counted). The figures of a request are kept in an async local.
/// </summary>
public sealed class RequestCosts : IStartupFilter
{
    private static readonly AsyncLocal<Cost?> Current = new();
    private static readonly ConcurrentDictionary<string, Totals> ByEndpoint = new(StringComparer.Ordinal);

    public static void Add(IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, RequestCosts>();
        services.ConfigureDbContext<SqliteManyiDbContext>(db => db.AddInterceptors(Sql.Instance));
        services.ConfigureDbContext<PostgresManyiDbContext>(db => db.AddInterceptors(Sql.Instance));
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, inner) =>
        {
            var cost = Current.Value = new Cost();
            var started = Stopwatch.GetTimestamp();
            await inner(http);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var key = $"{http.Request.Method} {(http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value}";
            ByEndpoint.GetOrAdd(key, _ => new Totals()).Add(elapsed, cost);
        });
        next(app);
    };

    public static void Reset() => ByEndpoint.Clear();

    public static string Report()
    {
        var table = new Manyi.Bench.TextTable(("endpoint (server side)", false), ("requests", true), ("ms each", true), ("SQL each", true),
            ("opens each", true), ("SQL ms each", true), ("query compilations each", true));
        foreach (var (key, t) in ByEndpoint.OrderBy(e => e.Key, StringComparer.Ordinal))
            table.AddRow(key, t.Requests.ToString(CultureInfo.InvariantCulture), Each(t.Milliseconds, t.Requests), Each(t.Commands, t.Requests),
                Each(t.Opens, t.Requests), Each(t.SqlMilliseconds, t.Requests), Each(t.Compilations, t.Requests));
        return table.Render();
    }

    private static string Each(double total, long count) => (total / Math.Max(1, count)).ToString("0.0", CultureInfo.InvariantCulture);

    private sealed class Cost
    {
        public int Commands;
        public int Opens;
        public int Compilations;
        public double SqlMilliseconds;
    }

    private sealed class Totals
    {
        private readonly Lock _lock = new();
        public long Requests;
        public double Milliseconds;
        public double Commands;
        public double Opens;
        public double Compilations;
        public double SqlMilliseconds;

        public void Add(double milliseconds, Cost cost)
        {
            lock (_lock)
            {
                Requests++;
                Milliseconds += milliseconds;
                Commands += cost.Commands;
                Opens += cost.Opens;
                Compilations += cost.Compilations;
                SqlMilliseconds += cost.SqlMilliseconds;
            }
        }
    }

    /// <summary>Counts each command and connection opened under the current request. One instance (EF Core keys its services on the options).</summary>
    private sealed class Sql : DbCommandInterceptor, IDbConnectionInterceptor, IQueryExpressionInterceptor
    {
        public System.Linq.Expressions.Expression QueryCompilationStarting(System.Linq.Expressions.Expression queryExpression, QueryExpressionEventData eventData)
        {
            if (Current.Value is { } cost) Interlocked.Increment(ref cost.Compilations);
            return queryExpression;
        }

        public static readonly Sql Instance = new();

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) =>
            Count(eventData, result);

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default) => ValueTask.FromResult(Count(eventData, result));

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
            CancellationToken cancellationToken = default) => ValueTask.FromResult(Count(eventData, result));

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default) => ValueTask.FromResult(Count(eventData, result));

        public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (Current.Value is { } cost) Interlocked.Increment(ref cost.Opens);
            return Task.CompletedTask;
        }

        public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (Current.Value is { } cost) Interlocked.Increment(ref cost.Opens);
        }

        private static T Count<T>(CommandExecutedEventData eventData, T result)
        {
            if (Current.Value is { } cost)
            {
                Interlocked.Increment(ref cost.Commands);
                cost.SqlMilliseconds += eventData.Duration.TotalMilliseconds;
            }
            return result;
        }
    }
}
