using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Tests.Features.Organizations;

/// <summary>The organizations spreadsheet: import (all or nothing, upsert, dry run), export, and the round trip between them.</summary>
public sealed class OrganizationImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_csv_creates_organizations_with_their_contacts_and_the_next_import_updates_them(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        var report = await client.UploadAsync(Spreadsheets.Csv(
            Spreadsheets.FullHeader,
            "mobile-zhengzhou,郑州移动,Mobile,郑州,市,演示甲; 演示乙,a.zz@example.org; b.zz@example.org,0371-0000001;",
            "unicom-kaifeng,开封联通,联通,开封,County,演示丙,c.kf@example.org,")).ExpectOkAsync();

        Assert.Equal((2, 2, 0, 0, 0, true), Counts(report));
        var zhengzhou = await client.FetchAsync("/api/organizations/mobile-zhengzhou").ExpectOkAsync();
        Assert.Equal("移动", zhengzhou.GetString("operator"));
        Assert.Equal("City", zhengzhou.GetString("level"));
        Assert.Equal(["演示甲|a.zz@example.org|0371-0000001", "演示乙|b.zz@example.org|"], Contacts(zhengzhou));
        Assert.Equal("County", (await client.FetchAsync("/api/organizations/unicom-kaifeng").ExpectOkAsync()).GetString("level"));

        // English headers only, without the level and contact columns: levels and contacts stay as they are.
        report = await client.UploadAsync(Spreadsheets.Csv(
            "Id,Name,Operator,City",
            "mobile-zhengzhou,郑州移动,移动,郑州",
            "unicom-kaifeng,开封联通（更名）,Unicom,开封",
            "telecom-jiyuan,济源电信,Telecom,济源")).ExpectOkAsync();

        Assert.Equal((3, 1, 1, 1, 0, true), Counts(report));
        Assert.Equal(["unchanged", "updated", "created"], report.GetArray("items").Select(i => i.GetString("outcome")));
        var kaifeng = await client.FetchAsync("/api/organizations/unicom-kaifeng").ExpectOkAsync();
        Assert.Equal("开封联通（更名）", kaifeng.GetString("name"));
        Assert.Equal("County", kaifeng.GetString("level"));
        Assert.Equal(["演示丙|c.kf@example.org|"], Contacts(kaifeng));
        var audit = await app.QueryAsync(db => db.AuditEntries.Where(a => a.Action == "organizations.imported").OrderBy(a => a.Id).ToListAsync(Ct));
        Assert.Equal(2, audit.Count);
        Assert.Equal(ManyiApp.AdminEmail, audit[1].UserName);
        Assert.Equal(1, JsonNode.Parse(audit[1].Details!)!["created"]!.GetValue<int>());

        // A dry run reports and writes nothing.
        var dry = await client.UploadAsync(Spreadsheets.Csv("Id,Name,Operator,City", "broadcast-xinyang,信阳广电,广电,信阳"), dryRun: true).ExpectOkAsync();
        Assert.Equal((1, 1, 0, 0, 0, false), Counts(dry));
        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.Equal(3, await app.CountOrganizationsAsync());
    }

    [Theory, InlineData("sqlite")]
    public async Task An_xlsx_with_chinese_headers_and_numeric_phones_is_read_like_a_csv(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        var xlsx = Spreadsheets.Xlsx(["编号", "名称", "运营商", "城市", "级别", "联系人", "邮箱", "电话"],
            ["telecom-jiyuan", "济源电信", "电信", "济源", "营业厅", "演示丁", "d.jy@example.org", 13800000000L],
            ["broadcast-xinyang", "信阳广电", "Broadcast", "信阳", null, "演示戊; 演示己", "e.xy@example.org;f.xy@example.org", null]);

        // The name says .csv: the content decides.
        var report = await client.UploadAsync(xlsx, "organizations.csv").ExpectOkAsync();

        Assert.Equal((2, 2, 0, 0, 0, true), Counts(report));
        Assert.Equal([2, 3], report.GetArray("items").Select(i => i!["row"]!.GetValue<int>()));
        var jiyuan = await client.FetchAsync("/api/organizations/telecom-jiyuan").ExpectOkAsync();
        Assert.Equal("ServiceSite", jiyuan.GetString("level"));
        Assert.Equal(["演示丁|d.jy@example.org|13800000000"], Contacts(jiyuan));
        var xinyang = await client.FetchAsync("/api/organizations/broadcast-xinyang").ExpectOkAsync();
        Assert.Equal(("广电", "City"), (xinyang.GetString("operator"), xinyang.GetString("level")));
        Assert.Equal(["演示戊|e.xy@example.org|", "演示己|f.xy@example.org|"], Contacts(xinyang));

        Assert.Equal((2, 0, 0, 2, 0, true), Counts(await client.UploadAsync(xlsx).ExpectOkAsync()));
    }

    [Theory, InlineData("sqlite")]
    public async Task A_file_with_bad_rows_is_refused_whole_and_the_report_names_every_row_with_all_its_reasons(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.UploadAsync(Spreadsheets.Csv("Id,Name,Operator,City", "mobile-luoyang,洛阳移动,移动,洛阳", "mobile-anyang,安阳移动,移动,安阳")).ExpectOkAsync();
        var before = await app.CountOrganizationsAsync();

        var problem = await client.UploadAsync(Spreadsheets.Csv(
            Spreadsheets.FullHeader,
            "mobile-zhengzhou,郑州移动,移动,郑州,市,演示甲,a.zz@example.org,",       // row 2: fine
            "unicom-kaifeng,,联通,开封,市,演示乙,b.kf@example.org,",                // row 3: no name
            "telecom-jiyuan,济源电信,电信,济源,市,演示丙,not-an-address,",           // row 4: bad e-mail
            "mobile-zhengzhou,郑州移动二,移动,郑州,市,演示丁,d.zz@example.org,",      // row 5: the id of row 2
            "",                                                                  // row 6: empty, skipped but counted
            "broadcast-xinyang,信阳广电,广电,信阳,省,演示戊,e.xy@example.org,",       // row 7: unknown level
            "Mobile Anyang,安阳移动,,,,演示己,f@example,",                           // row 8: five problems at once
            "mobile-luoyang,洛阳移动（新）,移动,洛阳,市,演示庚,g.ly@example.org,"))   // row 9: fine, would rename
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("nothing was written", problem.GetString("title"), StringComparison.Ordinal);
        var report = problem["report"]!;
        Assert.False(report["written"]!.GetValue<bool>());
        Assert.Equal(7, report["rows"]!.GetValue<int>());
        Assert.Equal(5, report["rejected"]!.GetValue<int>());
        var rejected = report.GetArray("items").Where(i => i.GetString("outcome") == "rejected")
            .ToDictionary(i => i!["row"]!.GetValue<int>(), i => i.GetArray("reasons").Select(r => r!.GetValue<string>()).ToList());
        Assert.Equal([3, 4, 5, 7, 8], rejected.Keys.Order());
        Assert.Equal(["名称必填。Name is required."], rejected[3]);
        Assert.Contains("not-an-address", Assert.Single(rejected[4]), StringComparison.Ordinal);
        Assert.StartsWith("联系人", rejected[4][0], StringComparison.Ordinal);
        Assert.Contains("row 2", Assert.Single(rejected[5]), StringComparison.Ordinal);
        Assert.Contains("Level '省' is not valid", Assert.Single(rejected[7]), StringComparison.Ordinal);
        Assert.Equal(5, rejected[8].Count);
        Assert.Contains(rejected[8], r => r.StartsWith("编号“Mobile Anyang”", StringComparison.Ordinal));
        Assert.Contains(rejected[8], r => r.Contains("Operator is required", StringComparison.Ordinal));
        Assert.Contains(rejected[8], r => r.Contains("City is required", StringComparison.Ordinal));
        Assert.Contains(rejected[8], r => r.Contains("Name '安阳移动' is already used by organization mobile-anyang", StringComparison.Ordinal));
        Assert.Contains(rejected[8], r => r.Contains("'f@example' is not a valid address", StringComparison.Ordinal));
        Assert.All(rejected.Values.SelectMany(r => r), r => Assert.Matches(@"^\p{IsCJKUnifiedIdeographs}", r));
        Assert.Equal(rejected.Keys.Select(k => $"row {k}").Order(), problem["errors"]!.AsObject().Select(e => e.Key).Order());

        Assert.Equal(before, await app.CountOrganizationsAsync());
        Assert.Equal("洛阳移动", (await client.FetchAsync("/api/organizations/mobile-luoyang").ExpectOkAsync()).GetString("name"));
        Assert.Equal(1, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "organizations.imported", Ct)));
    }

    [Theory, InlineData("sqlite", "csv"), InlineData("sqlite", "xlsx"), InlineData("postgres", "csv"), InlineData("postgres", "xlsx")]
    public async Task What_is_exported_imports_unchanged(string provider, string format)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        await client.UploadAsync(Spreadsheets.Csv(
            Spreadsheets.FullHeader,
            "mobile-zhengzhou,\"郑州移动, \"\"总部\"\"\",移动,郑州,市,演示甲; 演示乙; 演示丙,a@example.org; b@example.org; c@example.org,0371-1; ; +86 371 3",
            "unicom-kaifeng,开封联通,联通,开封,县,,,",
            "cable-nanyang,南阳有线,南阳有线网络,南阳,班组,演示丁,d@example.org,00123")).ExpectOkAsync();

        var exported = await client.DownloadAsync($"/api/organizations/export?format={format}");
        if (format == "csv")
        {
            Assert.Equal([0xEF, 0xBB, 0xBF], exported[..3]);
            Assert.StartsWith("\"编号 Id\",\"名称 Name\"", Encoding.UTF8.GetString(exported[3..]), StringComparison.Ordinal);
        }
        else Assert.Equal("PK"u8.ToArray(), exported[..2]);

        var report = await client.UploadAsync(exported, $"organizations.{format}").ExpectOkAsync();

        Assert.Equal((3, 0, 0, 3, 0, true), Counts(report));
        // Sorted by operator (移动, 联通, then others), then city.
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng", "cable-nanyang"], report.GetArray("items").Select(i => i.GetString("id")));
        var zhengzhou = await client.FetchAsync("/api/organizations/mobile-zhengzhou").ExpectOkAsync();
        Assert.Equal("郑州移动, \"总部\"", zhengzhou.GetString("name"));
        Assert.Equal(["演示甲|a@example.org|0371-1", "演示乙|b@example.org|", "演示丙|c@example.org|+86 371 3"], Contacts(zhengzhou));
        Assert.Equal(["演示丁|d@example.org|00123"], Contacts(await client.FetchAsync("/api/organizations/cable-nanyang").ExpectOkAsync()));
    }

    [Theory, InlineData("sqlite")]
    public async Task A_file_that_is_not_an_organizations_spreadsheet_is_a_400_that_says_why(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();

        async Task Refused(byte[] content, string expected)
        {
            var problem = await client.UploadAsync(content).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Contains(expected, problem.GetString("detail"), StringComparison.Ordinal);
        }

        await Refused([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D], "neither an .xlsx nor a CSV");
        await Refused("PK\u0003\u0004 not really a zip"u8.ToArray(), "The .xlsx file cannot be read");
        await Refused([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "old Excel (.xls)");
        await Refused([], "The file is empty");
        await Refused(Spreadsheets.Csv("", "  "), "no header row");
        await Refused(Spreadsheets.Csv(Spreadsheets.FullHeader), "a header but no organizations");
        await Refused(Spreadsheets.Csv("编号 Id,名称 Name,Operator,City,Remarks,备注", "a,b,c,d,e,f"), "unknown columns: “Remarks”, “备注”");
        await Refused(Spreadsheets.Csv("编号 Id,名称 Name,运营商 Operator", "a,b,c"), "lacks required columns: 城市 City");
        await Refused(Spreadsheets.Csv("Id,Name,Operator,City,Email", "a,b,c,d,e@example.org"), "come together");
        await Refused(Spreadsheets.Csv("Id,Name,Operator,City", "a,b,c,d,stray"), "column E, which has no header");
        await Refused(new byte[5 * 1024 * 1024 + 1], "at most 5 MB");
        await Refused(Spreadsheets.Csv([Spreadsheets.FullHeader, .. Enumerable.Repeat(",,,,,,,", 10_000)]), "more than 10000 rows");

        var noFile = await client.PostAsync("/api/organizations/import", new MultipartFormDataContent { { new StringContent("x"), "other" } }, Ct)
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("field named 'file'", noFile.GetString("detail"), StringComparison.Ordinal);
        await client.PostJsonAsync("/api/organizations/import", "{}").ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await app.CountOrganizationsAsync());
        var empty = Encoding.UTF8.GetString(await client.DownloadAsync("/api/organizations/export?format=csv"));
        Assert.Equal(Spreadsheets.FullHeader, empty.Trim('\uFEFF', '\r', '\n').Replace("\"", "", StringComparison.Ordinal));
        await client.FetchAsync("/api/organizations/export?format=pdf").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Theory, InlineData("sqlite")]
    public async Task A_gb18030_csv_with_blank_lines_and_short_rows_keeps_the_spreadsheet_row_numbers(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var client = app.CreateClient();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb18030 = Encoding.GetEncoding("GB18030").GetBytes(
            "\r\n编号,名称,运营商,城市,级别\r\n\r\nmobile-anyang,安阳移动,移动,安阳\r\nmobile-hebi,\"鹤壁\r\n移动\",移动,鹤壁,乡\r\n");

        var problem = await client.UploadAsync(gb18030).ExpectAsync(HttpStatusCode.UnprocessableEntity);

        var items = problem["report"].GetArray("items");
        Assert.Equal([(4, "created"), (5, "rejected")], items.Select(i => (i!["row"]!.GetValue<int>(), i.GetString("outcome"))));
        Assert.Equal("mobile-anyang", items[0].GetString("id"));
        Assert.Contains("Level '乡'", items[1].GetArray("reasons")[0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static (int Rows, int Created, int Updated, int Unchanged, int Rejected, bool Written) Counts(JsonNode report) =>
        (report["rows"]!.GetValue<int>(), report["created"]!.GetValue<int>(), report["updated"]!.GetValue<int>(),
            report["unchanged"]!.GetValue<int>(), report["rejected"]!.GetValue<int>(), report["written"]!.GetValue<bool>());

    private static List<string> Contacts(JsonNode organization) =>
        organization.GetArray("contacts").Select(c => $"{c.GetString("name")}|{c.GetString("email")}|{c!["phone"]?.GetValue<string>()}").ToList();
}
