namespace Manyi.Persistence;

/// <summary>The <c>Manyi</c> configuration section's data settings.</summary>
public sealed class ManyiDataOptions
{
    public const string Section = "Manyi";

    /// <summary>Where the embedded default keeps its files (the SQLite database among them).</summary>
    public string DataDirectory { get; set; } = "./data";

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
