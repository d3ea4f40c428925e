using System.Globalization;

namespace Manyi.Engine.Forms;

/// <summary>A file already uploaded to the task; the content type was sniffed from the content by the file store.</summary>
public sealed record FormFile(string Id, string FileName, string ContentType, long Size);

/// <summary>Sizes as people read them in messages: "20 MB", "500 KB".</summary>
public static class FileSize
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / (1024d * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1024 => (bytes / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
