using Manyi.Engine.Calendar;
using Manyi.Engine.Expressions;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>Issue 21, item 3: a deadline chosen in the property panel, no JavaScript typed, with the computed date beside it.</summary>
public sealed class DeadlineEditorTests
{
    private const string Organization = CorrectiveReportDesigner.Organization;

    [Fact]
    public async Task Five_working_days_after_the_start_at_six_is_picked_shows_its_date_is_saved_as_data_and_fits_a_phone()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        var problems = new List<string>();
        var page = await CorrectiveReportDesigner.OpenAsync(app, admin);
        var editor = page.GetByTestId("deadline-editor");
        await Assertions.Expect(editor.GetByTestId("deadline-kind")).ToHaveValueAsync("at");
        await Assertions.Expect(editor.GetByTestId("deadline-date")).ToHaveValueAsync("2099-04-30");
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync("2099年4月30日 周四 18:00");

        // 5 working days after the start, at 18:00: the date it gives if the workflow started now.
        await editor.GetByTestId("deadline-kind").SelectOptionAsync("start");
        await editor.GetByTestId("deadline-days").FillAsync("5");
        await editor.GetByTestId("deadline-days").PressAsync("Tab");
        await editor.GetByTestId("deadline-count").SelectOptionAsync("working");
        await editor.GetByTestId("deadline-time").SelectOptionAsync("18:00");
        var calendar = BusinessCalendar.FromFolder(Workflows.RepositoryFilePath("calendars"));
        var today = DateOnly.FromDateTime(calendar.ToLocal(DateTimeOffset.UtcNow).DateTime);
        var expected = LiquidFilters.ChineseDateTime(calendar.ToLocal(calendar.At(calendar.AddWorkingDays(today, 5), new TimeOnly(18, 0))));
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync(expected);
        await editor.ScrollIntoViewIfNeededAsync();
        await BrowserApp.ScreenshotAsync(page, editor, "designer-deadline-editor");
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // After a campaign date instead: the 2025 headcount deadline, 2 working days later at 17:00, past the May holiday.
        await editor.GetByTestId("deadline-kind").SelectOptionAsync("setting");
        await Assertions.Expect(editor.GetByTestId("deadline-setting").Locator("option[value='dates.headcountDue']")).ToContainTextAsync("培训人数报送");
        await editor.GetByTestId("deadline-setting").SelectOptionAsync("dates.headcountDue");
        await editor.GetByTestId("deadline-days").FillAsync("2");
        await editor.GetByTestId("deadline-days").PressAsync("Tab");
        await editor.GetByTestId("deadline-time").SelectOptionAsync("17:00");
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync("2025年5月7日 周三 17:00");

        // Back to the start, saved; opened again it is the same choice, stored as data, not as JavaScript.
        await editor.GetByTestId("deadline-kind").SelectOptionAsync("start");
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync(expected);
        await page.GetByTestId("save-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Draft");
        await page.ReloadAsync();
        await BrowserApp.WaitForInteractiveAsync(page);
        await CorrectiveReportDesigner.Node(page, CorrectiveReportDesigner.TaskId).ClickAsync();
        await Assertions.Expect(editor.GetByTestId("deadline-kind")).ToHaveValueAsync("start");
        await Assertions.Expect(editor.GetByTestId("deadline-days")).ToHaveValueAsync("5");
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync(expected);
        var saved = await admin.PostJsonAsync("/api/workflow-definitions/corrective/preview", "{}").ExpectOkAsync();
        Assert.Equal("version 2", saved.GetString("source"));
        var report = saved.GetArray("activities").Single(a => a!.GetString("id") == "report")!;
        Assert.Null(report["error"]);
        Assert.Equal(expected, LiquidFilters.ChineseDateTime(calendar.ToLocal(DateTimeOffset.Parse(report.GetString("deadline")))));

        // On a phone (the same page narrowed: the canvas there is for looking, not picking).
        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(editor.GetByTestId("deadline-computed")).ToContainTextAsync(expected);
        await BrowserApp.ScreenshotAsync(page, editor, "designer-deadline-editor-phone");
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
        problems.AddRange(await PageChecks.CodesReadAsync(page, [Organization]));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
