using System.Text;
using System.Text.Json.Nodes;
using Manyi.Campaign.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Manyi.Campaign.Tests.CampaignHarness;

namespace Manyi.Campaign.Tests.Certificates;

public sealed class CertificatesTests
{
    private static readonly JsonObject Results2025 = new()
    {
        ["telecom-luoyang"] = new JsonObject { ["rating"] = null },
        ["unicom-kaifeng"] = new JsonObject { ["rating"] = "AA" },
        ["broadcast-xinxiang"] = new JsonObject { ["rating"] = "A" },
        ["mobile-zhengzhou"] = new JsonObject { ["rating"] = "AAA" },
        ["mobile-kaifeng"] = new JsonObject { ["rating"] = "AA" },
    };

    private static readonly string[] Expected =
    [
        "mobile-zhengzhou HNCA-2025-AAA-0001 certificates/2025/mobile-zhengzhou.pdf",
        "mobile-kaifeng HNCA-2025-AA-0002 certificates/2025/mobile-kaifeng.pdf",
        "unicom-kaifeng HNCA-2025-AA-0003 certificates/2025/unicom-kaifeng.pdf",
        "broadcast-xinxiang HNCA-2025-A-0004 certificates/2025/broadcast-xinxiang.pdf",
    ];

    private static Task SeedAsync(CampaignHarness campaign) => campaign.SeedAsync(
        Organization("mobile-zhengzhou", "郑州移动", "移动", "郑州", null, ("张三", "zhang@example.org")),
        Organization("mobile-kaifeng", "开封移动", "移动", "开封", "A", ("钱七", "qian@example.org")),
        Organization("unicom-kaifeng", "开封联通", "联通", "开封", null, ("王五", "wang@example.org")),
        Organization("telecom-luoyang", "洛阳电信", "电信", "洛阳", "A", ("孙八", "sun@example.org")),
        Organization("broadcast-xinxiang", "新乡广电", "广电", "新乡"));

    /// <summary>Publishes, then loops back to publish again in the same instance, as a retried burst would.</summary>
    private static async Task<(Manyi.Engine.Runtime.WorkflowInstance First, Manyi.Engine.Runtime.WorkflowInstance Again)> PublishTwiceAsync(CampaignHarness campaign, JsonObject results)
    {
        var publish = Activity("publish", "Manyi.PublishRatings", ("results", "Object", results), ("year", "Int32", 2025));
        var instance = await campaign.RunAsync(Workflow("publish-2025", [Start(), publish, Event("again", "again")],
            [Connect("start", "publish"), Connect("publish", "again"), Connect("again", "publish")]));
        return (instance, await campaign.SendEventAsync(instance, "again"));
    }

    private static string[] Listed(Manyi.Engine.Runtime.WorkflowInstance instance) =>
        [.. instance.State.ActivityOutputs["publish"]["Certificates"]!.AsArray().Select(c => $"{c!["organizationId"]} {c["number"]} {c["path"]}")];

    private static string FilePath(CampaignHarness campaign, string relative) => Path.Combine(campaign.Folder, "files", relative);

