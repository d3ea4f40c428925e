using System.Text.Json.Nodes;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 21: the escalation goes to the secretariat picked as a role (looked up when it is sent), not to an address
/// typed by hand; typed addresses are still accepted, and one that is no address is a problem naming the field.
/// </summary>
public sealed class RecipientPickerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_secretariat_is_picked_as_a_role_kept_as_that_and_resolved_to_its_members_when_sent()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        var page = await CorrectiveReportDesigner.OpenAsync(app, admin);

        var recipients = page.Locator("[data-testid=recipient-list][data-input=escalateTo]");
        await recipients.GetByTestId("recipient-pick-escalateTo").SelectOptionAsync("role:Administrator");
        await Assertions.Expect(recipients.GetByTestId("recipient-chip")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^秘书处（全部管理员）"));
        await Assertions.Expect(recipients.GetByTestId("recipient-chip")).Not.ToContainTextAsync("role:");
        await Assertions.Expect(recipients.GetByTestId("recipient-pick-escalateTo")).ToHaveValueAsync("");

        var typed = recipients.GetByTestId("input-escalateTo");
        await typed.FillAsync("not-an-address");
        await typed.PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-testid=problem][data-activity-id=report]")).ToContainTextAsync("“not-an-address”不是有效的邮箱地址");
        await typed.FillAsync("duty@example.org");
        await typed.PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-testid=problem][data-activity-id=report]")).ToHaveCountAsync(0);
        await Assertions.Expect(recipients.GetByTestId("recipient-chip")).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(page, recipients, "designer-escalation-recipients-1366");

        await page.GetByTestId("save-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Draft");
        var saved = await admin.FetchAsync("/api/workflow-definitions/corrective").ExpectOkAsync();
        var task = saved["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == CorrectiveReportDesigner.TaskId)!;
        Assert.Equal(["role:Administrator", "duty@example.org"], task["escalateTo"]!["expression"]!["value"]!.AsArray().Select(e => (string)e!));

        // When the escalation is sent, the role means the administrators of that moment.
        await using var scope = app.Services.CreateAsyncScope();
        var addresses = await scope.ServiceProvider.GetRequiredService<ITaskDirectory>().AddressesAsync(["role:Administrator", "duty@example.org"], Ct);
        Assert.Contains(ManyiApp.AdminEmail, addresses, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("duty@example.org", addresses);
        Assert.DoesNotContain(addresses, a => a.StartsWith("role:", StringComparison.Ordinal));
    }
}
