using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Manyi.LoadBench;

/// <summary>The latencies of one kind of request, measured at the client, and the wall time they took together.</summary>
public sealed class Measured(string kind, int concurrency)
{
    private readonly ConcurrentBag<double> _milliseconds = [];
    private int _failures;

    public string Kind { get; } = kind;
    public int Concurrency { get; } = concurrency;
    public TimeSpan Wall { get; set; }
    public string LoadAverage { get; set; } = "";
    public int Count => _milliseconds.Count;
    public int Failures => _failures;
    public double PerSecond => Count / Wall.TotalSeconds;

    public IEnumerable<double> Latencies => _milliseconds;

    public void AddFailures(int count) => Interlocked.Add(ref _failures, count);

    public void Add(double milliseconds, bool ok)
    {
        if (ok) _milliseconds.Add(milliseconds);
        else Interlocked.Increment(ref _failures);
    }

    /// <summary>The <paramref name="percent"/> percentile (nearest rank) in milliseconds.</summary>
    public double Percentile(double percent)
    {
        var sorted = _milliseconds.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public string[] Row() =>
    [
        Kind, Concurrency.ToString(CultureInfo.InvariantCulture), Count.ToString("N0", CultureInfo.InvariantCulture),
        Failures.ToString(CultureInfo.InvariantCulture), PerSecond.ToString("N0", CultureInfo.InvariantCulture),
        Ms(Percentile(50)), Ms(Percentile(95)), Ms(Percentile(99)), LoadAverage,
    ];

    private static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>Drives requests: for a while from N workers at once, or over a list of work N at a time.</summary>
public static class Load
{
    /// <summary><paramref name="concurrency"/> workers send one request after another for <paramref name="duration"/>.</summary>
    public static async Task<Measured> ForAsync(string kind, int concurrency, TimeSpan duration, Func<int, int, CancellationToken, Task<bool>> request)
    {
        var measured = new Measured(kind, concurrency);
        var before = LoadAverage();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; clock.Elapsed < duration; n++) await TimeAsync(measured, () => request(worker, n, CancellationToken.None));
        })));
        measured.Wall = clock.Elapsed;
        measured.LoadAverage = $"{before} → {LoadAverage()}";
        return measured;
    }

    /// <summary>Each item once, <paramref name="concurrency"/> at a time; <paramref name="steps"/> gives the work of one item, each step timed under its kind.</summary>
    public static async Task<IReadOnlyList<Measured>> EachAsync<T>(IReadOnlyList<T> items, int concurrency, string[] kinds,
        Func<T, Func<int, Func<Task<bool>>, Task>, Task> steps)
    {
        var measured = kinds.Select(k => new Measured(k, concurrency)).ToArray();
        var before = LoadAverage();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (item, _) => await steps(item, (index, request) => TimeAsync(measured[index], request)));
        foreach (var m in measured)
        {
            m.Wall = clock.Elapsed;
            m.LoadAverage = $"{before} → {LoadAverage()}";
        }
        return measured;
    }

    private static async Task TimeAsync(Measured measured, Func<Task<bool>> request)
    {
        var started = Stopwatch.GetTimestamp();
        bool ok;
        try { ok = await request(); }
        catch (HttpRequestException) { ok = false; }
        measured.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok);
    }

    /// <summary>The 1-minute load average (as <c>uptime</c> prints it), or "?" off Linux.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