    private static string Text(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().Select(p => p.Text));
    }

    [Fact]
    public async Task Each_rated_organization_gets_a_pdf_certificate_numbered_in_the_lists_order_and_publishing_again_gives_the_same()
    {
        await using var campaign = await StartAsync("sqlite");
        await SeedAsync(campaign);

        var (first, again) = await PublishTwiceAsync(campaign, Results2025);

        Assert.Equal(Expected, Listed(first));
        Assert.Equal(Expected, Listed(again));
        foreach (var line in Expected)
        {
            var (id, number, path) = (line.Split(' ')[0], line.Split(' ')[1], line.Split(' ')[2]);
            var pdf = await File.ReadAllBytesAsync(FilePath(campaign, path), TestContext.Current.CancellationToken);
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
            Assert.Contains(number, Text(pdf));
        }
        Assert.False(File.Exists(FilePath(campaign, "certificates/2025/telecom-luoyang.pdf"))); // not rated
        Assert.Empty(Directory.GetFiles(FilePath(campaign, "certificates/2025"), ".*")); // no temporary file left
        var journal = await campaign.JournalAsync(first.Id);
        Assert.Equal(2, journal.Count(m => m == "certificates.written {\"year\":2025,\"count\":4}"));
    }

    [Fact]
    public async Task With_a_chinese_font_the_certificate_has_the_chinese_name_and_lines()
    {
        await using var campaign = await StartAsync("sqlite");
        Assert.SkipWhen(campaign.Services.GetRequiredService<CertificateFonts>().Chinese is null,
            "No Chinese font on this machine (CI installs fonts-wqy-microhei).");
        await SeedAsync(campaign);

        var (first, _) = await PublishTwiceAsync(campaign, Results2025);

        var text = Text(await File.ReadAllBytesAsync(FilePath(campaign, "certificates/2025/mobile-zhengzhou.pdf"), TestContext.Current.CancellationToken));
        Assert.Contains("信息通信行业用户满意服务组织", text);
        Assert.Contains("郑州移动", text);
        Assert.Contains("被评为 AAA 级用户满意服务组织", text);
        Assert.Contains("rated AAA user-satisfaction service organization", text);
        Assert.Contains("证书编号：HNCA-2025-AAA-0001", text);
        Assert.Contains("河南省通信行业协会", text);
        Assert.Contains("Henan Communications Industry Association", text);
        Assert.DoesNotContain(await campaign.JournalAsync(first.Id), m => m.StartsWith("certificates.latin-only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_chinese_font_the_certificate_is_still_produced_in_latin_text()
    {
        await using var campaign = await StartAsync("sqlite", new Dictionary<string, string?> { ["Manyi:Certificates:FontFile"] = "none" });
        await SeedAsync(campaign);

        var (first, _) = await PublishTwiceAsync(campaign, Results2025);

        Assert.Equal(Expected, Listed(first));
        var pdf = await File.ReadAllBytesAsync(FilePath(campaign, "certificates/2025/mobile-zhengzhou.pdf"), TestContext.Current.CancellationToken);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
        var text = Text(pdf);
        Assert.Contains("Certificate", text);
        Assert.Contains("mobile-zhengzhou", text);
        Assert.Contains("rated AAA user-satisfaction service organization", text);
        Assert.Contains("Year 2025", text);
        Assert.Contains("HNCA-2025-AAA-0001", text);
        Assert.Contains("Henan Communications Industry Association", text);
        Assert.DoesNotContain("郑州移动", text);
        Assert.Contains(await campaign.JournalAsync(first.Id),
            m => m == "certificates.latin-only {\"missing\":\"Manyi:Certificates:FontFile is 'none'\"}");
    }

    [Fact]
    public async Task An_organization_published_as_not_rated_loses_the_certificate_an_earlier_run_wrote()
    {
        await using var campaign = await StartAsync("sqlite", new Dictionary<string, string?> { ["Manyi:Certificates:FontFile"] = "none" });
        await SeedAsync(campaign);
        var store = campaign.Services.GetRequiredService<CertificateStore>();
        await store.SaveAsync(2025, "telecom-luoyang", "%PDF-1.7 an earlier run"u8.ToArray(), TestContext.Current.CancellationToken);

        var (first, _) = await PublishTwiceAsync(campaign, Results2025);

        Assert.Null(store.Open(2025, "telecom-luoyang"));
        Assert.Contains("certificate.removed {\"year\":2025,\"organization\":\"洛阳电信\",\"organizationId\":\"telecom-luoyang\"}", await campaign.JournalAsync(first.Id));
    }

    [Fact]
    public void A_missing_font_file_gives_latin_text_and_one_warning()
    {
        var logger = new ListLogger();
        var fonts = new CertificateFonts(Options.Create(new CertificateOptions { FontFile = "/nowhere/no-such-font.ttc" }), logger);

        Assert.Null(fonts.Chinese);
        Assert.Null(fonts.Chinese);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("/nowhere/no-such-font.ttc: no such file", warning.Message);
        Assert.Contains("fonts-wqy-microhei", warning.Message);

        var renderer = new CertificateRenderer(fonts);
        var pdf = renderer.Render(new Certificate("mobile-zhengzhou", "郑州移动", "AA", 2025, "HNCA-2025-AA-0001", new DateOnly(2025, 12, 16)));
        var text = Text(pdf);
        Assert.Contains("HNCA-2025-AA-0001", text);
        Assert.Contains("16 December 2025", text);
    }

    [Fact]
    public void A_font_with_cff_outlines_or_no_font_at_all_is_refused()
    {
        Assert.Contains("CFF", Assert.Throws<InvalidDataException>(() => CertificateFonts.TrueTypeFace(Encoding.Latin1.GetBytes("OTTO" + new string('\0', 28)))).Message);
        Assert.Throws<InvalidDataException>(() => CertificateFonts.TrueTypeFace("%PDF-1.7 not a font at all"u8.ToArray()));
    }

    [Fact]
    public async Task The_store_writes_under_certificates_year_and_refuses_ids_that_are_not_file_names()
    {
        var folder = Path.Combine(Path.GetTempPath(), "manyi-certificates-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var store = new CertificateStore(Options.Create(new CertificateOptions { FilesDirectory = folder }));

            Assert.Equal("certificates/2025/mobile-zhengzhou.pdf", await store.SaveAsync(2025, "mobile-zhengzhou", "%PDF-1"u8.ToArray(), TestContext.Current.CancellationToken));
            Assert.Equal("certificates/2025/mobile-zhengzhou.pdf", await store.SaveAsync(2025, "mobile-zhengzhou", "%PDF-2"u8.ToArray(), TestContext.Current.CancellationToken));
            Assert.Equal("%PDF-2", await File.ReadAllTextAsync(Path.Combine(folder, "certificates", "2025", "mobile-zhengzhou.pdf"), TestContext.Current.CancellationToken));
            Assert.Single(Directory.GetFiles(Path.Combine(folder, "certificates", "2025")));
            await using (var opened = store.Open(2025, "mobile-zhengzhou")) Assert.NotNull(opened);

            foreach (var id in new[] { "../mobile-zhengzhou", "a/b", "..", "", "x\n", "郑州" })
            {
                Assert.False(CertificateStore.IsUsableId(id), id);
                Assert.Null(store.Open(2025, id));
                await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(2025, id, "%PDF-"u8.ToArray(), TestContext.Current.CancellationToken));
            }
            Assert.Null(store.Open(2024, "mobile-zhengzhou"));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class ListLogger : ILogger<CertificateFonts>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
