namespace Manyi.Web.Infrastructure;

/// <summary>Folders that ship with the repository (workflows/, calendars/), found above the content root unless configured.</summary>
public static class RepositoryFolders
{
    /// <summary>The configured path (relative to the content root), else <paramref name="name"/> beside the repository's global.json.</summary>
    public static string Resolve(string? configured, string name, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured, contentRoot);
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, name)))
                return Path.Combine(dir.FullName, name);
        return Path.Combine(contentRoot, name);
    }
}
