using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>Issue 21, item 1: a workflow made and run from the pages alone — new from a template, published, run with its inputs.</summary>
public sealed class NewAndRunWorkflowTests
{
    private static readonly string[] OrganizationIds = ["mobile-zhengzhou", "unicom-luoyang"];

    [Fact]
    public async Task An_administrator_creates_a_workflow_from_the_template_publishes_it_runs_it_from_the_list_and_lands_on_the_instance()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        foreach (var (id, name, op, city) in new[] { ("mobile-zhengzhou", "郑州移动", "移动", "郑州"), ("unicom-luoyang", "洛阳联通", "联通", "洛阳") })
            await admin.PostJsonAsync("/api/organizations", $$"""{"id": "{{id}}", "name": "{{name}}", "operator": "{{op}}", "city": "{{city}}"}""").ExpectAsync(HttpStatusCode.Created);
        var problems = new List<string>();

        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows");
        await BrowserApp.WaitForInteractiveAsync(page);

        // New: a name and the template "a task for every organization"; the designer opens on draft version 1.
        await page.GetByTestId("new-workflow").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-workflow-template")).ToHaveCountAsync(2);
        await page.GetByTestId("new-workflow-name").FillAsync("整改报告 Corrective actions");
        await page.Locator("[data-testid=new-workflow-template][data-template=task-for-every-organization] input").CheckAsync();
        await BrowserApp.ScreenshotAsync(page, "workflows-new");
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        await page.GetByTestId("new-workflow-create").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/workflows/task-for-every-organization/designer"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("designer-title")).ToHaveTextAsync("整改报告 Corrective actions");
        await Assertions.Expect(page.GetByTestId("designer-node")).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Draft");
        await Assertions.Expect(page.GetByTestId("run")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("problems-none")).ToBeVisibleAsync();
        // The template's inputs as the designer shows them: typed, the organizations picked by name, required.
        await page.GetByTestId("tab-inputs").ClickAsync();
        var organizations = page.Locator("[data-testid=workflow-input-row][data-name=organizations]");
        await Assertions.Expect(organizations.GetByTestId("workflow-input-type")).ToHaveValueAsync("organizations");
        await Assertions.Expect(organizations.GetByTestId("workflow-input-required")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-testid=workflow-input-row][data-name=dueDate] [data-testid=workflow-input-type]")).ToHaveValueAsync("DateTimeOffset");
        await BrowserApp.ScreenshotAsync(page, "designer-inputs");

        await page.GetByTestId("publish").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Published");
        await Assertions.Expect(page.GetByTestId("run")).ToBeEnabledAsync();
        await page.GetByTestId("tab-migrate").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migration-no-target")).ToContainTextAsync("版本 1 已发布");

        // Run from the list: the dialog asks for the declared inputs; an empty run is refused on the fields.
        await page.GetByTestId("back-to-list").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/workflows$"));
        var row = page.Locator("[data-testid=workflow-row][data-definition-id=task-for-every-organization]");
        await Assertions.Expect(row.GetByTestId("delete-draft")).ToHaveCountAsync(0);
        await row.GetByTestId("run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-field")).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("run-org")).ToHaveCountAsync(2);
        await page.GetByTestId("run-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-field][data-input=title]")).ToContainTextAsync("请填写“任务标题 Task title”");
        await Assertions.Expect(page.Locator("[data-testid=run-field][data-input=organizations] [data-testid=run-field-error]")).ToContainTextAsync("参评单位");
        await BrowserApp.ScreenshotAsync(page, "workflows-run-errors");
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        await page.Locator("[data-testid=run-field][data-input=title] input").FillAsync("2026 年整改报告 Corrective actions 2026");
        await page.GetByTestId("run-org-filter").FillAsync("洛阳");
        await Assertions.Expect(page.GetByTestId("run-org")).ToHaveCountAsync(1);
        await page.GetByLabel("洛阳联通").CheckAsync();
        await page.GetByTestId("run-org-filter").FillAsync("");
        await Assertions.Expect(page.GetByTestId("run-org")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByLabel("郑州移动")).Not.ToBeCheckedAsync();
        await page.GetByLabel("郑州移动").CheckAsync();
        await Assertions.Expect(page.GetByLabel("洛阳联通")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator(".rw-count")).ToContainTextAsync("已选 2");
        await page.GetByTestId("run-confirm").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/instances/[0-9a-f]{32}$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-definition")).ToContainTextAsync("整改报告 Corrective actions");
        // The tasks name their organizations as people know them.
        await Assertions.Expect(page.GetByTestId("instance-tasks")).ToContainTextAsync("洛阳联通");
        await Assertions.Expect(page.GetByTestId("instance-tasks")).Not.ToContainTextAsync("unicom-luoyang");
        await BrowserApp.ScreenshotAsync(page, "workflows-run-instance");
        var instanceId = page.Url.Split('/').Last();
        var tasks = await admin.FetchAsync("/api/tasks?all=true&pageSize=100").ExpectOkAsync();
        var opened = tasks.GetArray("items").Where(t => t.GetString("instanceId") == instanceId).ToList();
        Assert.Equal(OrganizationIds.Order(), opened.Select(t => t.GetString("organizationId")).Order());
        Assert.All(opened, t => Assert.Equal("2026 年整改报告 Corrective actions 2026", t.GetString("title")));

        // Duplicate, and delete the copy (a draft never published), confirming by its name.
        await page.GotoAsync("/admin/workflows");
        await BrowserApp.WaitForInteractiveAsync(page);
        await row.GetByTestId("duplicate").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow-action-result")).ToContainTextAsync("副本");
        var copy = page.Locator("[data-testid=workflow-row][data-definition-id=task-for-every-organization-copy]");
        await copy.GetByTestId("delete-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("delete-draft-text")).ToContainTextAsync("整改报告 Corrective actions 副本");
        await Assertions.Expect(page.GetByTestId("delete-draft-text")).ToContainTextAsync("从未发布");
        await page.GetByTestId("delete-draft-confirm").ClickAsync();
        await Assertions.Expect(copy).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("workflow-action-result")).ToContainTextAsync("已删除");

        // On a phone: the list and the run dialog fit, read no code, pass axe.
        var phone = await app.NewPageAsync(390, 844);
        await BrowserApp.SignInAsync(phone, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await phone.GotoAsync("/admin/workflows");
        await BrowserApp.WaitForInteractiveAsync(phone);
        problems.AddRange(await PageChecks.WiderThanScreenAsync(phone));
        problems.AddRange(await PageChecks.CodesReadAsync(phone, OrganizationIds));
        problems.AddRange(await PageChecks.AxeViolationsAsync(phone));
        await BrowserApp.ScreenshotAsync(phone, "workflows-list-phone");
        await phone.Locator("[data-testid=workflow-row][data-definition-id=task-for-every-organization]").GetByTestId("run").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("run-org")).ToHaveCountAsync(2);
        problems.AddRange(await PageChecks.WiderThanScreenAsync(phone));
        problems.AddRange(await PageChecks.AxeViolationsAsync(phone));
        var dialogText = await phone.Locator(".mud-dialog").InnerTextAsync();
        Assert.DoesNotContain(OrganizationIds, dialogText.Contains);
        await BrowserApp.ScreenshotAsync(phone, "workflows-run-phone");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Empty(app.PolicyViolations);
    }
}
