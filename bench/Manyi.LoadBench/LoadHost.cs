using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Manyi.LoadBench;

/// <summary>
/// The product's web host as <c>Program</c> builds it, on Kestrel at a loopback port: on a SQLite file in a temporary
/// data directory (the embedded default) or on a PostgreSQL database; the repository's workflows and campaigns; the
/// bootstrap administrator; demo data off (the bench seeds its own year). Only additions: the bare inbox endpoint
/// (<see cref="BareInbox"/>), and sign-in limits lifted, since every participant signs in from this one address.
/// </summary>
public sealed class LoadHost : WebApplicationFactory<Program>
{
    public const string AdminEmail = "secretariat@load.example.org";
    public const string AdminPassword = "load-bench-2025";

    private readonly string _dataDirectory;
    private readonly string? _postgres;
    private readonly int? _hashIterations;
    private readonly bool _explain;

    public LoadHost(string dataDirectory, string? postgres, int? hashIterations, bool explain)
    {
        _explain = explain;
        _dataDirectory = dataDirectory;
        _postgres = postgres;
        _hashIterations = hashIterations;
        // The factory looks for the web project next to the solution file; it lives under src/.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_MANYI_WEB", Repository.File("src/Manyi.Web"));
    }

    /// <summary>The address Kestrel listens at, once <see cref="Start"/> has run.</summary>
    public Uri Address { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        Address = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Production as shipped on the embedded default. On PostgreSQL production asks for an SMTP server, shared folders
        // and a public address (ManyiSettings), which a bench on one machine has not: there the host runs as Development.
        builder.UseEnvironment(_postgres is null ? "Production" : "Development");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Manyi:DataDirectory", _dataDirectory);
        builder.UseSetting("Manyi:WorkflowsDirectory", Repository.File("workflows"));
        builder.UseSetting("Manyi:CampaignsDirectory", Repository.File("campaigns"));
        builder.UseSetting("Manyi:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Manyi:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Manyi:Demo:Enabled", "false");
        foreach (var limit in new[] { "SignInsPerAddress", "SignInsPerAccount" })
            builder.UseSetting($"Manyi:RateLimits:{limit}", "1000000");
        builder.UseSetting("ConnectionStrings:Manyi", _postgres ?? "");
        if (_postgres is not null) builder.UseSetting("Manyi:MigrateOnStartup", "true");
        builder.ConfigureTestServices(services =>
        {
            services.AddTransient<IStartupFilter, BareInbox>();
            if (_explain) RequestCosts.Add(services);
            if (_hashIterations is { } rounds) services.Configure<PasswordHasherOptions>(hasher => hasher.IterationCount = rounds);
        });
    }
}

/// <summary>The repository's folders, found from the bench's output folder.</summary>
public static class Repository
{
    public static string File(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Manyi.slnx"))) return Path.Combine(folder.FullName, relative);
        throw new InvalidOperationException("The repository root (Manyi.slnx) was not found above the bench's folder.");
    }
}
