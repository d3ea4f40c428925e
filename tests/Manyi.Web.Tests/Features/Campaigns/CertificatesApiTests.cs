using System.Net;
using Manyi.Campaign.Certificates;
using Manyi.Persistence.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Campaigns;

public sealed class CertificatesApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite")]
    public async Task A_certificate_is_served_to_administrators_and_the_organizations_members_and_to_nobody_else(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var admin = app.CreateClient();
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, "unicom-kaifeng");
        // A certificate as PublishRatings writes one, in the file store's folder of this app.
        var store = app.Services.GetRequiredService<CertificateStore>();
        var renderer = app.Services.GetRequiredService<CertificateRenderer>();
        var pdf = renderer.Render(new Certificate("mobile-zhengzhou", "郑州移动", "AAA", 2025, "HNCA-2025-AAA-0001", new DateOnly(2025, 12, 16)));
        Assert.Equal("certificates/2025/mobile-zhengzhou.pdf", await store.SaveAsync(2025, "mobile-zhengzhou", pdf, Ct));
        Assert.True(File.Exists(Path.Combine(app.Storage.DataDirectory, "files", "certificates", "2025", "mobile-zhengzhou.pdf")));

        const string url = "/api/campaigns/2025/certificates/mobile-zhengzhou";
        foreach (var client in new[] { admin, await app.CreateClientForAsync("zhengzhou.mobile@example.org") })
        {
            using var response = await client.FetchAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/pdf", response.ContentType()?.MediaType);
            Assert.Equal("certificate-2025-mobile-zhengzhou.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
            Assert.Equal(pdf, await response.Content.ReadAsByteArrayAsync(Ct));
        }

        var other = await app.CreateClientForAsync("kaifeng.unicom@example.org");
        var refused = await other.FetchAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("There is no 2025 certificate of 'mobile-zhengzhou'.", refused.GetString("detail").Split("。")[1]);
        await other.FetchAsync("/api/campaigns/2025/certificates/unicom-kaifeng").ExpectAsync(HttpStatusCode.NotFound); // none written
        await admin.FetchAsync("/api/campaigns/2024/certificates/mobile-zhengzhou").ExpectAsync(HttpStatusCode.NotFound);
        await admin.FetchAsync("/api/campaigns/2025/certificates/..%2Fmobile-zhengzhou").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().FetchAsync(url)).StatusCode);
    }
}
