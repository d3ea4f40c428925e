using Microsoft.Extensions.Configuration;

namespace Manyi.Persistence;

/// <summary>The <c>Manyi</c> configuration section's data settings.</summary>
public sealed class ManyiDataOptions
{
    public const string Section = "Manyi";

    /// <summary>Where the embedded default keeps its files (the SQLite database among them).</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    public const string DefaultDataDirectory = "./data";

    /// <summary>
    /// <see cref="DataDirectory"/> as configured, for the modules that keep files of their own beside the database
    /// (mail pickup, uploads, certificates, saved calendars) and decide their folders when they are registered.
    /// </summary>
    public static string DataDirectoryIn(IConfiguration? configuration) =>
        configuration?[$"{Section}:{nameof(DataDirectory)}"] is { Length: > 0 } configured ? configured : DefaultDataDirectory;

    /// <summary>The folder of workflow files imported at start-up; empty means the repository's <c>workflows/</c>.</summary>
    public string? WorkflowsDirectory { get; set; }

    /// <summary>Apply pending migrations at start-up. Default: yes on the embedded SQLite file, no on PostgreSQL.</summary>
    public bool? MigrateOnStartup { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
