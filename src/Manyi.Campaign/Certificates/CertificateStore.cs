using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Manyi.Campaign.Certificates;

/// <summary>
/// The certificates as files: <c>certificates/&lt;year&gt;/&lt;organizationId&gt;.pdf</c> in the file store's folder
/// (<see cref="CertificateOptions.FilesDirectory"/>, the folder the web host's file store uses). A certificate is
/// written to a temporary file beside its place and then moved over it, so a reader sees the old file or the new one,
/// never half of one; writing it again (a publication run again) replaces it. Who may read one is the endpoint's business.
/// </summary>
public sealed partial class CertificateStore(IOptions<CertificateOptions> options)
{
    public const string Folder = "certificates";

    private readonly string _root = Path.GetFullPath(options.Value.FilesDirectory);

    /// <summary>The folder the paths are relative to.</summary>
    public string Root => _root;

    /// <summary>
    /// Whether an organization id can name a file: letters, digits, '-' and '_' (the ids the API allows are a subset),
    /// so that no id can reach outside the folder.
    /// </summary>
    public static bool IsUsableId(string? organizationId) =>
        organizationId is { Length: > 0 and <= 100 } && SafeId().IsMatch(organizationId);

    /// <summary><c>certificates/&lt;year&gt;/&lt;organizationId&gt;.pdf</c>, with '/' on every system.</summary>
    public static string RelativePath(int year, string organizationId)
    {
        if (!IsUsableId(organizationId))
            throw new ArgumentException($"The organization id '{organizationId}' cannot name a certificate file.", nameof(organizationId));
        return $"{Folder}/{year}/{organizationId}.pdf";
    }

    /// <summary>Where the certificate is on disk (whether or not it exists).</summary>
    public string FullPath(int year, string organizationId)
    {
        var full = Path.GetFullPath(Path.Combine(_root, RelativePath(year, organizationId)));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(_root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"The certificate path '{full}' is outside the file store.");
        return full;
    }

    /// <summary>Writes (or replaces) the certificate atomically; returns its path relative to <see cref="Root"/>.</summary>
    public async Task<string> SaveAsync(int year, string organizationId, ReadOnlyMemory<byte> pdf, CancellationToken cancellationToken)
    {
        var final = FullPath(year, organizationId);
        var folder = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(folder);
        // In the same folder, so that the move is a rename on the same file system.
        var temporary = Path.Combine(folder, $".{organizationId}.{Guid.NewGuid():N}.part");
        try
        {
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            }))
            {
                await file.WriteAsync(pdf, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return RelativePath(year, organizationId);
    }

    /// <summary>Removes the certificate; false when there was none.</summary>
    public bool Delete(int year, string organizationId)
    {
        var path = FullPath(year, organizationId);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>The certificate's content, read-only; null when there is none (or the id cannot name one).</summary>
    public Stream? Open(int year, string organizationId)
    {
        if (!IsUsableId(organizationId)) return null;
        try
        {
            return new FileStream(FullPath(year, organizationId), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\z")]
    private static partial Regex SafeId();
}
