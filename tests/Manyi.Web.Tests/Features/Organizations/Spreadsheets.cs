using System.Text;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Manyi.Web.Tests.Features.Organizations;

/// <summary>Builds spreadsheets for the import tests and uploads them.</summary>
public static class Spreadsheets
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string FullHeader = "编号 Id,名称 Name,运营商 Operator,城市 City,级别 Level,联系人 Contact,邮箱 Email,电话 Phone";

    /// <summary>A CSV file of these lines, UTF-8 without BOM, CRLF line ends.</summary>
    public static byte[] Csv(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");

    /// <summary>An .xlsx file with this header row and these rows (a value's type is kept: a number is a numeric cell).</summary>
    public static byte[] Xlsx(string[] header, params object?[][] rows)
    {
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, rows.Select(row => header.Select((h, i) => (h, row[i])).ToDictionary(x => x.h, x => x.Item2)).ToList());
        return stream.ToArray();
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, byte[] content, string fileName = "organizations.csv", bool dryRun = false)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        return client.PostAsync("/api/organizations/import" + (dryRun ? "?dryRun=true" : ""), form, Ct);
    }

    public static async Task<byte[]> DownloadAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    public static async Task<int> CountOrganizationsAsync(this ManyiApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Organizations.CountAsync(Ct);
    }

    public static async Task<T> QueryAsync<T>(this ManyiApp app, Func<ManyiDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ManyiDbContext>());
    }
}
