using Manyi.Persistence;
using Microsoft.Extensions.Configuration;

namespace Manyi.Campaign.Certificates;

/// <summary>The <c>Manyi:Certificates</c> section, and where the certificates are kept (the file store's folder).</summary>
public sealed class CertificateOptions
{
    public const string Section = "Manyi:Certificates";

    /// <summary>The value of <see cref="FontFile"/> that turns the Chinese text off: certificates in Latin text only.</summary>
    public const string NoFont = "none";

    /// <summary>
    /// A font with Chinese glyphs and TrueType outlines (<c>.ttf</c>, or a <c>.ttc</c> collection whose first face is
    /// used); <see cref="NoFont"/> for Latin text only; unset to look for one in <see cref="CertificateFonts.WellKnownFiles"/>.
    /// </summary>
    public string? FontFile { get; set; }

    /// <summary>
    /// The file store's folder, as the web host's file store reads it: <c>Manyi:Files:Directory</c>, default <c>files</c>
    /// in <c>Manyi:DataDirectory</c>, relative to the current directory. The certificates are under
    /// <c>certificates/&lt;year&gt;/</c> in it.
    /// </summary>
    public string FilesDirectory { get; set; } = "";

    /// <summary>Reads the options from configuration (either may be missing: the defaults then).</summary>
    internal static void Read(CertificateOptions options, IConfiguration? configuration)
    {
        configuration?.GetSection(Section).Bind(options);
        var directory = configuration?["Manyi:Files:Directory"];
        var dataDirectory = ManyiDataOptions.DataDirectoryIn(configuration);
        options.FilesDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(directory) ? Path.Combine(dataDirectory, "files") : directory);
    }
}
