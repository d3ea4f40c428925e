using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Features.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Emails;

public sealed class EmailsApiTests
{
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_log_lists_every_email_newest_first_filters_on_the_server_and_shows_one_with_its_attachments(string provider)
    {
        var scenario = await DashboardScenario.StartAsync(provider);
        await using var _ = scenario.App;
        var admin = scenario.Admin;
        // An account e-mail: its reset code must never be shown.
        await using (var scope = scenario.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            db.OutboxMessages.Add(new OutboxMessageRecord
            {
                Key = "account:password-reset:test", Kind = "password-reset", To = "someone@example.org", Subject = "重置密码 Reset your password",
                TextBody = "Your reset code: SECRET-CODE-123", Status = OutboxStatus.Sent, Attempts = 1, CreatedAt = scenario.Clock.GetUtcNow(),
                SentAt = scenario.Clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var all = await admin.FetchAsync("/api/emails").ExpectOkAsync();
        Assert.Equal(5, all["totalCount"]!.GetValue<int>());
        var items = all.GetArray("items");
        Assert.Equal("password-reset", items[0].GetString("kind"));
        Assert.Equal(["notice", "password-reset"], all.GetArray("kinds").Select(k => k!.GetValue<string>()));
        var created = items.Select(i => i!["createdAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(created.OrderDescending(), created);

        var failed = Assert.Single((await admin.FetchAsync("/api/emails?status=failed").ExpectOkAsync()).GetArray("items"));
        Assert.Equal("Failed", failed.GetString("status"));
        Assert.Equal("550 5.1.1 mailbox unavailable", failed.GetString("lastError"));
        Assert.Equal(5, failed!["attempts"]!.GetValue<int>());
        Assert.Equal(DashboardScenario.Telecom, failed.GetString("organizationId"));
        Assert.Equal("洛阳电信", failed.GetString("organizationName"));

        Assert.Equal(3, (await admin.FetchAsync("/api/emails?status=Pending&kind=notice").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        Assert.Equal(1, (await admin.FetchAsync("/api/emails?status=sent").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        var kaifeng = Assert.Single((await admin.FetchAsync("/api/emails?recipient=CONTACT.unicom").ExpectOkAsync()).GetArray("items"));
        Assert.Equal(["\"联系人\" <contact.unicom-kaifeng@example.org>"], kaifeng.GetArray("to").Select(t => t!.GetValue<string>()));
        // 郑州移动: the campaign's notice to it and its own workflow's training invitation.
        var mobile = (await admin.FetchAsync($"/api/emails?organization={DashboardScenario.Mobile}").ExpectOkAsync()).GetArray("items");
        Assert.Equal(2, mobile.Count);
        Assert.All(mobile, m => Assert.Equal(DashboardScenario.Mobile, m.GetString("organizationId")));
        Assert.Equal("password-reset", Assert.Single((await admin.FetchAsync("/api/emails?from=2025-04-23T00:00:00%2B08:00").ExpectOkAsync()).GetArray("items")).GetString("kind"));
        Assert.Equal(4, (await admin.FetchAsync("/api/emails?to=2025-04-23T00:00:00%2B08:00").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        var paged = await admin.FetchAsync("/api/emails?pageSize=2&page=3").ExpectOkAsync();
        Assert.Single(paged.GetArray("items"));

        // The training invitation carries its calendar file; only its name, type and size are shown.
        var invitation = mobile.Single(m => m.GetString("instanceId") != scenario.CampaignId);
        var detail = await admin.FetchAsync($"/api/emails/{invitation!["id"]}").ExpectOkAsync();
        Assert.Contains("培训", detail["email"].GetString("subject"), StringComparison.Ordinal);
        Assert.Contains("济南", detail.GetString("textBody"), StringComparison.Ordinal);
        var attachment = Assert.Single(detail.GetArray("attachments"));
        Assert.EndsWith(".ics", attachment.GetString("fileName"), StringComparison.Ordinal);
        Assert.True(attachment!["size"]!.GetValue<long>() > 0);
        Assert.Null(attachment["content"]);

        var secret = await admin.FetchAsync($"/api/emails/{items[0]!["id"]}").ExpectOkAsync();
        Assert.True(secret["bodyHidden"]!.GetValue<bool>());
        Assert.DoesNotContain("SECRET-CODE-123", secret.ToJsonString(), StringComparison.Ordinal);

        await admin.FetchAsync("/api/emails/999999").ExpectAsync(HttpStatusCode.NotFound);
        foreach (var (query, field) in new[]
                 {
                     ("status=bounced", "status"), ("pageSize=0", "pageSize"), ("pageSize=500", "pageSize"), ("page=0", "page"),
                     ("organization=nowhere", "organization"), ("from=2025-05-01T00:00:00Z&to=2025-04-01T00:00:00Z", "to"),
                 })
        {
            var bad = await admin.FetchAsync("/api/emails?" + query).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(bad["errors"]?[field] is JsonArray, $"{query}: {bad.ToJsonString()}");
        }
        var participant = await scenario.App.CreateClientForAsync($"participant.{DashboardScenario.Mobile}@example.org");
        await participant.FetchAsync("/api/emails").ExpectAsync(HttpStatusCode.Forbidden);
        await participant.FetchAsync($"/api/emails/{invitation!["id"]}").ExpectAsync(HttpStatusCode.Forbidden);
    }
}
