using Manyi.Email;
using Manyi.Persistence;
using Manyi.Scheduling;
using Manyi.Web.Features.Files;
using Manyi.Web.Infrastructure.Security;
using Npgsql;

namespace Manyi.Web.Infrastructure.Deployment;

/// <summary>
/// Checks every setting before anything starts, so that a missing or wrong one stops the app with a message naming it
/// instead of failing later (the first reminder, the first upload). Some settings are required only in production: the
/// <c>Production</c> environment on PostgreSQL, the shared deployment of several nodes; the embedded SQLite default
/// starts with none of them.
/// </summary>
public static class ManyiSettings
{
    /// <summary>Exit code of a refused start.</summary>
    public const int ExitCode = 2;

    /// <summary>The problems, each naming its setting and what would do; empty when the app may start.</summary>
    /// <param name="migrateOnly">The <c>migrate</c> command: it needs the database and nothing else.</param>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IHostEnvironment environment, bool migrateOnly = false)
    {
        var problems = new List<string>();
        var connectionString = configuration.GetConnectionString("Manyi");
        var onPostgres = !string.IsNullOrWhiteSpace(connectionString);
        if (onPostgres)
            CheckConnectionString(connectionString!, problems);
        if (migrateOnly) return problems;

        var production = environment.IsProduction() && onPostgres;
        Check(problems, () => problems.AddRange(Bind<ManyiSchedulingOptions>(configuration, ManyiSchedulingOptions.Section).Problems()));
        Check(problems, () =>
        {
            var smtp = Bind<SmtpOptions>(configuration, SmtpOptions.Section);
            var email = Bind<EmailOptions>(configuration, EmailOptions.Section);
            problems.AddRange(ManyiEmailServiceCollectionExtensions.Problems(smtp, email));
            CheckTimeZone(email.TimeZone, $"{EmailOptions.Section}:TimeZone", problems);
            if (production && !smtp.IsConfigured)
                problems.Add($"{SmtpOptions.Section}:Host is required in production: without it every e-mail is written as a file on one node's disk " +
                             "instead of being sent (set Manyi__Smtp__Host, Port, Security, UserName, Password).");
        });
        Check(problems, () => problems.AddRange(Bind<Manyi.Engine.Expressions.ScriptLimits>(configuration, Manyi.Engine.Expressions.ScriptLimits.Section).Problems()));
        Check(problems, () => problems.AddRange(Bind<Manyi.Engine.Runtime.RuntimeOptions>(configuration, Manyi.Engine.Runtime.RuntimeOptions.Section).Problems()));
        Check(problems, () => problems.AddRange(Bind<Security.SecurityOptions>(configuration, Security.SecurityOptions.Section).Problems()));
        CheckTimeZone(configuration["Manyi:Calendar:TimeZone"] ?? Manyi.Engine.Calendar.BusinessCalendar.DefaultTimeZone, "Manyi:Calendar:TimeZone", problems);
        Check(problems, () => Bind<Manyi.Engine.Calendar.CalendarOptions>(configuration, "Manyi:Calendar"));

        CheckFolderExists(configuration["Manyi:CalendarDirectory"], "Manyi:CalendarDirectory", environment, problems);

        var files = configuration[$"{FileStoreOptions.Section}:Directory"];
        if (production && string.IsNullOrWhiteSpace(files))
            problems.Add($"{FileStoreOptions.Section}:Directory is required in production: a folder every node shares (a volume), " +
                         "or an upload on one node is missing on the other.");
        var dataDirectory = ManyiDataOptions.DataDirectoryIn(configuration);
        CheckWritable(string.IsNullOrWhiteSpace(files) ? Path.Combine(dataDirectory, "files") : files, $"{FileStoreOptions.Section}:Directory", problems);

        var keys = configuration[DataProtectionSetup.KeysDirectorySetting];
        if (production && string.IsNullOrWhiteSpace(keys))
            problems.Add($"{DataProtectionSetup.KeysDirectorySetting} is required in production: a folder every node shares, " +
                         "or a sign-in made on one node is refused by the other.");
        if (!string.IsNullOrWhiteSpace(keys))
            CheckWritable(keys, DataProtectionSetup.KeysDirectorySetting, problems);

        var publicUrl = configuration["Manyi:PublicUrl"];
        if (string.IsNullOrWhiteSpace(publicUrl))
        {
            if (production)
                problems.Add("Manyi:PublicUrl is required in production: the address users open (e.g. https://manyi.example.org), " +
                             "which links in invitations and password resets point to.");
        }
        else if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add($"Manyi:PublicUrl: '{publicUrl}' is not an http or https address (e.g. https://manyi.example.org).");
        }

