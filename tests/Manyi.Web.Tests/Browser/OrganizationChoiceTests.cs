using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 21, item 2: the picker keeps "all of an operator" as that choice, not as the ids it meant in the designer; an
/// organization added after publishing gets its task when the workflow runs. An id the list does not know is an error
/// in the problems list.
/// </summary>
public sealed class OrganizationChoiceTests
{
    [Fact]
    public async Task An_operators_organizations_are_kept_as_the_choice_and_one_added_after_publishing_gets_its_task()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.PostJsonAsync("/api/organizations", """{"id": "unicom-luoyang", "name": "洛阳联通", "operator": "联通", "city": "洛阳"}""")
            .ExpectAsync(HttpStatusCode.Created);
        await admin.PostJsonAsync("/api/organizations", """{"id": "mobile-kaifeng", "name": "开封移动", "operator": "移动", "city": "开封"}""")
            .ExpectAsync(HttpStatusCode.Created);
        // The report task names 郑州移动 and an id the list does not know.
        var page = await OpenWithUnknownIdAsync(app, admin);

        var problem = page.Locator("[data-testid=problem][data-activity-id=report]");
        await Assertions.Expect(problem).ToContainTextAsync("参评单位名单中没有编号“no-such-org”");
        var list = page.GetByTestId("organization-list");
        await Assertions.Expect(list).ToHaveAttributeAsync("data-mode", "chosen");
        await Assertions.Expect(list.GetByTestId("organization-list-unknown")).ToContainTextAsync("no-such-org");

        // All of 移动: what it means now is shown by name; the unknown id is gone with the list of ids.
        await list.GetByTestId("organization-list-mode").SelectOptionAsync("operator");
        await Assertions.Expect(list).ToHaveAttributeAsync("data-mode", "operator");
        await list.GetByTestId("organization-list-choice-operator").SelectOptionAsync("移动");
        await Assertions.Expect(list.GetByTestId("organization-list-count")).ToHaveAttributeAsync("data-count", "2");
        await Assertions.Expect(list.GetByTestId("organization-list-resolved")).ToContainTextAsync("郑州移动");
        await Assertions.Expect(list.GetByTestId("organization-list-resolved")).ToContainTextAsync("开封移动");
        await Assertions.Expect(list.GetByTestId("organization-list-resolved")).Not.ToContainTextAsync("洛阳联通");
        await Assertions.Expect(problem).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, list, "designer-organizations-operator-1366");

        await page.GetByTestId("publish").ClickAsync();
        // Version 1 shows as published already: wait for version 2.
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-version", "2");
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Published");

        // The published file holds the choice, not ids.
        var exported = JsonNode.Parse(await admin.GetStringAsync("/api/workflow-definitions/corrective/export?version=2", TestContext.Current.CancellationToken))!;
        var task = exported["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == "report")!;
        Assert.Equal("Organizations", (string?)task["organizations"]!["expression"]!["type"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"operator": "移动"}"""), task["organizations"]!["expression"]!["value"]));

        // A 移动 organization added after publishing; the run opens a task for it too, and none for 洛阳联通.
        await admin.PostJsonAsync("/api/organizations", """{"id": "mobile-luoyang", "name": "洛阳移动", "operator": "移动", "city": "洛阳"}""")
            .ExpectAsync(HttpStatusCode.Created);
        await page.GetByTestId("run").ClickAsync();
        await page.GetByTestId("run-confirm").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/instances/[0-9a-f]{32}$"));
        var instanceId = page.Url.Split('/').Last();
        var tasks = await admin.FetchAsync("/api/tasks?all=true&pageSize=100").ExpectOkAsync();
        Assert.Equal(["mobile-kaifeng", "mobile-luoyang", CorrectiveReportDesigner.Organization],
            tasks.GetArray("items").Where(t => t.GetString("instanceId") == instanceId).Select(t => t.GetString("organizationId")).Order(StringComparer.Ordinal));
    }

    private static async Task<IPage> OpenWithUnknownIdAsync(BrowserApp app, HttpClient admin)
    {
        await admin.PostJsonAsync("/api/organizations", $$"""{"id": "{{CorrectiveReportDesigner.Organization}}", "name": "郑州移动", "operator": "移动", "city": "郑州"}""")
            .ExpectAsync(HttpStatusCode.Created);
        await admin.DeployAsync(Workflows.HeadcountReport("corrective", [CorrectiveReportDesigner.Organization, "no-such-org"], due: "2099-04-30T18:00:00+08:00"));
        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows/corrective/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await CorrectiveReportDesigner.Node(page, CorrectiveReportDesigner.TaskId).ClickAsync();
        return page;
    }
}
