using System.Globalization;
using System.Text.RegularExpressions;
using Manyi.Persistence;
using Manyi.Web.Tests.Campaign;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The secretariat rehearses the 2025 year in a real browser, at 1366 and 390 px.</summary>
public sealed class RehearsalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// From the dashboard: the year with everyone on time, then with 10 organizations 2 working days late at the headcount.
    /// The late run's calendar and plot show the reminders, overdue notices and escalations (the headcount's ladder escalates on
    /// the second working day after the deadline, 7 May, while the sign-up is still open) the on-time run does not have, its
    /// table of ends names the organizations, and the comparison lists exactly the late ones by name.
    /// </summary>
    [Fact]
    public async Task The_secretariat_rehearses_2025_with_ten_organizations_late_at_the_headcount_and_sees_the_extra_reminders_and_escalations()
    {
        await using var app = await BrowserApp.StartAsync(settings =>
        {
            settings.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
            settings.Settings["Manyi:Demo:Enabled"] = "true";
            settings.Settings["Manyi:Demo:Campaign"] = "false";
        });
        List<string> ids;
        await using (var scope = app.Services.CreateAsyncScope())
            ids = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Organizations.Select(o => o.Id).ToListAsync(Ct);
        var page = await app.NewPageAsync(width: 1366, height: 900);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.GetByTestId("rehearsal-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/rehearsals\\?year=2025$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("rehearsal-banner")).ToContainTextAsync("演练 — 不发送任何消息");

        // Everyone on time.
        await page.GetByTestId("rehearsal-run").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/rehearsals\\?id=[0-9a-f]{32}$"), new() { Timeout = 120_000 });
        await Assertions.Expect(page.GetByTestId("rehearsal-result")).ToContainTextAsync("全部按时");
        await Assertions.Expect(page.Locator("[data-testid=calendar-chip][data-kind=overdue]")).ToHaveCountAsync(0);
        var onTimeUrl = page.Url;

        // Ten organizations two working days late at the headcount (the form's defaults once "late" is ticked).
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.GetByText("部分单位逾期").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rehearsal-late-count")).ToHaveValueAsync("10");
        await Assertions.Expect(page.GetByTestId("rehearsal-late-days")).ToHaveValueAsync("2");
        await page.GetByTestId("rehearsal-run").ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(onTimeUrl, new() { Timeout = 120_000 });
        var result = page.GetByTestId("rehearsal-result");
        await Assertions.Expect(result).ToContainTextAsync("10 家单位在「培训人数报送」逾期 2 个工作日");

        // The calendar: days with overdue notices, escalations and reminders; the plot: days with reminder bars, 7 May's with the escalations.
        await Assertions.Expect(page.Locator("[data-testid=calendar-chip][data-kind=overdue]")).Not.ToHaveCountAsync(0);
        var escalationDay = page.Locator("[data-testid=calendar-day]").Filter(new() { Has = page.Locator("[data-testid=calendar-chip][data-kind=escalation]") });
        await Assertions.Expect(escalationDay).ToHaveCountAsync(1);
        await escalationDay.Locator("summary").ClickAsync();
        await Assertions.Expect(escalationDay.Locator("[data-testid=calendar-message][data-kind=escalation]").First).ToContainTextAsync("培训人数报送");
        Assert.True(await escalationDay.Locator("[data-testid=calendar-message][data-kind=escalation]").CountAsync() >= 10, "an escalation about each late organization");
        var reminderBars = page.Locator("[data-testid=plot-day]:not([data-reminders='0'])");
        Assert.True(await reminderBars.CountAsync() >= 3, "reminder bars before and after the deadline");
        var escalated = int.Parse(await page.Locator("[data-testid=plot-day][data-day='2025-05-07']").GetAttributeAsync("data-reminders") ?? "0", CultureInfo.InvariantCulture);
        Assert.True(escalated >= 10, $"7 May's bar holds the escalations ({escalated})");
        var day = page.Locator("[data-testid=calendar-day]").Filter(new() { Has = page.Locator("[data-testid=calendar-chip][data-kind=overdue]") }).First;
        await day.Locator("summary").ClickAsync();
        await Assertions.Expect(day.Locator("[data-testid=calendar-message][data-kind=overdue]")).ToHaveCountAsync(10);
        await Assertions.Expect(day.Locator("[data-testid=calendar-message][data-kind=overdue]").First).ToContainTextAsync("培训人数报送");
        await Assertions.Expect(page.GetByTestId("rehearsal-ends")).ToContainTextAsync("已评审");
        // The headcount's deadline, for the 58, of which the 10 passed it.
        var headcount = page.Locator("[data-testid=rehearsal-deadline][data-stage=headcount]");
        await Assertions.Expect(headcount).ToContainTextAsync("2025年4月30日");
        await Assertions.Expect(headcount.Locator("td").Nth(3)).ToHaveTextAsync("10");
        await BrowserApp.ScreenshotAsync(page, "rehearsal-late-1366");
        await page.GetByTestId("rehearsal-kinds").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, "rehearsal-late-1366-view.png") });
        var problems = new List<string>();
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
        problems.AddRange(await PageChecks.CodesReadAsync(page, ids));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // Compared with the on-time run: the overdue notices are the difference, for ten organizations by name.
        await page.GetByTestId("rehearsal-compare").First.ClickAsync();
        var comparison = page.GetByTestId("rehearsal-comparison");
        await Assertions.Expect(comparison).ToBeVisibleAsync();
        await Assertions.Expect(comparison.Locator("[data-testid=comparison-kind][data-kind=overdue]")).ToContainTextAsync("+");
        var rows = comparison.GetByTestId("comparison-organization").Filter(new() { HasText = "逾期提醒" });
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        await BrowserApp.ScreenshotAsync(page, "rehearsal-compare-1366");
        problems.AddRange(await PageChecks.CodesReadAsync(page, ids));
        problems.AddRange(await PageChecks.AxeViolationsAsync(page));

        // At phone width, the same run.
        var phone = await app.NewPageAsync(width: 390, height: 844);
        await BrowserApp.SignInAsync(phone, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await phone.GotoAsync(page.Url);
        await Assertions.Expect(phone.GetByTestId("rehearsal-plot")).ToBeVisibleAsync();
        await Assertions.Expect(phone.Locator("[data-testid=calendar-chip][data-kind=overdue]").First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(phone, "rehearsal-late-390");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, "rehearsal-late-390-top.png") });
        await phone.GetByTestId("rehearsal-plot").ScrollIntoViewIfNeededAsync();
        await phone.ScreenshotAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, "rehearsal-late-390-plot.png") });
        problems.AddRange(await PageChecks.WiderThanScreenAsync(phone));
        problems.AddRange(await PageChecks.CodesReadAsync(phone, ids));
        problems.AddRange(await PageChecks.AxeViolationsAsync(phone));

        // A bar's hover text reads the day as the page does: Chinese first in Chinese mode, English alone in English mode.
        var bar = phone.Locator("[data-testid=plot-day][data-day='2025-05-07'] > title");
        await Assertions.Expect(bar).ToHaveTextAsync(new Regex($"^2025年5月7日 周三：\\d+ 条（提醒类 {escalated}） Wed 7 May 2025: \\d+ \\({escalated} reminders\\)$"));
        await phone.GotoAsync($"/language/en?returnUrl={Uri.EscapeDataString(new Uri(phone.Url).PathAndQuery)}");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await Assertions.Expect(bar).ToHaveTextAsync(new Regex($"^Wed 7 May 2025: \\d+ \\({escalated} reminders\\)$"));
        Assert.Empty(problems);
    }
}
