using System.Diagnostics;
using System.Net;
using System.Text;

namespace Manyi.Web.Tests.Deployment;

/// <summary>
/// Manyi.Web's build output run as an OS process of its own (<c>dotnet Manyi.Web.dll</c>), configured by environment
/// variables only, as a container would run it. Its console output is kept for the test's messages.
/// </summary>
public sealed class ManyiNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ManyiNode(string name, Process process, string? url)
    {
        Name = name;
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string? Url { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The app's own build output (same configuration as the tests), beside its appsettings.json.</summary>
    public static string AppPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            for (var dir = testOutput; dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "global.json")))
                {
                    var dll = Path.Combine(dir.FullName, "src", "Manyi.Web", "bin", configuration, framework, "Manyi.Web.dll");
                    return File.Exists(dll) ? dll : throw new InvalidOperationException($"Manyi.Web is not built: {dll} is missing.");
                }
            throw new InvalidOperationException($"No repository root (global.json) above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Starts the app listening on <paramref name="url"/> (or runs a command such as <c>migrate</c> when url is null).</summary>
    public static ManyiNode Start(string name, IReadOnlyDictionary<string, string> environment, string? url, params string[] arguments)
    {
        var app = AppPath;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(app)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Nothing of the test process's own configuration leaks in: only what a deployment would set.
        foreach (var key in start.Environment.Keys.ToList())
            if (key.StartsWith("Manyi__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        if (url is not null) start.Environment["ASPNETCORE_URLS"] = url;
        return new ManyiNode(name, Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), url);
    }

    /// <summary>Runs a command to its end; returns the node (exited) for its exit code and output.</summary>
    public static async Task<ManyiNode> RunAsync(string name, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var node = Start(name, environment, null, arguments);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await node._process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill();
            throw new TimeoutException($"{name} did not end within {timeout}:\n{node.Output}");
        }
        node._process.WaitForExit(); // flushes the redirected output
        return node;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the node's output when it exits or takes too long.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url!), Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTimeOffset.UtcNow > until)
                throw new TimeoutException($"{Name} was not ready within {timeout}:\n{Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>Ends the process at once, as a crash or a lost machine would: no shutdown, no draining.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
