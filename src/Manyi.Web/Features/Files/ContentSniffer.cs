using System.Buffers.Binary;
using System.Text.Unicode;

namespace Manyi.Web.Features.Files;

/// <summary>
/// Decides a file's type from its first bytes, never from its name or the request's Content-Type: those are the
/// uploader's word, and a form that accepts PDFs must not store an executable renamed <c>scan.pdf</c> as one.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many bytes <see cref="Sniff"/> wants: enough to find the part names of an Office file's first entries.</summary>
    public const int HeadLength = 64 * 1024;

    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    public const string Zip = "application/zip";
    public const string Ole = "application/x-ole-storage";
    public const string Text = "text/plain";
    public const string Csv = "text/csv";
    public const string Binary = "application/octet-stream";

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> OleMagic => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <param name="head">The first bytes of the content (up to <see cref="HeadLength"/>).</param>
    /// <param name="fileName">Only refines text into CSV; it never makes binary content anything but binary.</param>
    /// <param name="tail">
    /// The last bytes, when the head is not the whole file: a ZIP's central directory, which names every part even
    /// when a large first part (an embedded picture) pushes the Office parts out of the head.
    /// </param>
    public static string Sniff(ReadOnlySpan<byte> head, string fileName, ReadOnlySpan<byte> tail = default)
    {
        if (head.StartsWith("%PDF-"u8)) return Pdf;
        if (head.StartsWith(PngMagic)) return Png;
        if (head.StartsWith(JpegMagic)) return Jpeg;
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return Gif;
        if (head.StartsWith("PK\x03\x04"u8)) return Office(head) ?? Office(tail) ?? Zip;
        if (head.StartsWith(OleMagic)) return Ole;
        if (head.StartsWith("MZ"u8)) return Binary;
        if (IsText(head)) return fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? Csv : Text;
        return Binary;
    }

    /// <summary>
    /// An Office Open XML file is a ZIP whose part names say what it is (<c>word/</c>, <c>xl/</c>, <c>ppt/</c>). The names
    /// are read from every local header (signature PK 03 04) and central-directory entry (PK 01 02) found in the bytes,
    /// so entries written with a trailing data descriptor, whose sizes are unknown up front, are found as well.
    /// </summary>
    private static string? Office(ReadOnlySpan<byte> bytes)
    {
        for (var at = 0; at + 4 <= bytes.Length; at++)
        {
            if (bytes[at] != 'P' || bytes[at + 1] != 'K') continue;
            var name = (bytes[at + 2], bytes[at + 3]) switch
            {
                (3, 4) => Name(bytes, at, lengthAt: 26, nameAt: 30),
                (1, 2) => Name(bytes, at, lengthAt: 28, nameAt: 46),
                _ => default,
            };
            if (name.StartsWith("word/"u8)) return Docx;
            if (name.StartsWith("xl/"u8)) return Xlsx;
            if (name.StartsWith("ppt/"u8)) return Pptx;
        }
        return null;
    }

    private static ReadOnlySpan<byte> Name(ReadOnlySpan<byte> bytes, int header, int lengthAt, int nameAt)
    {
        if (header + nameAt > bytes.Length) return default;
        var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(header + lengthAt)..]);
        return bytes[(header + nameAt)..Math.Min(bytes.Length, header + nameAt + length)];
    }

    /// <summary>UTF-8 without NUL bytes; a character cut in two by the end of the head does not count against it.</summary>
    private static bool IsText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty || head.Contains((byte)0)) return false;
        if (Utf8.IsValid(head)) return true;
        var lead = head.Length - 1;
        while (lead > 0 && lead > head.Length - 4 && (head[lead] & 0xC0) == 0x80) lead--;
        var needed = head[lead] switch
        {
            >= 0xC2 and <= 0xDF => 2,
            >= 0xE0 and <= 0xEF => 3,
            >= 0xF0 and <= 0xF4 => 4,
            _ => 0,
        };
        return head.Length - lead < needed && Utf8.IsValid(head[..lead]);
    }
}