        var bootstrap = Bind<BootstrapOptions>(configuration, BootstrapOptions.Section, problems);
        if (bootstrap is not null)
        {
            if (string.IsNullOrWhiteSpace(bootstrap.AdminEmail) != string.IsNullOrWhiteSpace(bootstrap.AdminPassword))
                problems.Add($"{BootstrapOptions.Section}:AdminEmail and AdminPassword go together: set both (the first administrator) or neither.");
            else if (!string.IsNullOrWhiteSpace(bootstrap.AdminEmail) && !EmailAddresses.TryParse(bootstrap.AdminEmail, out _))
                problems.Add($"{BootstrapOptions.Section}:AdminEmail: '{bootstrap.AdminEmail}' is not an e-mail address.");
        }

        if (Telemetry.OtlpEndpoint(configuration) is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
            problems.Add($"{Telemetry.EndpointSetting} (or OTEL_EXPORTER_OTLP_ENDPOINT): '{endpoint}' is not an absolute http or https address (e.g. http://collector:4317).");
        return problems;
    }

    /// <summary>Writes the refusal to standard error: every problem, then where settings come from.</summary>
    public static void Explain(IReadOnlyList<string> problems, TextWriter output)
    {
        output.WriteLine($"满意 Manyi cannot start: {problems.Count} setting(s) missing or wrong.");
        foreach (var problem in problems)
            output.WriteLine($"  - {problem}");
        output.WriteLine("Settings come from appsettings.json, environment variables (Manyi__PublicUrl, ConnectionStrings__Manyi, …) " +
                         "or the command line; the README's Configuration table lists them.");
    }

    private static void CheckConnectionString(string connectionString, List<string> problems)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
                problems.Add("ConnectionStrings:Manyi names no Host (e.g. Host=postgres;Database=manyi;Username=manyi;Password=…).");
        }
        catch (ArgumentException ex)
        {
            problems.Add($"ConnectionStrings:Manyi is not a PostgreSQL connection string: {ex.Message}");
        }
    }

    private static void CheckTimeZone(string zone, string setting, List<string> problems)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problems.Add($"{setting}: '{zone}' is not a time zone this machine knows (e.g. Asia/Shanghai; install tzdata).");
        }
    }

    /// <summary>A configured folder that does not exist is a typo, not an empty folder: the calendar would silently have no holidays.</summary>
    private static void CheckFolderExists(string? configured, string setting, IHostEnvironment environment, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(configured)) return;
        var path = Path.GetFullPath(configured, environment.ContentRootPath);
        if (!Directory.Exists(path))
            problems.Add($"{setting}: the folder '{path}' does not exist.");
    }

    /// <summary>Creates the folder if needed and writes a file into it, as the app will (a volume mounted read-only or owned by root fails here).</summary>
    private static void CheckWritable(string folder, string setting, List<string> problems)
    {
        var path = Path.GetFullPath(folder);
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".manyi-write-check-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{setting}: cannot write to '{path}' ({ex.Message}).");
        }
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new() =>
        configuration.GetSection(section).Get<T>() ?? new T();

    private static T? Bind<T>(IConfiguration configuration, string section, List<string> problems) where T : class, new()
    {
        T? result = null;
        Check(problems, () => result = Bind<T>(configuration, section));
        return result;
    }

    /// <summary>Runs a check; a value that cannot be read (the binder's error) or an option class's own validation becomes a problem.</summary>
    private static void Check(List<string> problems, Action check)
    {
        try
        {
            check();
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.InnerException is FormatException or OverflowException or ArgumentException ? $"{ex.Message} {ex.InnerException.Message}" : ex.Message);
        }
    }
}
