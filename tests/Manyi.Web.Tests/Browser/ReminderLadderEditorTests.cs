using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 21, item 4: a reminder ladder in working days built in the property panel, with every step listed on its date
/// beside it and in the preview tab — also the steps the calendar moved or merged, and why.
/// </summary>
public sealed class ReminderLadderEditorTests
{
    private const string Organization = CorrectiveReportDesigner.Organization;

    [Fact]
    public async Task Two_and_one_working_days_before_a_Monday_deadline_and_at_it_are_Thursday_Friday_and_Monday_and_calendar_days_show_the_merge()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        var problems = new List<string>();
        // Due Monday 20 April 2099, 18:00 (no holiday data for 2099: weekends are the days off).
        var page = await CorrectiveReportDesigner.OpenAsync(app, admin, due: "2099-04-20T18:00:00+08:00");
        var ladder = page.GetByTestId("reminder-ladder");
        await ladder.GetByTestId("reminders-add").ClickAsync();
        await Assertions.Expect(ladder.GetByTestId("reminders-days")).ToHaveValueAsync("working");
        await ladder.GetByTestId("reminders-before").FillAsync("2, 1");
        await ladder.GetByTestId("reminders-before").PressAsync("Tab");

        var steps = ladder.GetByTestId("reminders-steps");
        await Assertions.Expect(steps).ToContainTextAsync("2099年4月20日 周一 18:00");
        await Assertions.Expect(steps.Locator("[data-step=before-2]")).ToContainTextAsync("截止前 2 个工作日");
        await Assertions.Expect(steps.Locator("[data-step=before-2]")).ToContainTextAsync("2099年4月16日 周四 09:00");
        await Assertions.Expect(steps.Locator("[data-step=before-1]")).ToContainTextAsync("2099年4月17日 周五 09:00");
        await Assertions.Expect(steps.Locator("[data-step=at]")).ToContainTextAsync("2099年4月20日 周一 09:00");
        await Assertions.Expect(steps.Locator("[data-step=after-1]")).ToContainTextAsync("2099年4月21日 周二 09:00");
        await Assertions.Expect(steps.Locator("[data-merged]")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, steps, "designer-reminder-ladder");

        // The same days counted as calendar days: Saturday and Sunday move to Friday, and only one message goes then.
        await ladder.GetByTestId("reminders-days").SelectOptionAsync("calendar");
        var two = steps.Locator("[data-step=before-2]");
        await Assertions.Expect(two).ToContainTextAsync("截止前 2 天（自然日）");
        await Assertions.Expect(two).ToContainTextAsync("2099年4月17日 周五 09:00");
        await Assertions.Expect(two).ToContainTextAsync("原定 2099年4月18日 周六，非工作日");
        await Assertions.Expect(two).ToContainTextAsync("与「截止前 1 天（自然日）」同一时间，只发送那一条");
        await Assertions.Expect(steps.Locator("[data-step=before-1]")).ToContainTextAsync("原定 2099年4月19日 周日");
        await Assertions.Expect(steps.Locator("[data-merged]")).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(page, steps, "designer-reminder-ladder-calendar");

        // Back to working days; the preview tab shows the unsaved draft's steps the same way.
        await ladder.GetByTestId("reminders-days").SelectOptionAsync("working");
        await Assertions.Expect(steps.Locator("[data-merged]")).ToHaveCountAsync(0);
        await page.GetByTestId("tab-preview").ClickAsync();
        var preview = page.Locator("[data-testid=preview-activity][data-activity=report]");
        await Assertions.Expect(preview.GetByTestId("preview-ladder-days")).ToContainTextAsync("按工作日计");
        await Assertions.Expect(preview.GetByTestId("preview-reminder")).ToHaveCountAsync(6);
        await Assertions.Expect(preview.Locator("[data-step=before-2]")).ToContainTextAsync("2099年4月16日 周四 09:00");
        await Assertions.Expect(preview.Locator("[data-step=before-1]")).ToContainTextAsync("2099年4月17日 周五 09:00");
        await Assertions.Expect(preview.Locator("[data-step=at]")).ToContainTextAsync("2099年4月20日 周一 09:00");
        await Assertions.Expect(preview.Locator("[data-step=escalation]")).ToContainTextAsync("2099年4月23日 周四 09:00");
        await BrowserApp.ScreenshotAsync(page, preview, "designer-preview-ladder");
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        await page.GetByTestId("save-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("designer-status")).ToHaveAttributeAsync("data-status", "Draft");

        // On a phone (the same page narrowed: the canvas there is for looking, not picking): the ladder and its steps fit.
        await page.GetByTestId("tab-activity").ClickAsync();
        await page.SetViewportSizeAsync(390, 844);
        var phoneSteps = page.GetByTestId("reminders-steps");
        await Assertions.Expect(phoneSteps.Locator("[data-step=at]")).ToContainTextAsync("2099年4月20日 周一 09:00");
        await BrowserApp.ScreenshotAsync(page, phoneSteps, "designer-reminder-ladder-phone");
        await CheckAsync(page, problems);
        await page.GetByTestId("tab-preview").ClickAsync();
        await Assertions.Expect(preview.Locator("[data-step=at]")).ToContainTextAsync("2099年4月20日 周一 09:00");
        await BrowserApp.ScreenshotAsync(page, preview, "designer-preview-ladder-phone");
        await CheckAsync(page, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task CheckAsync(IPage page, List<string> problems)
    {
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
        problems.AddRange(await PageChecks.CodesReadAsync(page, [Organization]));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));
    }
}
