using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PdfSharp.Drawing;
using PdfSharp.Fonts;

namespace Manyi.Campaign.Certificates;

/// <summary>
/// The certificates' fonts: a Latin face that ships with PDFsharp (Segoe WP, in <c>PdfSharp.WPFonts</c>), always there,
/// and a Chinese (CJK) face found on the machine, when there is one.
/// </summary>
/// <remarks>
/// <para>
/// PDFsharp's core build reads no system fonts on Linux: every face comes from the one process-wide
/// <see cref="GlobalFontSettings.FontResolver"/>, which may be set only once (to the same instance again after that).
/// So one resolver, <see cref="Resolver"/>, serves every face, and each Chinese font file is registered with it under a
/// family name of its own; two hosts (or tests) in one process with different font settings do not disturb each other.
/// </para>
/// <para>
/// The Chinese face is the file <see cref="CertificateOptions.FontFile"/> names or, when that is unset, the first of
/// <see cref="WellKnownFiles"/> (Debian's packages) that is present. Debian ships CJK fonts as <c>.ttc</c> collections,
/// which PDFsharp 6.2 cannot read; the first face of a collection is copied out into a font of its own. PDFsharp embeds
/// only the glyphs used from a font with TrueType outlines, but a font with CFF outlines (Noto Sans CJK, an "OTTO"
/// font) whole — about 14 MB in every certificate, and seconds to write each — so such a font is refused as if absent.
/// </para>
/// <para>
/// Without a usable Chinese font the certificates are still produced, with their Latin text only (the English lines,
/// the organization's id for its name, the rating, the year, the number): a missing font is a matter of the machine's
/// set-up, which must not stop a publication that has already stored the ratings and queued the e-mails. It is logged
/// once, as a warning naming the remedy (install <c>fonts-wqy-microhei</c>, or set <c>Manyi:Certificates:FontFile</c>),
/// and the publication's journal says so too. <see cref="CertificateOptions.NoFont"/> asks for Latin text on purpose.
/// </para>
/// </remarks>
public sealed class CertificateFonts
{
    /// <summary>Where Debian's CJK font packages put their regular face, most suitable first.</summary>
    public static readonly IReadOnlyList<string> WellKnownFiles =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",              // fonts-wqy-microhei
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",                // fonts-wqy-zenhei
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",   // fonts-droid-fallback
        "/usr/share/fonts/truetype/arphic/uming.ttc",                  // fonts-arphic-uming
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",      // fonts-noto-cjk: CFF outlines, refused (see remarks)
    ];

    /// <summary>The Latin family (Segoe WP): every certificate's English lines, and all of its text without a Chinese font.</summary>
    public const string Latin = "Manyi Latin";

    /// <summary>The Latin family's semibold face, for the title.</summary>
    public const string LatinSemibold = "Manyi Latin Semibold";

    /// <summary>The one font resolver of the process (see remarks).</summary>
    internal static readonly FontResolver Resolver = new();

    private static readonly Lock InstallLock = new();

    private readonly CertificateOptions _options;
    private readonly ILogger<CertificateFonts> _logger;
    private readonly Lazy<(string? Family, string? Missing)> _chinese;

    public CertificateFonts(IOptions<CertificateOptions> options, ILogger<CertificateFonts> logger)
    {
        _options = options.Value;
        _logger = logger;
        _chinese = new(FindChinese, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The family of the Chinese face (found on first use); null when the certificates have Latin text only.</summary>
    public string? Chinese => _chinese.Value.Family;

    /// <summary>Why there is no Chinese face, for the journal; null when there is one.</summary>
    public string? Missing => _chinese.Value.Missing;

    /// <summary>Sets the process's font resolver to <see cref="Resolver"/>, once.</summary>
    public static void Install()
    {
        lock (InstallLock)
        {
            if (!ReferenceEquals(GlobalFontSettings.FontResolver, Resolver)) GlobalFontSettings.FontResolver = Resolver;
        }
    }

    private (string? Family, string? Missing) FindChinese()
    {
        Install();
        var configured = _options.FontFile?.Trim();
        if (string.Equals(configured, CertificateOptions.NoFont, StringComparison.OrdinalIgnoreCase))
        {
            _logger.LogInformation("Certificates have Latin text only: {Setting} is '{Value}'.", $"{CertificateOptions.Section}:FontFile", CertificateOptions.NoFont);
            return (null, $"{CertificateOptions.Section}:FontFile is '{CertificateOptions.NoFont}'");
        }

        var refused = new List<string>();
        IEnumerable<string> candidates = string.IsNullOrEmpty(configured) ? WellKnownFiles : [Path.GetFullPath(configured)];
        foreach (var path in candidates)
        {
            if (!File.Exists(path))
            {
                if (!string.IsNullOrEmpty(configured)) refused.Add($"{path}: no such file");
                continue;
            }
            try
            {
                var family = Resolver.Register(path, TrueTypeFace(File.ReadAllBytes(path)));
                var font = new XFont(family, 12);
                if (GlyphHelper.GlyphIndexFromCodePoint('证', font) == 0 || GlyphHelper.GlyphIndexFromCodePoint('书', font) == 0)
                {
                    refused.Add($"{path}: has no Chinese glyphs");
                    continue;
                }
                _logger.LogInformation("Certificates use the Chinese font {FontFile}.", path);
                return (family, null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                refused.Add($"{path}: {ex.Message}");
            }
        }

        var where = string.IsNullOrEmpty(configured) ? $"none of {string.Join(", ", WellKnownFiles)} is usable" : $"{CertificateOptions.Section}:FontFile is not usable";
        var missing = refused.Count == 0 ? where : $"{where} ({string.Join("; ", refused)})";
        _logger.LogWarning(
            "Certificates will have Latin text only, without the organizations' Chinese names: no Chinese font, {Missing}. " +
            "Install Debian's fonts-wqy-microhei, or set {Setting} to a .ttf/.ttc font with Chinese glyphs and TrueType outlines.",
            missing, $"{CertificateOptions.Section}:FontFile");
        return (null, missing);
    }

    /// <summary>
    /// A font PDFsharp can read and subset: a TrueType-outline font as it is, or the first face of a collection
    /// (<c>.ttc</c>) copied out. A font with CFF outlines is refused.
    /// </summary>
    internal static byte[] TrueTypeFace(byte[] file)
    {
        if (file.Length < 12) throw new InvalidDataException("not a font file");
        if (Tag(file, 0) != "ttcf")
        {
            CheckOutlines(file, 0);
            return file;
        }
        var start = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(12)));
        CheckOutlines(file, start);
        var tables = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(start + 4));
        var header = 12 + 16 * tables;
        var size = header;
        for (var i = 0; i < tables; i++)
            size = checked(size + Padded(BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(start + 12 + 16 * i + 12))));
        var face = new byte[size];
        file.AsSpan(start, header).CopyTo(face);
        var at = header;
        for (var i = 0; i < tables; i++)
        {
            // Table records (tag, checksum, offset, length): the offsets in a collection count from the file's start.
            var record = 12 + 16 * i;
            var offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(start + record + 8)));
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(start + record + 12)));
            file.AsSpan(offset, length).CopyTo(face.AsSpan(at));
            BinaryPrimitives.WriteUInt32BigEndian(face.AsSpan(record + 8), (uint)at);
            at += Padded((uint)length);
        }
        return face;

        static int Padded(uint length) => checked((int)((length + 3) & ~3u));
    }

    private static void CheckOutlines(byte[] file, int start)
    {
        var version = Tag(file, start);
        if (version == "OTTO")
            throw new InvalidDataException("its outlines are CFF, which PDFsharp embeds whole (megabytes in every certificate)");
        if (version is not ("\0\u0001\0\0" or "true"))
            throw new InvalidDataException("not a TrueType font");
    }

    private static string Tag(byte[] file, int at) => Encoding.Latin1.GetString(file, at, 4);

    /// <summary>Serves the Latin faces from PDFsharp's own assembly and each registered Chinese font by its family.</summary>
    internal sealed class FontResolver : IFontResolver
    {
        private readonly ConcurrentDictionary<string, byte[]> _chinese = new(StringComparer.Ordinal);

        /// <summary>Registers a font under a family named after its path (the same path, the same family); returns the family.</summary>
        public string Register(string path, byte[] face)
        {
            var family = "Manyi CJK " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16];
            _chinese.TryAdd(family, face);
            return family;
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) => familyName switch
        {
            Latin => new FontResolverInfo(Latin),
            LatinSemibold => new FontResolverInfo(LatinSemibold),
            _ when _chinese.ContainsKey(familyName) => new FontResolverInfo(familyName),
            _ => null,
        };

        public byte[]? GetFont(string faceName) => faceName switch
        {
            Latin => PdfSharp.WPFonts.FontDataHelper.SegoeWP,
            LatinSemibold => PdfSharp.WPFonts.FontDataHelper.SegoeWPSemibold,
            _ => _chinese.GetValueOrDefault(faceName),
        };
    }
}
