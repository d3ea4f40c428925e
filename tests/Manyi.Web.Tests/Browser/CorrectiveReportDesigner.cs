using System.Net;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// The designer on issue 21's story workflow: a 'corrective' report task for 郑州移动 (a headcount report with the
/// deadline given), opened by the administrator with its task selected. Shared by the deadline and ladder editor tests.
/// </summary>
internal static class CorrectiveReportDesigner
{
    public const string Organization = "mobile-zhengzhou";
    public const string TaskId = "report";

    public static ILocator Node(IPage page, string id) => page.Locator($"[data-testid=designer-node][data-activity-id='{id}']");

    /// <summary>Creates the organization and the workflow through the API, then opens the designer at 1366×768 with the task selected.</summary>
    public static async Task<IPage> OpenAsync(BrowserApp app, HttpClient admin, string due = "2099-04-30T18:00:00+08:00")
    {
        await admin.PostJsonAsync("/api/organizations", $$"""{"id": "{{Organization}}", "name": "郑州移动", "operator": "移动", "city": "郑州"}""")
            .ExpectAsync(HttpStatusCode.Created);
        await admin.DeployAsync(Workflows.HeadcountReport("corrective", [Organization], due: due));
        var page = await app.NewPageAsync(1366, 768);
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await page.GotoAsync("/admin/workflows/corrective/designer");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Node(page, TaskId).ClickAsync();
        return page;
    }
}
