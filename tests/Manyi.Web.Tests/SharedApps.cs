using System.Collections.Concurrent;

namespace Manyi.Web.Tests;

/// <summary>
/// The hosts one test class shares (<c>IClassFixture&lt;SharedApps&gt;</c>): one <see cref="ManyiApp"/> per provider,
/// started on first use and disposed after the class's last test. They run no Hangfire server: jobs are enqueued and
/// scheduled in the storage, and none runs. Each test makes data of its own (<see cref="Unique"/> ids, e-mail addresses
/// and organizations), so that the tests stay independent in any order. A test that needs jobs to run, a fake clock, a
/// setting of its own or an empty database starts a private host with <see cref="ManyiApp.StartAsync"/>.
/// </summary>
public sealed class SharedApps : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ManyiApp>>> _apps = new();

    /// <summary>The shared host on this provider ("sqlite" or "postgres").</summary>
    public Task<ManyiApp> For(string provider) =>
        _apps.GetOrAdd(provider, p => new Lazy<Task<ManyiApp>>(() => StartAsync(p))).Value;

    private static async Task<ManyiApp> StartAsync(string provider)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:Hangfire:Server"] = "false";
        _ = app.Services; // starts it now, not within a test's first request
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated))
            if (await app.Value.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default) is { } started)
                await started.DisposeAsync();
    }
}

/// <summary>Names no other test uses: ids, e-mail addresses, event names, for tests that share a host.</summary>
public static class Unique
{
    /// <summary><paramref name="prefix"/> and eight random hex digits, e.g. <c>alpha-3f2a1c9e</c>.</summary>
    public static string Id(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>An address at example.org whose local part starts with <paramref name="name"/>.</summary>
    public static string Email(string name) => $"{Id(name)}@example.org";
}
