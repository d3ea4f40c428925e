using Manyi.Web.Infrastructure.Deployment;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Manyi.Web.Tests.Deployment;

/// <summary>A missing or wrong setting stops the start with a message naming it, before anything is touched.</summary>
public sealed class ManyiSettingsTests
{
    private const string Postgres = "Host=db.invalid;Database=manyi;Username=manyi;Password=secret";

    [Fact]
    public async Task The_app_refuses_to_start_in_production_without_its_shared_settings_naming_each()
    {
        // Production on PostgreSQL with nothing else: the check runs before any connection, so no server is needed.
        var node = await ManyiNode.RunAsync("app", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Manyi"] = Postgres,
            ["Manyi__Bootstrap__AdminEmail"] = "admin@example.org",
        }, TimeSpan.FromMinutes(1));

        Assert.Equal(ManyiSettings.ExitCode, node.ExitCode);
        var output = node.Output;
        Assert.Contains("满意 Manyi cannot start: 5 setting(s) missing or wrong.", output);
        Assert.Contains("Manyi:PublicUrl is required in production", output);
        Assert.Contains("Manyi:Smtp:Host is required in production", output);
        Assert.Contains("Manyi:Files:Directory is required in production", output);
        Assert.Contains("Manyi:DataProtection:KeysDirectory is required in production", output);
        Assert.Contains("Manyi:Bootstrap:AdminEmail and AdminPassword go together", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("secret", output);
    }

    [Fact]
    public async Task A_wrong_value_stops_even_the_embedded_default_naming_the_setting_and_the_value()
    {
        var data = Directory.CreateTempSubdirectory("manyi-settings-");
        try
        {
            var node = await ManyiNode.RunAsync("app", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Manyi__DataDirectory"] = data.FullName,
                ["Manyi__Smtp__Security"] = "Tls",
                ["Manyi__Calendar__TimeZone"] = "Asia/Shangai",
            }, TimeSpan.FromMinutes(1));

            Assert.Equal(ManyiSettings.ExitCode, node.ExitCode);
            Assert.Contains("'Tls' at 'Manyi:Smtp:Security'", node.Output);
            Assert.Contains("Manyi:Calendar:TimeZone: 'Asia/Shangai' is not a time zone", node.Output);
            Assert.False(File.Exists(Path.Combine(data.FullName, "manyi.db")), "Nothing may be touched before the settings are right.");
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_embedded_default_needs_no_setting_and_migrate_needs_only_the_database()
    {
        Assert.Empty(ManyiSettings.Problems(Configuration(), Environment("Production")));
        // Development on PostgreSQL (a developer's machine) has no production requirements either.
        Assert.Empty(ManyiSettings.Problems(Configuration(("ConnectionStrings:Manyi", Postgres)), Environment("Development")));
        Assert.Empty(ManyiSettings.Problems(Configuration(("ConnectionStrings:Manyi", Postgres)), Environment("Production"), migrateOnly: true));
    }

    [Theory]
    [InlineData("ConnectionStrings:Manyi", "Database=manyi", "ConnectionStrings:Manyi names no Host")]
    [InlineData("ConnectionStrings:Manyi", "Hots=db;Database=manyi", "ConnectionStrings:Manyi is not a PostgreSQL connection string")]
    [InlineData("Manyi:PublicUrl", "manyi.example.org", "Manyi:PublicUrl: 'manyi.example.org' is not an http or https address")]
    [InlineData("Manyi:Smtp:Port", "70000", "Manyi:Smtp:Port: 70000 is not a port number.")]
    [InlineData("Manyi:Smtp:From", "manyi", "Manyi:Smtp:From: 'manyi' is not a valid e-mail address.")]
    [InlineData("Manyi:Email:ClaimTimeout", "00:00:30", "Manyi:Email:ClaimTimeout (00:00:30) must be longer than Manyi:Smtp:Timeout")]
    [InlineData("Manyi:Hangfire:WorkerCount", "0", "Manyi:Hangfire:WorkerCount must be at least 1")]
    [InlineData("Manyi:Hangfire:WorkerCount", "many", "'many' at 'Manyi:Hangfire:WorkerCount'")]
    [InlineData("Manyi:Hangfire:ReconciliationCron", "every minute", "Manyi:Hangfire:ReconciliationCron 'every minute' is not a cron expression")]
    [InlineData("Manyi:Hangfire:InvisibilityTimeout", "00:00:00", "Manyi:Hangfire:InvisibilityTimeout must be positive")]
    [InlineData("Manyi:Hangfire:DistributedLockTimeout", "-00:00:01", "Manyi:Hangfire:DistributedLockTimeout must be positive")]
    [InlineData("Manyi:Security:SignInDays", "0", "Manyi:Security:SignInDays 须在 0 到 365 天之间")]
    [InlineData("Manyi:Security:StampCheckSeconds", "3600", "Manyi:Security:StampCheckSeconds 须在 0 到 300 秒之间")]
    [InlineData("Manyi:Calendar:TimeZone", "Beijing", "Manyi:Calendar:TimeZone: 'Beijing' is not a time zone")]
    [InlineData("Manyi:CalendarDirectory", "/nowhere/calendars", "Manyi:CalendarDirectory: the folder '/nowhere/calendars' does not exist.")]
    [InlineData("Manyi:Bootstrap:AdminPassword", "admin-pass-2025", "Manyi:Bootstrap:AdminEmail and AdminPassword go together")]
    [InlineData("Manyi:Scripts:Timeout", "00:00:00", "Manyi:Scripts:Timeout must be positive")]
    [InlineData("Manyi:Scripts:MaxResultLength", "0", "Manyi:Scripts:MaxResultLength must be at least 1")]
    [InlineData("Manyi:Scripts:MaxStatements", "lots", "'lots' at 'Manyi:Scripts:MaxStatements'")]
    [InlineData("Manyi:Runtime:MaxConcurrencyRetries", "-1", "Manyi:Runtime:MaxConcurrencyRetries must not be negative")]
    [InlineData("Manyi:Otlp:Endpoint", "collector:4317", "Manyi:Otlp:Endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT): 'collector:4317' is not an absolute http or https address")]
    public void A_wrong_setting_is_named(string key, string value, string expected)
    {
        var problems = ManyiSettings.Problems(Configuration((key, value)), Environment("Development"));

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"Expected «{expected}» among: {string.Join(" | ", problems)}");
    }

    [Fact]
    public void A_files_folder_that_cannot_be_written_is_named()
    {
        var file = Path.GetTempFileName(); // a file where a folder should be: no folder can be created under it
        try
        {
            var problems = ManyiSettings.Problems(Configuration(("Manyi:Files:Directory", Path.Combine(file, "files"))), Environment("Development"));

            Assert.Contains(problems, p => p.StartsWith($"Manyi:Files:Directory: cannot write to '{Path.Combine(file, "files")}'", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings)
    {
        // One folder for every case (the check writes a probe file under it and removes it).
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "manyi-settings-tests")).FullName;
        return new ConfigurationBuilder()
            .AddInMemoryCollection([new("Manyi:DataDirectory", data), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))])
            .Build();
    }

    private static IHostEnvironment Environment(string name) =>
        new HostingEnvironment { EnvironmentName = name, ContentRootPath = AppContext.BaseDirectory, ApplicationName = "Manyi.Web" };
}
