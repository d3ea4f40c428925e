using System.Text.RegularExpressions;
using Manyi.Web.Tests.Campaign;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// The web app's headline path on the shipped 2025 workflows: a participant reports the headcount in the browser,
/// first with a value the form refuses (the server's message shown on the field), then a good one, and the
/// secretariat's dashboard shows the report.
/// </summary>
public sealed class CampaignEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_participant_reports_the_headcount_after_a_refused_value_and_the_administrators_dashboard_shows_it()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await DashboardTests.SetUpAsync(app);
        await admin.PostJsonAsync("/api/campaigns?startingNow=true",
            await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct)).ExpectOkAsync();
        var notice = Assert.Single((await admin.FetchAsync("/api/tasks?stage=notice").ExpectOkAsync()).GetArray("items"));
        await admin.PostJsonAsync($"/api/tasks/{notice.GetString("id")}/complete",
            """{"outcome": "Published", "data": {"documentNumber": "豫通行协〔2025〕6号"}}""").ExpectOkAsync();

        // 郑州移动's contact opens the headcount task from the inbox.
        var participant = await app.NewPageAsync();
        await BrowserApp.SignInAsync(participant, DashboardTests.Participant("mobile-zhengzhou"));
        var inboxRow = participant.GetByTestId("inbox-task");
        await Assertions.Expect(inboxRow).ToHaveCountAsync(1);
        await inboxRow.GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(participant).ToHaveURLAsync(new Regex("/tasks/[^/]+$"));
        await Assertions.Expect(participant.GetByTestId("task-organization")).ToHaveTextAsync("郑州移动");

        // 60 trainees: more than the form's 50; the server refuses and says so on the field.
        await participant.GetByLabel(new Regex("^参训人数")).FillAsync("60");
        await participant.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名")).FillAsync("李华");
        await participant.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(participant.GetByTestId("field-trainees")).ToContainTextAsync("Must be at most 50.");
        await Assertions.Expect(participant.GetByTestId("task-status")).ToContainTextAsync("待办");

        await participant.GetByLabel(new Regex("^参训人数")).FillAsync("3");
        // The form's rule across fields: as many names as trainees.
        await participant.GetByTestId("add-row-names").ClickAsync();
        await participant.GetByTestId("field-names[1].name").GetByLabel(new Regex("^姓名")).FillAsync("王芳");
        await participant.GetByTestId("add-row-names").ClickAsync();
        await participant.GetByTestId("field-names[2].name").GetByLabel(new Regex("^姓名")).FillAsync("张伟");
        await participant.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(participant.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        await Assertions.Expect(participant.GetByTestId("value-trainees")).ToHaveTextAsync("3");

        // The secretariat's dashboard: three trainees reported by one of three organizations, 郑州移动's headcount done.
        var secretariat = await app.NewPageAsync();
        await BrowserApp.SignInAsync(secretariat, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await secretariat.GotoAsync("/admin");
        await BrowserApp.WaitForInteractiveAsync(secretariat);
        await Assertions.Expect(secretariat.GetByTestId("headcount-trainees")).ToHaveTextAsync("3");
        await Assertions.Expect(secretariat.GetByTestId("headcount-reported")).ToContainTextAsync("1/3 家已报送");
        var row = secretariat.Locator("[data-testid=progress-row][data-organization=mobile-zhengzhou]");
        await Assertions.Expect(row.GetByTestId("organization-trainees")).ToHaveTextAsync("3");
        await Assertions.Expect(row.Locator("[data-stage=headcount]")).ToHaveAttributeAsync("data-state", "Done");
        await Assertions.Expect(row.Locator("[data-stage=signup]")).ToHaveAttributeAsync("data-state", "Open");
        await BrowserApp.ScreenshotAsync(secretariat, "dashboard-after-headcount");
    }
}
