using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Engine.Calendar;
using Manyi.Engine.Expressions;
using Manyi.Persistence;
using Manyi.Web.Tests.Campaign;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 21's done-when story: a new administrator, with the 58 organizations of the 2025 list loaded, builds in the
/// designer alone — no JSON, no API call for the workflow, no JavaScript — from a blank workflow: a task for every
/// organization (all of them, picked by name) to upload a corrective-action report (a required file and a note) within
/// 5 working days at 18:00, reminders 2 and 1 working days before and at the deadline, escalation to the secretariat
/// after; then one summary e-mail to the secretariat, in Liquid, listing who submitted, who has not and who is late by
/// name. The preview shows the reminders on their dates; published and run from the designer, the instance shows the 58
/// tasks; the summary tried on that instance lists the 58 by name. The canvas is written at 1366×768 and 1920×1080.
/// </summary>
public sealed class CorrectiveActionStoryTests
{
    private const string Secretariat = "secretariat@example.org";
    private const string Summary = """
        整改报告汇总 Corrective-action reports
        已提交 {{ Outputs["整改报告"].Organizations.done | size }} 家：{{ Outputs["整改报告"].Organizations.done | join: "、" }}
        未提交 {{ Outputs["整改报告"].Organizations.open | size }} 家：{{ Outputs["整改报告"].Organizations.open | join: "、" }}
        已逾期 {{ Outputs["整改报告"].Organizations.overdue | size }} 家：{{ Outputs["整改报告"].Organizations.overdue | join: "、" }}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_administrator_builds_previews_publishes_and_runs_the_corrective_action_workflow_in_the_designer_alone()
    {
        await using var app = await BrowserApp.StartAsync(settings =>
        {
            // The 58 organizations of 2025 and the demo accounts (the secretariat's address), without the year's campaign.
            settings.Settings["Manyi:Demo:Enabled"] = "true";
            settings.Settings["Manyi:Demo:Campaign"] = "false";
        });
        List<(string Id, string Name)> organizations;
        await using (var scope = app.Services.CreateAsyncScope())
            organizations = [.. (await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Organizations.Select(o => new { o.Id, o.Name }).ToListAsync(Ct))
                .Select(o => (o.Id, o.Name))];
        Assert.Equal(58, organizations.Count);
        var ids = organizations.Select(o => o.Id).ToList();
        var problems = new List<string>();

        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows");
        await BrowserApp.WaitForInteractiveAsync(page);

        // A blank workflow.
        await page.GetByTestId("new-workflow").ClickAsync();
        await page.GetByTestId("new-workflow-name").FillAsync("整改报告 Corrective actions");
        await page.Locator("[data-testid=new-workflow-template][data-template=blank] input").CheckAsync();
        await page.GetByTestId("new-workflow-create").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/workflows/[^/]+/designer$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        var definitionId = Regex.Match(page.Url, "/admin/workflows/([^/]+)/designer").Groups[1].Value;
        await Assertions.Expect(page.GetByTestId("designer-node")).ToHaveCountAsync(1);

        // The task, from the palette, named as people say it.
        await page.GetByTestId("palette-search").FillAsync("任务");
        await page.Locator("[data-testid=palette-item][data-type='Manyi.UserTask']").ClickAsync();
        var panel = page.GetByTestId("property-panel");
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-activity-id", new Regex("^usertask-"));
        var taskId = await panel.GetAttributeAsync("data-activity-id") ?? "";
        Assert.NotEqual("", taskId);
        await panel.GetByTestId("activity-name").FillAsync("整改报告");
        await panel.GetByTestId("activity-name").PressAsync("Tab");
        await Assertions.Expect(CorrectiveReportDesigner.Node(page, taskId)).ToContainTextAsync("整改报告");
        await FillLiteralAsync(page, "title", "整改报告上传 Corrective-action report");
        await FillLiteralAsync(page, "description", "请上传加盖公章的整改报告，并简述整改情况。 Upload the stamped corrective-action report and say what was done.");

        // Every organization of the list, kept as that choice (an organization added later is included when it runs),
        // never an id typed.
        var list = page.GetByTestId("organization-list");
        await Assertions.Expect(list.GetByTestId("organization-list-item")).ToHaveCountAsync(58);
        await list.GetByTestId("organization-list-mode").SelectOptionAsync("all");
        await Assertions.Expect(list).ToHaveAttributeAsync("data-mode", "all");
        await Assertions.Expect(list.GetByTestId("organization-list-count")).ToHaveAttributeAsync("data-count", "58");
        await BrowserApp.ScreenshotAsync(page, list, "story-organizations-1366");

        // The form: a required file and a required note.
        var form = page.GetByTestId("form-designer");
        await panel.GetByTestId("field-add").ClickAsync();
        var file = form.Locator(":scope > [data-testid=form-field]").Nth(0);
        await file.GetByTestId("field-type").SelectOptionAsync("file");
        await file.GetByTestId("field-label").FillAsync("整改报告");
        await file.GetByTestId("field-label").PressAsync("Tab");
        await file.GetByTestId("field-label-en").FillAsync("Corrective-action report");
        await file.GetByTestId("field-label-en").PressAsync("Tab");
        await file.GetByTestId("field-required").CheckAsync();
        await panel.GetByTestId("field-add").ClickAsync();
        var note = form.Locator(":scope > [data-testid=form-field]").Nth(1);
        await note.GetByTestId("field-type").SelectOptionAsync("text");
        await note.GetByTestId("field-label").FillAsync("整改说明");
        await note.GetByTestId("field-label").PressAsync("Tab");
        await note.GetByTestId("field-label-en").FillAsync("Note");
        await note.GetByTestId("field-label-en").PressAsync("Tab");
        await note.GetByTestId("field-required").CheckAsync();

        // Within 5 working days of the start, at 18:00; still open when late (the escalation follows), flagged overdue.
        var deadline = page.GetByTestId("deadline-editor");
        await deadline.GetByTestId("deadline-kind").SelectOptionAsync("start");
        await deadline.GetByTestId("deadline-days").FillAsync("5");
        await deadline.GetByTestId("deadline-days").PressAsync("Tab");
        await deadline.GetByTestId("deadline-count").SelectOptionAsync("working");
        await deadline.GetByTestId("deadline-time").SelectOptionAsync("18:00");
        var calendar = BusinessCalendar.FromFolder(Workflows.RepositoryFilePath("calendars"));
        var today = DateOnly.FromDateTime(calendar.ToLocal(DateTimeOffset.UtcNow).DateTime);
        var dueDay = calendar.AddWorkingDays(today, 5);
        string On(DateOnly day, int hour) => LiquidFilters.ChineseDateTime(calendar.ToLocal(calendar.At(day, new TimeOnly(hour, 0))));
        await Assertions.Expect(deadline.GetByTestId("deadline-computed")).ToContainTextAsync(On(dueDay, 18));
        var behaviour = page.Locator("[data-testid=input][data-input=deadlineBehaviour] [data-testid=input-deadlineBehaviour]");
        await Assertions.Expect(behaviour.Locator("option[value=Flag]")).ToHaveTextAsync("保持打开，标记为逾期 Keep it open, flagged overdue");
        await behaviour.SelectOptionAsync("Flag");

        // Reminders 2 and 1 working days before and at the deadline, no overdue repeats, then the escalation to the secretariat.
        var ladder = page.GetByTestId("reminder-ladder");
        await ladder.GetByTestId("reminders-add").ClickAsync();
        await ladder.GetByTestId("reminders-before").FillAsync("2, 1");
        await ladder.GetByTestId("reminders-before").PressAsync("Tab");
        await ladder.GetByTestId("reminders-times").FillAsync("0");
        await ladder.GetByTestId("reminders-times").PressAsync("Tab");
        await Assertions.Expect(ladder.GetByTestId("reminders-at-deadline")).ToBeCheckedAsync();
        await Assertions.Expect(ladder.GetByTestId("reminders-escalate")).ToBeCheckedAsync();
        var escalateTo = page.Locator("[data-testid=input][data-input=escalateTo] [data-testid=input-escalateTo]");
        await escalateTo.FillAsync(Secretariat);
        await escalateTo.PressAsync("Tab");
        var steps = ladder.GetByTestId("reminders-steps");
        await Assertions.Expect(steps.Locator("[data-step=before-2]")).ToContainTextAsync(On(calendar.AddWorkingDays(dueDay, -2), 9));
        await Assertions.Expect(steps.Locator("[data-step=escalation]")).ToContainTextAsync(On(calendar.AddWorkingDays(dueDay, 1), 9));

        // The start leads to the task (the start's port, by keyboard: the panel's "connect to").
        await ConnectAsync(page, "start", taskId);

        // The summary e-mail to the secretariat, in Liquid over the task's Organizations output, after the task.
        await page.GetByTestId("palette-search").FillAsync("邮件");
        await page.Locator("[data-testid=palette-item][data-type='Elsa.SendEmail']").ClickAsync();
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-activity-id", new Regex("^sendemail-"));
        var emailId = await panel.GetAttributeAsync("data-activity-id") ?? "";
        Assert.NotEqual(taskId, emailId);
        await panel.GetByTestId("activity-name").FillAsync("汇总邮件");
        await panel.GetByTestId("activity-name").PressAsync("Tab");
        await Assertions.Expect(CorrectiveReportDesigner.Node(page, emailId)).ToContainTextAsync("汇总邮件");
        await FillLiteralAsync(page, "to", Secretariat);
        await FillLiteralAsync(page, "subject", "整改报告汇总 Corrective-action reports");
        var body = page.Locator("[data-testid=input][data-input=body]");
        await body.GetByTestId("syntax-body").SelectOptionAsync("Liquid");
        await ExpressionInput.FocusAsync(page, "body");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.InsertTextAsync("已逾期：{{ Outputs[\"整改报告\"].Org");
        await page.Keyboard.PressAsync("Control+Space");
        // The editor offers the task's output by the task's name, in the form Liquid reads a Chinese name.
        await Assertions.Expect(page.Locator(".suggest-widget .monaco-list-row.focused")).ToContainTextAsync("Outputs[\"整改报告\"].Organizations");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.InsertTextAsync(".overdue }}");
        await Assertions.Expect(ExpressionInput.Editor(page, "body").Locator(".view-lines")).ToHaveTextAsync("已逾期：{{ Outputs[\"整改报告\"].Organizations.overdue }}");
        await BrowserApp.ScreenshotAsync(page, body, "story-summary-completion-1366");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.InsertTextAsync(Summary);
        await ExpressionInput.LeaveAsync(page);
        await ConnectAsync(page, taskId, emailId);
        await Assertions.Expect(page.GetByTestId("problems-none")).ToBeVisibleAsync();

        // The canvas, on a desk's screen and a wide one: it takes the width, its text is legible.
        await page.GetByTestId("auto-layout").ClickAsync();
        await Assertions.Expect(page.GetByTestId("undo")).ToHaveAttributeAsync("title", new Regex("自动排列"));
        await CanvasAsync(page, "story-canvas-1366", problems);
        await page.SetViewportSizeAsync(1920, 1080);
        await CanvasAsync(page, "story-canvas-1920", problems);
        await page.SetViewportSizeAsync(1366, 768);

        // The preview of the unsaved draft: 2 and 1 working days before, at the deadline on its day, the escalation after.
        await page.GetByTestId("tab-preview").ClickAsync();
        var preview = page.Locator($"[data-testid=preview-activity][data-activity='{taskId}']");
        await Assertions.Expect(preview.GetByTestId("preview-deadline")).ToContainTextAsync(On(dueDay, 18));
        await Assertions.Expect(preview.GetByTestId("preview-ladder-days")).ToContainTextAsync("按工作日计");
        await Assertions.Expect(preview.GetByTestId("preview-reminder")).ToHaveCountAsync(4);
        await Assertions.Expect(preview.Locator("[data-step=before-2]")).ToContainTextAsync(On(calendar.AddWorkingDays(dueDay, -2), 9));
        await Assertions.Expect(preview.Locator("[data-step=before-1]")).ToContainTextAsync(On(calendar.AddWorkingDays(dueDay, -1), 9));
        await Assertions.Expect(preview.Locator("[data-step=at]")).ToContainTextAsync(On(dueDay, 9));
        await Assertions.Expect(preview.Locator("[data-step=escalation]")).ToContainTextAsync(On(calendar.AddWorkingDays(dueDay, 1), 9));
        await Assertions.Expect(preview.Locator("[data-merged]")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, preview, "story-preview-1366");
        problems.AddRange(await PageChecks.CodesReadAsync(page, ids));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // Published (saved first) and run from the designer: no inputs to give; the new instance opens with its 58 tasks.
        await page.GetByTestId("publish").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Published");
        await page.GetByTestId("run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-no-inputs")).ToBeVisibleAsync();
        await page.GetByTestId("run-confirm").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/instances/[0-9a-f]{32}$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-definition")).ToContainTextAsync("整改报告 Corrective actions");
        await Assertions.Expect(page.GetByTestId("instance-task")).ToHaveCountAsync(58);
        var tasks = page.GetByTestId("instance-tasks");
        foreach (var (_, name) in organizations) await Assertions.Expect(tasks).ToContainTextAsync(name);
        await Assertions.Expect(page.GetByTestId("instance-task").First).ToContainTextAsync(On(dueDay, 18));
        await BrowserApp.ScreenshotAsync(page, tasks, "story-instance-1366");
        problems.AddRange(await PageChecks.CodesReadAsync(page, ids));

        // What was built is what was asked, read back (not written) through the API.
        using var admin = await app.CreateApiClientAsync();
        var saved = await admin.FetchAsync($"/api/workflow-definitions/{definitionId}").ExpectOkAsync();
        var activities = saved["root"]!["activities"]!.AsArray();
        var task = activities.Single(a => (string?)a!["id"] == taskId)!;
        // "All of the list" is stored as that choice, which the engine resolved to the 58 when it ran.
        Assert.Equal("Organizations", (string?)task["organizations"]!["expression"]!["type"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["all"] = true }, task["organizations"]!["expression"]!["value"]));
        Assert.Equal([("file", true), ("text", true)],
            task["form"]!["fields"]!.AsArray().Select(f => ((string)f!["type"]!, (bool?)f["required"] == true)));
        Assert.DoesNotContain(activities, a => JavaScriptIn(a!));

        // The summary tried on this run: the 58 by name, none submitted yet.
        await page.GotoAsync($"/admin/workflows/{definitionId}/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await CorrectiveReportDesigner.Node(page, emailId).ClickAsync();
        await body.GetByTestId("try-open").ClickAsync();
        await Assertions.Expect(body.GetByTestId("try-source").Locator("option")).ToHaveCountAsync(2);
        await body.GetByTestId("try-source").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await body.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(body.GetByTestId("try-result")).ToHaveAttributeAsync("data-succeeded", "true");
        var result = body.Locator("[data-testid=try-result] pre");
        await Assertions.Expect(result).ToContainTextAsync("已提交 0 家");
        await Assertions.Expect(result).ToContainTextAsync("未提交 58 家");
        await Assertions.Expect(result).ToContainTextAsync(organizations[0].Name);
        await BrowserApp.ScreenshotAsync(page, body, "story-summary-tried-1366");

        Assert.Empty(app.PolicyViolations);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// The repository's participant workflow (43 activities) opened at 1366×768: stored in the designer's own wrapped
    /// layout, not as one tall column, it takes the canvas's width at the zoom the designer opens it at, with the start
    /// in view and the names legible; "auto-layout" finds nothing to move.
    /// </summary>
    [Fact]
    public async Task The_participant_workflow_opens_at_1366_laid_out_across_the_width_of_the_canvas()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(await File.ReadAllTextAsync(Workflows.RepositoryFilePath("workflows/participant.json"), Ct));
        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows/participant/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("designer-node")).ToHaveCountAsync(43);
        await BrowserApp.ScreenshotAsync(page, "story-participant-1366");
        if (Environment.GetEnvironmentVariable("STORY21_CAPTURE") is not null)
        {
            await page.GetByTestId("auto-layout").ClickAsync(); await page.GetByTestId("save-draft").ClickAsync();
            await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Draft");
            await File.WriteAllTextAsync("/tmp/story21-participant-laid-out.json", (await admin.FetchAsync("/api/workflow-definitions/participant/export?version=2").ExpectOkAsync()).ToJsonString(), Ct);
            return;
        }

        var canvas = (await page.GetByTestId("designer-canvas").BoundingBoxAsync())!;
        var boxes = await page.Locator("[data-testid=designer-node] .dc-box").EvaluateAllAsync<double[][]>(
            "rects => rects.map(r => { const b = r.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })");
        var (left, right) = (boxes.Min(b => b[0]), boxes.Max(b => b[2]));
        var (top, bottom) = (boxes.Min(b => b[1]), boxes.Max(b => b[3]));
        Assert.True(right - left > bottom - top, $"the drawing is {right - left:0}×{bottom - top:0} px: a column, not laid across");
        var used = Math.Min(right, canvas.X + canvas.Width) - Math.Max(left, canvas.X);
        Assert.True(used >= canvas.Width * 0.9, $"of the canvas's {canvas.Width:0} px the drawing covers {used:0}");
        var zoom = double.Parse(await page.GetByTestId("designer-viewport").GetAttributeAsync("data-zoom") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(14 * zoom >= 11, $"the names are {14 * zoom:0.0} px at {zoom:P0}");
        var start = (await CorrectiveReportDesigner.Node(page, "start").Locator(".dc-box").BoundingBoxAsync())!;
        Assert.True(start.X >= canvas.X && start.Y >= canvas.Y && start.X + start.Width <= canvas.X + canvas.Width, "the start is in view");

        // Auto-layout moves nothing (a command that changes nothing is not kept), once the page has answered the next click.
        await page.GetByTestId("auto-layout").ClickAsync();
        await page.GetByTestId("validate").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-message")).ToContainTextAsync("校验通过");
        await Assertions.Expect(page.GetByTestId("undo")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByTestId("designer-dirty")).ToHaveCountAsync(0);
    }

    /// <summary>Selects <paramref name="source"/> on the canvas and connects its Done port to <paramref name="target"/> in the panel's "connect to".</summary>
    private static async Task ConnectAsync(IPage page, string source, string target)
    {
        await CorrectiveReportDesigner.Node(page, source).ClickAsync();
        await Assertions.Expect(page.GetByTestId("property-panel")).ToHaveAttributeAsync("data-activity-id", source);
        var port = page.Locator("[data-testid=port-connections][data-port=Done]");
        await port.GetByTestId("port-connect").SelectOptionAsync(target);
        await Assertions.Expect(port.Locator($"[data-testid=port-target][data-target='{target}']")).ToHaveCountAsync(1);
    }

    /// <summary>A text input of the selected activity, as a literal: typed into and left.</summary>
    private static async Task FillLiteralAsync(IPage page, string input, string text)
    {
        var field = page.Locator($"[data-testid=input][data-input={input}] [data-testid=input-{input}]");
        await field.FillAsync(text);
        await field.PressAsync("Tab");
    }

    /// <summary>
    /// The designer with the canvas wider than the palette and the panel together (as the designer's room test has it),
    /// the whole drawing in view, and its activity names at a legible size on the screen.
    /// </summary>
    private static async Task CanvasAsync(IPage page, string name, List<string> problems)
    {
        var width = page.ViewportSize!.Width;
        await BrowserApp.ScreenshotAsync(page, name);
        var canvas = (await page.GetByTestId("designer-canvas").BoundingBoxAsync())!;
        var panels = (await page.GetByTestId("designer-palette").BoundingBoxAsync())!.Width + (await page.GetByTestId("designer-side").BoundingBoxAsync())!.Width;
        if (canvas.Width <= panels) problems.Add($"{name}: the canvas is {canvas.Width:0} px of {width}, the palette and the panel {panels:0} px");
        foreach (var node in await page.GetByTestId("designer-node").AllAsync())
        {
            var box = (await node.Locator(".dc-box").BoundingBoxAsync())!;
            if (box.X < canvas.X || box.Y < canvas.Y || box.X + box.Width > canvas.X + canvas.Width || box.Y + box.Height > canvas.Y + canvas.Height)
                problems.Add($"{name}: {await node.GetAttributeAsync("data-activity-id")} is out of view");
        }
        var nameSize = await page.Locator("[data-testid=designer-node] .dc-name").First
            .EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a");
        if (nameSize < 11) problems.Add($"{name}: activity names at {nameSize:0.0} px on the screen");
    }

    private static bool JavaScriptIn(JsonNode node) =>
        node.ToJsonString().Contains("\"type\":\"JavaScript\"", StringComparison.Ordinal);
}
