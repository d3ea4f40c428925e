using System.Collections.Concurrent;

namespace Manyi.Testing;

/// <summary>
/// Databases filled once per test process (migrated, say) and copied for each test, which costs a fraction of migrating
/// each test's database again: on PostgreSQL <c>CREATE DATABASE … TEMPLATE</c>, on SQLite a copy of the file. Each test
/// still has a database of its own. A template is named by a key: one per way of filling it.
/// </summary>
public static class DatabaseTemplates
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<TestDatabase>>> PostgresTemplates = new();
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> SqliteTemplates = new();

    /// <summary>A new PostgreSQL database, a copy of the template <paramref name="key"/>, which <paramref name="fill"/> fills the first time.</summary>
    public static async Task<TestDatabase> CopyPostgresAsync(string key, Func<TestDatabase, Task> fill)
    {
        var template = await PostgresTemplates.GetOrAdd(key, _ => new Lazy<Task<TestDatabase>>(async () =>
        {
            var database = await PostgresServer.CreateDatabaseAsync();
            await fill(database);
            await database.MakeTemplateAsync();
            return database;
        })).Value;
        return await PostgresServer.CreateDatabaseAsync(template);
    }

    /// <summary>
    /// Copies the SQLite file <paramref name="fileName"/> (with its <c>-wal</c>, if any) into <paramref name="folder"/>
    /// from the template <paramref name="key"/>, which <paramref name="fill"/> writes the first time into a folder it
    /// is given. Whatever fill opened must be closed when it returns.
    /// </summary>
    public static async Task CopySqliteAsync(string key, string fileName, string folder, Func<string, Task> fill)
    {
        var template = await SqliteTemplates.GetOrAdd(key, _ => new Lazy<Task<string>>(async () =>
        {
            var templateFolder = Path.Combine(Path.GetTempPath(), "manyi-template-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(templateFolder);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(templateFolder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"The template folder {templateFolder} could not be removed: {ex.Message}");
                }
            };
            await fill(templateFolder);
            return templateFolder;
        })).Value;
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { fileName, fileName + "-wal" })
            if (File.Exists(Path.Combine(template, name)))
                File.Copy(Path.Combine(template, name), Path.Combine(folder, name));
    }
}
