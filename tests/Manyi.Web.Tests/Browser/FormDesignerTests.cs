using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// The form designer sets what forms support without JSON (issue 21, item 9): a file field's accepted types, largest
/// size and several files; a text field's longest length, pattern and help text; a choice that takes several; and a
/// type change drops the settings the new type does not have, so the form stays valid; a field can be required when a
/// checkbox beside it is ticked.
/// </summary>
public sealed class FormDesignerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Workflow = """
        {"definitionId": "corrective-report", "name": "整改报告", "version": 1,
         "root": {"id": "flow", "type": "Elsa.Flowchart", "activities": [
           {"id": "start", "type": "Elsa.Start"},
           {"id": "report", "type": "Manyi.UserTask", "name": "整改报告",
            "title": {"typeName": "String", "expression": {"type": "Literal", "value": "整改报告 Corrective-action report"}},
            "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Participant"}},
            "form": {"fields": [
              {"name": "report", "label": "整改报告", "type": "text"},
              {"name": "phone", "label": "联系电话", "type": "number", "min": 1}]}}],
          "connections": [{"source": {"activity": "start", "port": "Done"}, "target": {"activity": "report", "port": "In"}}]}}
        """;

    [Fact]
    public async Task An_administrator_sets_file_types_size_and_several_files_a_texts_length_and_pattern_without_json()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Workflow);
        var page = await app.NewPageAsync(1440, 900);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows/corrective-report/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.Locator("[data-testid=designer-node][data-activity-id='report']").ClickAsync();
        var form = page.GetByTestId("form-designer");
        var report = form.Locator(":scope > [data-testid=form-field][data-name=report]");
        var phone = form.Locator(":scope > [data-testid=form-field][data-name=phone]");

        // The report becomes a file field: PDF or Word, at most 5 MB, several files.
        await report.GetByTestId("field-type").SelectOptionAsync("file");
        await report.Locator("[data-testid=field-allowed-types] input[data-type='application/pdf']").CheckAsync();
        await report.Locator("[data-testid=field-allowed-types] input[data-type='application/vnd.openxmlformats-officedocument.wordprocessingml.document']").CheckAsync();
        await report.GetByTestId("field-max-mb").FillAsync("5");
        await report.GetByTestId("field-max-mb").PressAsync("Tab");
        await report.GetByTestId("field-multiple").CheckAsync();
        await report.GetByTestId("field-description").FillAsync("整改报告请加盖公章 Stamped, please");
        await report.GetByTestId("field-description").PressAsync("Tab");

        // The phone was a number with a minimum: as text, the minimum goes (it would make the form invalid) and a pattern comes.
        await phone.GetByTestId("field-type").SelectOptionAsync("text");
        await Assertions.Expect(phone.GetByTestId("field-pattern")).ToBeVisibleAsync();
        await phone.GetByTestId("field-max-length").FillAsync("11");
        await phone.GetByTestId("field-max-length").PressAsync("Tab");
        await phone.GetByTestId("field-pattern").FillAsync(@"^1\d{10}$");
        await phone.GetByTestId("field-pattern").PressAsync("Tab");

        // A checkbox beside it makes the phone required when ticked.
        await page.GetByTestId("field-add").ClickAsync();
        var confirmed = form.Locator(":scope > [data-testid=form-field]").Nth(2);
        await confirmed.GetByTestId("field-type").SelectOptionAsync("checkbox");
        await confirmed.GetByTestId("field-label").FillAsync("需要回访 Call back");
        await confirmed.GetByTestId("field-label").PressAsync("Tab");
        await phone.GetByTestId("field-required-when").SelectOptionAsync("field3");
        await Assertions.Expect(page.GetByTestId("problems-none")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, report, "designer-form-options");
        await BrowserApp.ScreenshotAsync(page, phone, "designer-form-required-when");
        var problems = await PageChecks.AxeViolationsAsync(page);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        await page.GetByTestId("save-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-message")).ToContainTextAsync(new Regex("已保存为草稿版本 2"));
        var saved = await admin.FetchAsync("/api/workflow-definitions/corrective-report?version=2").ExpectOkAsync();
        var fields = saved["root"]!["activities"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == "report")!["form"]!["fields"]!.AsArray();
        var file = fields[0]!.AsObject();
        Assert.Equal("file", file["type"]!.GetValue<string>());
        Assert.Equal(["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
            file["allowedTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(5 * 1024 * 1024, file["maxBytes"]!.GetValue<long>());
        Assert.True(file["multiple"]!.GetValue<bool>());
        Assert.Equal("整改报告请加盖公章 Stamped, please", file["description"]!.GetValue<string>());
        var text = fields[1]!.AsObject();
        Assert.Equal(("text", 11, @"^1\d{10}$"), (text["type"]!.GetValue<string>(), text["maxLength"]!.GetValue<int>(), text["pattern"]!.GetValue<string>()));
        Assert.Null(text["min"]);
        Assert.Equal("field3", text["requiredWhen"]!.GetValue<string>());
        Assert.Equal("checkbox", fields[2]!["type"]!.GetValue<string>());
    }
}
