using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>Containers in the designer and the instance viewer (issue 13): a Sequence inside a ForEach inside the flowchart.</summary>
public sealed class NestedContainerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_administrator_opens_a_loops_sequence_adds_an_activity_inside_saves_and_the_export_has_it_nested()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Workflows.Nested("nested"));

        var page = await app.NewPageAsync(1366, 900);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows/nested/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("designer-node")).ToHaveCountAsync(3);
        var loop = page.Locator("[data-testid=designer-node][data-activity-id=loop]");
        await Assertions.Expect(loop).ToContainTextAsync("逐项循环"); // the catalogue's name, not Elsa.ForEach
        await Assertions.Expect(loop).Not.ToContainTextAsync("ForEach");

        // The palette finds the container activities by their Chinese and their English names.
        await page.GetByTestId("palette-search").FillAsync("顺序");
        await Assertions.Expect(page.Locator("[data-testid=palette-item][data-type='Elsa.Sequence']")).ToContainTextAsync("顺序执行 Sequence");
        await page.GetByTestId("palette-search").FillAsync("parallel");
        await Assertions.Expect(page.Locator("[data-testid=palette-item][data-type='Elsa.ParallelForEach']")).ToBeVisibleAsync();

        // Double-click the loop: its body (a sequence) opens as an ordered list, with a breadcrumb back.
        await loop.DblClickAsync();
        var list = page.GetByTestId("sequence-list");
        await Assertions.Expect(list).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("crumb-current")).ToHaveTextAsync("逐个单位 · 循环体 Body");
        await Assertions.Expect(page.GetByTestId("sequence-item")).ToHaveCountAsync(1);

        // Add a line to the sequence from the palette (found by its Chinese name), then move it first.
        await page.GetByTestId("palette-search").FillAsync("写日志");
        await page.Locator("[data-testid=palette-item][data-type='Elsa.WriteLine']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sequence-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("property-panel")).ToHaveAttributeAsync("data-activity-id", "writeline-1");
        await Assertions.Expect(page.GetByTestId("activity-type-name")).ToHaveTextAsync("写日志 Write line");
        await page.Locator("[data-testid=sequence-item][data-activity-id=writeline-1]").GetByTestId("sequence-up").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sequence-item").First).ToHaveAttributeAsync("data-activity-id", "writeline-1");
        await BrowserApp.ScreenshotAsync(page, "designer-container-1366");

        // Undo the move, redo it: the list follows.
        await page.GetByTestId("undo").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sequence-item").First).ToHaveAttributeAsync("data-activity-id", "say");
        await page.GetByTestId("redo").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sequence-item").First).ToHaveAttributeAsync("data-activity-id", "writeline-1");

        await page.GetByTestId("save-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-message")).ToContainTextAsync("已保存为草稿版本 2");

        // Back to the flowchart by the breadcrumb.
        await page.Locator("[data-testid=crumb][data-depth='0']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-node")).ToHaveCountAsync(3);

        var exported = JsonNode.Parse(await (await admin.FetchAsync("/api/workflow-definitions/nested/export?version=2")).Content.ReadAsStringAsync(Ct))!;
        var forEach = exported["root"]!["activities"]!.AsArray().Single(a => a!["id"]!.ToString() == "loop")!;
        Assert.Equal("Elsa.Sequence", forEach["body"]!["type"]!.ToString());
        Assert.Equal(["writeline-1", "say"], forEach["body"]!["activities"]!.AsArray().Select(a => a!["id"]!.ToString()));
        Assert.Equal("Elsa.WriteLine", forEach["body"]!["activities"]![0]!["type"]!.ToString());

        // On a phone: the opened container is a list that fits.
        var phone = await app.NewPageAsync(390, 844);
        await BrowserApp.SignInAsync(phone, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await phone.GotoAsync("/admin/workflows/nested/designer");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await phone.Locator("[data-testid=designer-node][data-activity-id=loop]").FocusAsync(); // focus selects, as the keyboard does
        await phone.GetByTestId("open-body").ScrollIntoViewIfNeededAsync();
        await phone.GetByTestId("open-body").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("sequence-item")).ToHaveCountAsync(2);
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways at 390 px");
        await phone.GetByTestId("sequence-list").ScrollIntoViewIfNeededAsync();
        await BrowserApp.ScreenshotAsync(phone, "designer-container-390");
    }

    [Fact]
    public async Task The_viewer_shows_the_containers_an_instance_waits_inside_and_opens_the_body()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Workflows.Nested("nested-wait", Workflows.Event("wait", "go")));
        var instance = (await admin.ExecuteAsync("nested-wait")).GetString("id");

        var page = await app.NewPageAsync(1366, 900);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync($"/admin/instances/{instance}");
        await BrowserApp.WaitForInteractiveAsync(page);

        var path = page.Locator("[data-testid=waiting-path][data-activity-id=wait]");
        await Assertions.Expect(path).ToBeVisibleAsync();
        await Assertions.Expect(path.GetByTestId("waiting-crumb")).ToHaveCountAsync(3); // the flowchart › the loop › its sequence
        await Assertions.Expect(path.GetByTestId("waiting-crumb").Nth(1)).ToHaveTextAsync("逐个单位 · 逐项循环");
        await Assertions.Expect(path.GetByTestId("waiting-crumb").Nth(2)).ToHaveTextAsync("顺序执行 Sequence");
        await Assertions.Expect(path).Not.ToContainTextAsync("Elsa.");

        await path.Locator("[data-testid=waiting-crumb][data-container-id=steps]").ClickAsync();
        var body = page.GetByTestId("viewer-body");
        await Assertions.Expect(body).ToHaveAttributeAsync("data-container-id", "steps");
        await Assertions.Expect(body.Locator("[data-testid=viewer-body-item][data-activity-id=wait]")).ToHaveAttributeAsync("data-state", "waiting");
        await Assertions.Expect(page.GetByTestId("viewer-crumb-current")).ToContainTextAsync("顺序执行");
        await BrowserApp.ScreenshotAsync(page, "viewer-nested-1366");

        await page.GetByTestId("viewer-crumb-root").ClickAsync();
        await Assertions.Expect(body).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=journal-entry]").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_viewer_names_the_containers_and_the_wait_inside_a_workflow_used_as_an_activity_without_internal_ids()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        // 审核子流程 waits in a sequence of its own; the parent uses it as an activity inside its loop's sequence.
        await admin.DeployAsync("""
            {"definitionId": "review-step", "name": "ReviewStep", "options": {"usableAsActivity": true},
             "root": {"id": "review-seq", "type": "Elsa.Sequence", "activities": [
               {"id": "wait", "type": "Elsa.Event", "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "reviewed"}}}]}}
            """);
        await admin.DeployAsync(Workflows.Nested("uses-review",
            """{"id": "review", "type": "ReviewStep", "name": "审核子流程", "workflowDefinitionId": "review-step"}"""));
        var instance = (await admin.ExecuteAsync("uses-review")).GetString("id");

        var page = await app.NewPageAsync(1366, 900);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync($"/admin/instances/{instance}");
        await BrowserApp.WaitForInteractiveAsync(page);

        var path = page.Locator("[data-testid=waiting-path][data-activity-id='review:wait']");
        await Assertions.Expect(path).ToBeVisibleAsync();
        // the flowchart › the loop › its sequence › the workflow used as an activity › its own sequence, then the wait
        await Assertions.Expect(path.GetByTestId("waiting-crumb")).ToHaveCountAsync(5);
        await Assertions.Expect(path.GetByTestId("waiting-crumb").Nth(3)).ToHaveTextAsync("审核子流程 · ReviewStep");
        await Assertions.Expect(path.GetByTestId("waiting-crumb").Nth(4)).ToHaveTextAsync("顺序执行 Sequence");
        await Assertions.Expect(path.Locator("b")).ToHaveTextAsync("等待事件 Event");
        await Assertions.Expect(path).Not.ToContainTextAsync("review:");

        await path.Locator("[data-testid=waiting-crumb][data-container-id='review:review-seq']").ClickAsync();
        var body = page.GetByTestId("viewer-body");
        await Assertions.Expect(body.Locator("[data-testid=viewer-body-item][data-activity-id='review:wait']")).ToHaveAttributeAsync("data-state", "waiting");
        await Assertions.Expect(body).Not.ToContainTextAsync("review:");
        await Assertions.Expect(page.GetByTestId("viewer-breadcrumb")).Not.ToContainTextAsync("review:");
    }
}
