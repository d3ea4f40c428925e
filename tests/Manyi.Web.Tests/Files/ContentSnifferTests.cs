using System.IO.Compression;
using System.Text;
using Manyi.Web.Features.Files;

namespace Manyi.Web.Tests.Files;

public sealed class ContentSnifferTests
{
    public static readonly byte[] PngBytes = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    public static readonly byte[] PdfBytes = Encoding.Latin1.GetBytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    private static readonly byte[] JpegBytes = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01];
    private static readonly byte[] OleBytes = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00, 0x00, 0x00, 0x00, 0x3E, 0x00, 0x03, 0x00];
    private static readonly byte[] ExeBytes = [(byte)'M', (byte)'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];

    [Fact]
    public void Pdf_png_jpeg_and_gif_are_known_by_their_magic_bytes()
    {
        Assert.Equal("application/pdf", ContentSniffer.Sniff(PdfBytes, "实践报告.pdf"));
        Assert.Equal("image/png", ContentSniffer.Sniff(PngBytes, "现场.png"));
        Assert.Equal("image/jpeg", ContentSniffer.Sniff(JpegBytes, "证书.jpg"));
        Assert.Equal("image/gif", ContentSniffer.Sniff("GIF89a\x01\x00\x01\x00\x80\x00\x00"u8, "logo.gif"));
        Assert.Equal("image/gif", ContentSniffer.Sniff("GIF87a\x01\x00\x01\x00"u8, "old.gif"));
    }

    [Fact]
    public void The_name_never_decides_a_binary_type()
    {
        Assert.Equal("image/png", ContentSniffer.Sniff(PngBytes, "scan.pdf"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff(ExeBytes, "scan.pdf"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff("MZ"u8, "tiny.pdf"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff([0x7F, (byte)'E', (byte)'L', (byte)'F', 0x02, 0x01, 0x01, 0x00], "report.pdf"));
        Assert.Equal("application/pdf", ContentSniffer.Sniff(PdfBytes, "report.exe"));
    }

    [Fact]
    public void Office_files_are_told_apart_by_their_part_names()
    {
        Assert.Equal(ContentSniffer.Docx, ContentSniffer.Sniff(Zip("[Content_Types].xml", "_rels/.rels", "word/document.xml"), "申请表.docx"));
        Assert.Equal(ContentSniffer.Xlsx, ContentSniffer.Sniff(Zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"), "名单.xlsx"));
        Assert.Equal(ContentSniffer.Pptx, ContentSniffer.Sniff(Zip("[Content_Types].xml", "ppt/presentation.xml"), "汇报.pptx"));
        Assert.Equal("application/zip", ContentSniffer.Sniff(Zip("readme.txt", "photos/1.jpg"), "申请表.docx"));
        Assert.Equal("application/x-ole-storage", ContentSniffer.Sniff(OleBytes, "旧版申请表.doc"));
    }

    [Fact]
    public void A_word_file_written_as_a_stream_is_found_from_its_local_headers()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(new ForwardOnlyStream(output), ZipArchiveMode.Create))
            foreach (var name in new[] { "[Content_Types].xml", "word/document.xml" })
                using (var entry = zip.CreateEntry(name).Open())
                    entry.Write("<xml/>"u8);

        Assert.Equal(ContentSniffer.Docx, ContentSniffer.Sniff(output.ToArray(), "x.docx"));
    }

    [Fact]
    public void A_large_first_part_leaves_the_word_parts_to_the_central_directory_in_the_tail()
    {
        var picture = new byte[2 * ContentSniffer.HeadLength];
        Random.Shared.NextBytes(picture);
        var bytes = Zip(("docProps/thumbnail.jpeg", picture), ("word/document.xml", "<xml/>"u8.ToArray()));
        var head = bytes.AsSpan(0, ContentSniffer.HeadLength);

        Assert.Equal("application/zip", ContentSniffer.Sniff(head, "x.docx"));
        Assert.Equal(ContentSniffer.Docx, ContentSniffer.Sniff(head, "x.docx", bytes.AsSpan(bytes.Length - ContentSniffer.HeadLength)));
    }

    [Fact]
    public void Utf8_text_is_text_and_the_name_may_only_refine_it_to_csv()
    {
        var csv = Encoding.UTF8.GetBytes("单位,人数\n郑州移动,12\n");

        Assert.Equal("text/plain", ContentSniffer.Sniff(csv, "名单.txt"));
        Assert.Equal("text/csv", ContentSniffer.Sniff(csv, "名单.CSV"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff([.. csv, 0x00], "名单.csv"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff([0xC4, 0xE3, 0xBA, 0xC3, 0x0A], "gbk.csv")); // 你好 in GBK: not UTF-8
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff([], "empty.txt"));
    }

    [Fact]
    public void A_character_cut_by_the_end_of_the_head_still_reads_as_text()
    {
        var text = Encoding.UTF8.GetBytes("满意度测评");

        Assert.Equal("text/plain", ContentSniffer.Sniff(text.AsSpan(0, text.Length - 1), "notes.txt"));
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff([.. text, 0xFF], "notes.txt"));
    }

    private static byte[] Zip(params string[] names) => Zip(names.Select(n => (n, "<xml/>"u8.ToArray())).ToArray());

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
                using (var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
                    entry.Write(content);
        return output.ToArray();
    }

    /// <summary>A stream that cannot seek, so that the ZIP writer puts sizes in data descriptors after each part.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
