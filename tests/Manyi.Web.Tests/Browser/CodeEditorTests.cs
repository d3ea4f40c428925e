using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>Issue 21, item 5: an expression edited in the code editor with completion, and tried without running the workflow.</summary>
public sealed class CodeEditorTests
{
    private const string DefinitionId = "tally";

    /// <summary>Start → "say" (a JavaScript text) → wait for an event that never comes; the variable total starts at 21.</summary>
    private static string Tally() => Workflows.Flowchart(DefinitionId,
        $"{Workflows.Start()}, {Workflows.WriteLine("say", "1", "JavaScript")}, {Workflows.Event("wait", "never")}",
        $"{Workflows.Connect("start", "say")}, {Workflows.Connect("say", "wait")}",
        """ "variables": [{"id": "v-total", "name": "total", "typeName": "Int32", "value": "21"}], """);

    [Fact]
    public async Task A_variable_and_a_function_are_offered_one_is_accepted_and_the_expression_is_tried_on_sample_data_and_on_a_run()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Tally());
        await admin.PostJsonAsync($"/api/workflow-definitions/{DefinitionId}/execute", "{}").ExpectOkAsync();
        var problems = new List<string>();
        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync($"/admin/workflows/{DefinitionId}/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await CorrectiveReportDesigner.Node(page, "say").ClickAsync();

        await TypeWithCompletionAsync(page);
        var input = page.Locator("[data-testid=input][data-input=text]");
        await BrowserApp.ScreenshotAsync(page, input, "designer-code-editor-1366");

        // Tried on the sample data (total 21 by default, changed to 5), then on the run, whose total is 21.
        await input.GetByTestId("try-open").ClickAsync();
        var sample = input.GetByTestId("try-sample");
        await Assertions.Expect(sample).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"total\": 21\\b"));
        await sample.FillAsync((await sample.InputValueAsync()).Replace("\"total\": 21", "\"total\": 5", StringComparison.Ordinal));
        await input.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(input.GetByTestId("try-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync("10");
        var source = input.GetByTestId("try-source");
        await Assertions.Expect(source.Locator("option")).ToHaveCountAsync(2);
        await source.SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await input.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync("42");
        await BrowserApp.ScreenshotAsync(page, input, "designer-code-editor-tried-1366");
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
        problems.AddRange(await PageChecks.CodesReadAsync(page, []));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // A mistake is reported, Chinese first (that a run is only read is ExpressionTrialTests').
        await ExpressionInput.FillAsync(page, "text", "getTotal().nothing.more");
        await input.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(input.GetByTestId("try-result")).ToHaveAttributeAsync("data-succeeded", "false");
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^JavaScript 运行出错："));

        // On a phone: the same editor, completion and result fit the screen.
        await page.SetViewportSizeAsync(390, 844);
        await TypeWithCompletionAsync(page);
        await input.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync("42");
        await input.ScrollIntoViewIfNeededAsync();
        await BrowserApp.ScreenshotAsync(page, input, "designer-code-editor-390");
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
        problems.AddRange(await PageChecks.CodesReadAsync(page, []));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // Liquid: its own highlighting and the same names as Liquid spells them.
        await input.GetByTestId("syntax-text").SelectOptionAsync("Liquid");
        await Assertions.Expect(ExpressionInput.Editor(page, "text")).ToHaveAttributeAsync("data-language", "liquid");
        await ExpressionInput.FocusAsync(page, "text");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.InsertTextAsync("共 {{ Var");
        await page.Keyboard.PressAsync("Control+Space");
        await Assertions.Expect(page.Locator(".suggest-widget .monaco-list-row.focused")).ToContainTextAsync("Variables.total");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.InsertTextAsync(" }} 家");
        await ExpressionInput.LeaveAsync(page);
        await input.GetByTestId("try-run").ClickAsync();
        // A text is shown as the text, not as a JSON string.
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync("共 21 家");
        await Assertions.Expect(input.GetByTestId("try-result")).ToHaveAttributeAsync("data-kind", "text");

        // A variable added since is offered too.
        await page.GetByTestId("tab-variables").ClickAsync();
        await page.GetByTestId("variable-add").ClickAsync();
        await page.GetByTestId("variable-name").Last.FillAsync("late");
        await page.GetByTestId("variable-name").Last.PressAsync("Tab");
        await page.GetByTestId("tab-activity").ClickAsync();
        await ExpressionInput.FocusAsync(page, "text");
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.InsertTextAsync("{{ Variables.la");
        await page.Keyboard.PressAsync("Control+Space");
        await Assertions.Expect(page.Locator(".suggest-widget .monaco-list-row.focused")).ToContainTextAsync("Variables.late");
        await page.Keyboard.PressAsync("Escape");

        Assert.Empty(app.PolicyViolations);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Where_Monaco_cannot_load_the_plain_textarea_edits_the_expression_and_tries_it()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Tally());
        var page = await app.NewPageAsync(1366, 768);
        await page.RouteAsync("**/_content/BlazorMonaco/**", route => route.AbortAsync());
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync($"/admin/workflows/{DefinitionId}/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await CorrectiveReportDesigner.Node(page, "say").ClickAsync();

        var input = page.Locator("[data-testid=input][data-input=text]");
        await input.GetByTestId("input-text").FillAsync("getTotal() + 1");
        await input.GetByTestId("input-text").PressAsync("Tab");
        await input.GetByTestId("try-open").ClickAsync();
        await input.GetByTestId("try-run").ClickAsync();
        await Assertions.Expect(input.Locator("[data-testid=try-result] pre")).ToHaveTextAsync("22");
        await Assertions.Expect(input.GetByTestId("code-editor")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Replaces the text with "get", asks for completion, sees the variable total's accessor and the engine's
    /// getVariable, narrows to the first and accepts it, then doubles it: <c>getTotal() * 2</c>.
    /// </summary>
    private static async Task TypeWithCompletionAsync(IPage page)
    {
        await ExpressionInput.FocusAsync(page, "text");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("get");
        await page.Keyboard.PressAsync("Control+Space");
        var rows = page.Locator(".suggest-widget .monaco-list-row");
        await Assertions.Expect(rows.Filter(new() { HasText = "getTotal()" })).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "getVariable(name)" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"designer-code-editor-completion-{page.ViewportSize!.Width}");
        await page.Keyboard.TypeAsync("To");
        await Assertions.Expect(page.Locator(".suggest-widget .monaco-list-row.focused")).ToContainTextAsync("getTotal()");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync(" * 2");
        await Assertions.Expect(ExpressionInput.Editor(page, "text").Locator(".view-lines")).ToHaveTextAsync("getTotal() * 2");
        await ExpressionInput.LeaveAsync(page);
    }
}
