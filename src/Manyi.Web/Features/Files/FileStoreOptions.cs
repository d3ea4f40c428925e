using Manyi.Persistence;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Web.Features.Files;

/// <summary>The <c>Manyi:Files</c> section: where uploaded files are kept and how much a task may hold.</summary>
public sealed class FileStoreOptions
{
    public const string Section = "Manyi:Files";

    /// <summary>The folder of the files; default <c>files</c> in <c>Manyi:DataDirectory</c>. Relative to the current directory.</summary>
    public string? Directory { get; set; }

    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>All the files of one task together: a submission's report, survey and evidence.</summary>
    public long MaxTaskBytes { get; set; } = 100 * 1024 * 1024;
}

public static class FilesSetup
{
    /// <summary>The file store and its options, checked at start-up so that a bad limit stops the app rather than an upload.</summary>
    public static IServiceCollection AddManyiFiles(this IServiceCollection services, IConfiguration configuration)
    {
        var dataDirectory = ManyiDataOptions.DataDirectoryIn(configuration);
        services.AddOptions<FileStoreOptions>()
            .Bind(configuration.GetSection(FileStoreOptions.Section))
            .PostConfigure(o => o.Directory = Path.GetFullPath(string.IsNullOrWhiteSpace(o.Directory) ? Path.Combine(dataDirectory, "files") : o.Directory))
            .Validate(o => o.MaxFileBytes > 0, $"{FileStoreOptions.Section}:MaxFileBytes must be positive.")
            .Validate(o => o.MaxTaskBytes >= o.MaxFileBytes, $"{FileStoreOptions.Section}:MaxTaskBytes must be at least MaxFileBytes.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<FileStore>();
        return services;
    }
}
