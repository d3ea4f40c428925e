using System.Text;
using Manyi.Web.Features.Files;

namespace Manyi.Web.Tests.Files;

public sealed class SafeFileNameTests
{
    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\win.ini", "win.ini")]
    [InlineData("C:\\x\\y.pdf", "y.pdf")]
    [InlineData("/home/someone/申报材料/实践报告.pdf", "实践报告.pdf")]
    [InlineData("实践报告.pdf", "实践报告.pdf")]
    [InlineData("郑州移动 2025 自评报告（终稿）.docx", "郑州移动 2025 自评报告（终稿）.docx")]
    [InlineData("a\u0000b\u0007c\r\n.pdf", "abc.pdf")]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("what<>:\"|?*.pdf", "what.pdf")]
    [InlineData("report..final.pdf", "report.final.pdf")]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("  ..report. . ", "report")]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt")]
    [InlineData("..", "file")]
    [InlineData("../", "file")]
    [InlineData("\u0001\u0002", "file")]
    [InlineData("", "file")]
    [InlineData(null, "file")]
    public void Keeps_a_name_safe_to_show_and_to_download(string? uploaded, string safe) =>
        Assert.Equal(safe, SafeFileName.From(uploaded));

    [Theory]
    [InlineData("a", 1)]
    [InlineData("报", 3)]
    [InlineData("😀", 4)]
    public void A_long_name_is_cut_between_characters_before_its_extension(string character, int bytesEach)
    {
        var uploaded = string.Concat(Enumerable.Repeat(character, 300)) + ".pdf";

        var safe = SafeFileName.From(uploaded);

        var bytes = Encoding.UTF8.GetByteCount(safe);
        Assert.InRange(bytes, 255 - bytesEach + 1, 255);
        Assert.EndsWith(".pdf", safe);
        Assert.Equal(string.Concat(Enumerable.Repeat(character, (255 - 4) / bytesEach)) + ".pdf", safe);
        Assert.Equal(safe, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(safe)));
    }

    [Fact]
    public void An_absurd_extension_is_cut_like_the_rest_of_the_name()
    {
        var safe = SafeFileName.From("report." + new string('x', 400));

        Assert.Equal(255, safe.Length);
        Assert.StartsWith("report.xxx", safe);
    }
}
