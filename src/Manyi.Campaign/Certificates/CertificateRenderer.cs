using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Manyi.Campaign.Certificates;

/// <summary>What a certificate says: who, which rating, which year, its number and the day it was published.</summary>
public sealed record Certificate(string OrganizationId, string OrganizationName, string Rating, int Year, string Number, DateOnly PublishedOn)
{
    /// <summary>The issuer, in Chinese and in English.</summary>
    public const string Issuer = "河南省通信行业协会";
    public const string IssuerEnglish = "Henan Communications Industry Association";

    /// <summary><c>HNCA-&lt;year&gt;-&lt;rating&gt;-&lt;sequence&gt;</c>, e.g. <c>HNCA-2025-AAA-0001</c>.</summary>
    public static string NumberOf(int year, string rating, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"HNCA-{year}-{rating}-{sequence:0000}");

    /// <summary>The day of an instant in Asia/Shanghai, the day people here would name.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Shanghai).DateTime);

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
}

/// <summary>
/// Draws a certificate as a one-page PDF, A4 landscape: the title (信息通信行业用户满意服务组织 证书 / Certificate), the
/// organization's name, its rating in Chinese and in English, the year and the number, the issuer and the day of
/// publication. Without a Chinese font (see <see cref="CertificateFonts"/>) the Chinese lines are left out and the
/// organization's id stands for its name.
/// </summary>
public sealed class CertificateRenderer(CertificateFonts fonts)
{
    private static readonly XColor Red = XColor.FromArgb(0x9B, 0x1B, 0x1F);
    private static readonly XColor Gold = XColor.FromArgb(0xB0, 0x8D, 0x3C);
    private static readonly XColor Ink = XColor.FromArgb(0x22, 0x22, 0x22);
    private static readonly XColor Grey = XColor.FromArgb(0x55, 0x55, 0x55);

    /// <summary>Whether the certificates carry their Chinese text; why not, when they do not.</summary>
    public (bool Chinese, string? Missing) Fonts => (fonts.Chinese is not null, fonts.Missing);

    public byte[] Render(Certificate certificate)
    {
        var chinese = fonts.Chinese;
        CertificateFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"证书 Certificate {certificate.Number}";
        document.Info.Author = $"{Certificate.Issuer} {Certificate.IssuerEnglish}";
        document.Info.Subject = $"{certificate.Year} {certificate.OrganizationId} {certificate.Rating}";
        document.Info.Creator = "Manyi";
        document.Info.CreationDate = certificate.PublishedOn.ToDateTime(TimeOnly.MinValue);

        var page = document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Landscape;
        using (var g = XGraphics.FromPdfPage(page))
            Draw(g, g.PageSize.Width, g.PageSize.Height, certificate, chinese);

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static void Draw(XGraphics g, double width, double height, Certificate c, string? chinese)
    {
        // A double frame: red outside, gold inside.
        g.DrawRectangle(new XPen(Red, 4), 26, 26, width - 52, height - 52);
        g.DrawRectangle(new XPen(Gold, 1.2), 36, 36, width - 72, height - 72);

        var red = new XSolidBrush(Red);
        var ink = new XSolidBrush(Ink);
        var grey = new XSolidBrush(Grey);
        var centre = width / 2;
        var published = c.PublishedOn;
        var latinDate = published.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var english = $"rated {c.Rating} user-satisfaction service organization";
        var line = $"Year {c.Year}      Certificate No. {c.Number}";

        if (chinese is not null)
        {
            Centred(g, "信息通信行业用户满意服务组织", new XFont(chinese, 24), red, centre, 112);
            Centred(g, "证　书", new XFont(chinese, 46), red, centre, 172);
            Centred(g, "Certificate", new XFont(CertificateFonts.LatinSemibold, 18), red, centre, 204);
            Centred(g, c.OrganizationName, Fitted(g, c.OrganizationName, chinese, 32, width - 200), ink, centre, 276);
            Centred(g, $"被评为 {c.Rating} 级用户满意服务组织", new XFont(chinese, 21), ink, centre, 322);
            Centred(g, english, new XFont(CertificateFonts.Latin, 15), grey, centre, 350);
            Centred(g, $"{c.Year} 年度　　证书编号：{c.Number}", new XFont(chinese, 13), ink, centre, 398);
            Centred(g, line, new XFont(CertificateFonts.Latin, 11), grey, centre, 417);

            var right = width - 96;
            Right(g, Certificate.Issuer, new XFont(chinese, 17), ink, right, 474);
            Right(g, Certificate.IssuerEnglish, new XFont(CertificateFonts.Latin, 11), grey, right, 494);
            Right(g, string.Create(CultureInfo.InvariantCulture, $"{published.Year}年{published.Month}月{published.Day}日"), new XFont(chinese, 14), ink, right, 520);
            Right(g, latinDate, new XFont(CertificateFonts.Latin, 11), grey, right, 538);
        }
        else
        {
            Centred(g, "Certificate", new XFont(CertificateFonts.LatinSemibold, 40), red, centre, 150);
            Centred(g, "User-satisfaction service organization of the information and communications industry",
                new XFont(CertificateFonts.Latin, 14), red, centre, 188);
            Centred(g, c.OrganizationId, Fitted(g, c.OrganizationId, CertificateFonts.Latin, 30, width - 200), ink, centre, 276);
            Centred(g, english, new XFont(CertificateFonts.Latin, 19), ink, centre, 322);
            Centred(g, line, new XFont(CertificateFonts.Latin, 13), ink, centre, 398);

            var right = width - 96;
            Right(g, Certificate.IssuerEnglish, new XFont(CertificateFonts.Latin, 14), ink, right, 494);
            Right(g, latinDate, new XFont(CertificateFonts.Latin, 12), grey, right, 520);
        }
    }

    /// <summary>The font at its size, or smaller so that a long name fits the line.</summary>
    private static XFont Fitted(XGraphics g, string text, string family, double size, double room)
    {
        var font = new XFont(family, size);
        var measured = g.MeasureString(text, font).Width;
        return measured <= room ? font : new XFont(family, Math.Max(10, size * room / measured));
    }

    private static void Centred(XGraphics g, string text, XFont font, XBrush brush, double x, double baseline) =>
        g.DrawString(text, font, brush, new XPoint(x, baseline), XStringFormats.BaseLineCenter);

    private static void Right(XGraphics g, string text, XFont font, XBrush brush, double x, double baseline) =>
        g.DrawString(text, font, brush, new XPoint(x, baseline), XStringFormats.BaseLineRight);
}
