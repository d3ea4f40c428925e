using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The designer's compare, date preview and migration tabs, each on its stand-alone admin page.</summary>
public sealed class DesignerServicesTests
{
    private static string Wait(string id, string eventName) =>
        $$"""{"id": "{{id}}", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "{{eventName}}"} } }""";

    [Fact]
    public async Task An_administrator_compares_versions_previews_the_2025_dates_and_moves_a_suspended_instance()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zhengzhou.mobile@example.org", "mobile-zhengzhou", "郑州移动");
        using var admin = await app.CreateApiClientAsync();

        // The 2025 participant workflow, then a second version: the headcount task renamed, the start moved on the canvas.
        var participant = await File.ReadAllTextAsync(Workflows.RepositoryFilePath("workflows/participant.json"), TestContext.Current.CancellationToken);
        await admin.DeployAsync(participant);
        var changed = JsonNode.Parse(participant)!.AsObject();
        changed.Remove("version");
        var activities = changed["root"]!["activities"]!.AsArray();
        activities.Single(a => a!.GetString("id") == "headcount")!["title"]!["expression"]!["value"] = "培训人数报送（第二版） Headcount report, v2";
        activities.Single(a => a!.GetString("id") == "start")!["metadata"]!["designer"]!["position"]!["x"] = 300;
        await admin.ImportAsync(changed.ToJsonString());

        // A small workflow with two waits; version 2 drops the second: one instance can move, one cannot.
        await admin.DeployAsync(Workflows.Flowchart("moving",
            $"{Workflows.Start()}, {Wait("first", "first-done")}, {Wait("second", "second-done")}",
            $"{Workflows.Connect("start", "first")}, {Workflows.Connect("first", "second")}"));
        var movable = (await admin.ExecuteAsync("moving", "org-a")).GetString("id");
        var stuck = (await admin.ExecuteAsync("moving", "org-b")).GetString("id");
        await admin.TriggerAsync("first-done", new JsonObject { ["correlationId"] = "org-b" });
        await admin.DeployAsync(Workflows.Flowchart("moving",
            $"{Workflows.Start()}, {Wait("first", "first-done")}, {Workflows.WriteLine("after", "v2")}",
            $"{Workflows.Connect("start", "first")}, {Workflows.Connect("first", "after")}"));

        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        await page.GotoAsync("/admin/workflows/participant/compare");
        await BrowserApp.WaitForInteractiveAsync(page);
        var changedSection = page.GetByTestId("compare-changed");
        await Assertions.Expect(changedSection).ToContainTextAsync("headcount");
        await Assertions.Expect(changedSection).ToContainTextAsync("第二版");
        await Assertions.Expect(page.GetByTestId("compare-moved")).ToContainTextAsync("start");
        await BrowserApp.ScreenshotAsync(page, "designer-compare");

        await page.GotoAsync("/admin/workflows/participant/preview");
        await BrowserApp.WaitForInteractiveAsync(page);
        var headcount = page.Locator("[data-testid=preview-activity][data-activity=headcount]");
        await Assertions.Expect(headcount.GetByTestId("preview-deadline")).ToContainTextAsync("2025年4月30日 周三 18:00");
        await Assertions.Expect(headcount.GetByTestId("preview-ladder-days")).ToContainTextAsync("按工作日计");
        await Assertions.Expect(headcount.Locator("[data-step=before-3]")).ToContainTextAsync("截止前 3 个工作日");
        await Assertions.Expect(headcount.Locator("[data-step=at]")).ToContainTextAsync("2025年4月30日 周三 09:00");
        await Assertions.Expect(headcount.Locator("[data-step=after-1]")).ToContainTextAsync("2025年5月6日");
        await Assertions.Expect(page.GetByTestId("preview-source")).ToContainTextAsync("campaigns/2025.json");
        await BrowserApp.ScreenshotAsync(page, "designer-preview");

        await page.GotoAsync("/admin/workflows/moving/migrate");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("migration-row")).ToHaveCountAsync(2);
        var blocked = page.Locator($"[data-testid=migration-row][data-instance='{stuck}']");
        await Assertions.Expect(blocked.GetByTestId("migration-reason")).ToContainTextAsync("'second'");
        await page.Locator($"[data-testid=migration-row][data-instance='{movable}'] input[type=checkbox]").CheckAsync();
        await page.GetByTestId("migration-reason-input").FillAsync("第二步已取消");
        await Assertions.Expect(page.GetByTestId("migration-move")).ToBeEnabledAsync();
        await page.GetByTestId("migration-move").FocusAsync();
        await BrowserApp.ScreenshotAsync(page, "designer-migrate");
        await page.GetByTestId("migration-move").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migration-result")).ToContainTextAsync("已迁移 1 个实例到版本 2");
        await Assertions.Expect(page.GetByTestId("migration-row")).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(page, "designer-migrated");

        Assert.Equal(2, (await admin.GetInstanceAsync(movable))["version"]!.GetValue<int>());
        Assert.Equal(1, (await admin.GetInstanceAsync(stuck))["version"]!.GetValue<int>());
    }
}
