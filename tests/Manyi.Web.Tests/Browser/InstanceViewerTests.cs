using System.Text.RegularExpressions;
using Manyi.Web.Infrastructure;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The administrators' workflow-instance list and viewer in a real browser.</summary>
public sealed class InstanceViewerTests
{
    private const string Organization = "mobile-zhengzhou";
    private const string OrganizationName = "郑州移动";
    private static readonly DateTimeOffset Due = new(2099, 4, 30, 18, 0, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// Start → keep a list of 40 organizations (a large variable) → a headcount task for 郑州移动 due 2099-04-30 18:00
    /// Beijing time, reminded the working day before → done.
    /// </summary>
    private static string Headcount(string definitionId) => Workflows.Flowchart(definitionId,
        $$$"""
        {{{Workflows.Start()}}},
        {"id": "keep-list", "type": "Elsa.SetVariable", "name": "KeepList",
         "variable": {"id": "organizations", "name": "organizations", "typeName": "Object"},
         "value": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "Array.from({length: 40}, (_, i) => ({organization: i == 0 ? '{{{Organization}}}' : 'org-' + i, trainees: i % 5}))"} } },
        {"id": "report", "type": "Manyi.UserTask", "name": "Headcount",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "培训人数报送 Headcount report"}},
         "organizations": {"typeName": "String[]", "expression": {"type": "Literal", "value": ["{{{Organization}}}"]}},
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "{{{Due:yyyy-MM-ddTHH:mm:sszzz}}}"} },
         "reminders": {"before": [1], "sendAt": "09:00"},
         "outcomes": ["Submitted"]},
        {{{Workflows.WriteLine("done", "done")}}}
        """,
        $"{Workflows.Connect("start", "keep-list")}, {Workflows.Connect("keep-list", "report")}, {Workflows.Connect("report", "done", "Submitted")}",
        extra: """ "variables": [{"id": "note", "name": "note", "typeName": "String", "value": "每单位不超过 5 人"}, {"id": "organizations", "name": "organizations", "typeName": "Object"}], """);

    [Fact]
    public async Task An_administrator_filters_the_instances_and_sees_where_one_waits_its_timers_and_variables()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zz@example.org", Organization, OrganizationName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Headcount("headcount-report"));
        await admin.DeployAsync(Workflows.Hello("hello"));
        var waiting = (await admin.ExecuteAsync("headcount-report", Organization)).GetString("id");
        var finished = (await admin.ExecuteAsync("hello", "2025")).GetString("id");
        await admin.ExecuteAsync("hello");
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        await page.GotoAsync("/admin/instances");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "流程实例 Workflow instances" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveCountAsync(3);
        var waitingRow = page.Locator($"[data-testid=instance-row][data-instance-id='{waiting}']");
        await Assertions.Expect(waitingRow).ToContainTextAsync(OrganizationName);
        await Assertions.Expect(waitingRow).ToContainTextAsync("等待中");
        await BrowserApp.ScreenshotAsync(page, "instances");

        // Filter by status (a select), then by organization (found by typing part of its name): the list comes back from the server, filtered.
        await page.GetByTestId("filter-status").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "已完成 Finished" }).ClickAsync();
        await page.GetByTestId("filter-apply").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=Finished"));
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"[data-testid=instance-row][data-instance-id='{finished}']")).ToHaveCountAsync(1);

        await page.GotoAsync("/admin/instances");
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.GetByTestId("filter-correlation").Locator("input").FillAsync("郑州");
        await page.Locator(".mud-popover-open").GetByText(OrganizationName).ClickAsync();
        await page.GetByTestId("filter-apply").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"correlation={Organization}"));
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveAttributeAsync("data-instance-id", waiting);

        // A window that ends before it starts is refused, naming the field.
        await page.GetByLabel(new Regex("Created from")).FillAsync("2025-04-22");
        await page.GetByLabel(new Regex("Created to")).FillAsync("2025-04-20");
        await page.GetByTestId("filter-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("filter-error")).ToContainTextAsync("createdTo");
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveCountAsync(0);

        await page.GotoAsync($"/admin/instances?correlation={Organization}");
        await BrowserApp.WaitForInteractiveAsync(page);
        await page.GetByTestId("instance-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/admin/instances/{waiting}$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-id")).ToHaveTextAsync(waiting);
        await Assertions.Expect(page.GetByTestId("instance-correlation")).ToContainTextAsync(OrganizationName);
        await Assertions.Expect(page.GetByTestId("instance-definition")).ToContainTextAsync("headcount-report · v1");

        // The flowchart: the task the instance waits at is highlighted, the activities before it have run, the rest not.
        var report = page.Locator("svg [data-testid=flow-node][data-activity-id=report]");
        await Assertions.Expect(report).ToHaveAttributeAsync("data-state", "waiting");
        await Assertions.Expect(report).ToHaveClassAsync(new Regex("manyi-node--waiting"));
        await Assertions.Expect(page.Locator("[data-testid=flow-node][data-activity-id=start]")).ToHaveAttributeAsync("data-state", "completed");
        await Assertions.Expect(page.Locator("[data-testid=flow-node][data-activity-id=keep-list]")).ToHaveAttributeAsync("data-state", "completed");
        await Assertions.Expect(page.Locator("[data-testid=flow-node][data-activity-id=done]")).ToHaveAttributeAsync("data-state", "pending");
        await Assertions.Expect(page.Locator("[data-testid=flow-node][data-state=waiting]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=flow-edge][data-source=report][data-target=done]")).ToContainTextAsync("提交");
        await Assertions.Expect(page.GetByTestId("current-activities")).ToContainTextAsync("培训人数报送");

        // Its timers, in Beijing time: the deadline and the reminder on the working day before (Monday 29 April 2099, 09:00).
        var deadline = page.Locator("[data-testid=bookmark-row][data-bookmark-name='Manyi.Deadline']");
        await Assertions.Expect(deadline.GetByTestId("bookmark-due")).ToHaveTextAsync(Dates.Beijing(Due));
        Assert.Equal("2099年4月30日 周四 18:00", Dates.Beijing(Due));
        var reminder = page.Locator("[data-testid=bookmark-row][data-bookmark-name='Manyi.Reminder']");
        await Assertions.Expect(reminder.GetByTestId("bookmark-due")).ToHaveTextAsync("2099年4月29日 周三 09:00");
        await Assertions.Expect(reminder).ToContainTextAsync("截止前 1 天提醒");
        var taskBookmark = page.Locator("[data-testid=bookmark-row][data-bookmark-name='Manyi.UserTask']");
        await Assertions.Expect(taskBookmark).ToContainTextAsync("培训人数报送 Headcount report");
        await Assertions.Expect(taskBookmark).Not.ToContainTextAsync("(report)");

        // Variables: a small one shown as it is, a large one collapsed until opened.
        var note = page.Locator("[data-testid=variable-row][data-variable=note]");
        await Assertions.Expect(note.GetByTestId("variable-value")).ToHaveTextAsync("\"每单位不超过 5 人\"");
        var list = page.Locator("[data-testid=variable-row][data-variable=organizations]");
        var collapsed = list.GetByTestId("variable-collapsed");
        await Assertions.Expect(collapsed).Not.ToHaveAttributeAsync("open", "");
        await Assertions.Expect(collapsed.Locator("pre")).Not.ToBeVisibleAsync();
        await collapsed.Locator("summary").ClickAsync();
        await Assertions.Expect(collapsed.Locator("pre")).ToBeVisibleAsync();
        await Assertions.Expect(collapsed.Locator("pre")).ToContainTextAsync("\"organization\": \"org-39\"");
        // An organization's id reads as its name; the stored JSON is one switch away.
        await Assertions.Expect(collapsed.Locator("pre")).ToContainTextAsync($"\"organization\": \"{OrganizationName}\"");
        await Assertions.Expect(collapsed.Locator("pre")).Not.ToContainTextAsync(Organization);

        // The task, linked to its page; the journal, paged on the server.
        var task = page.GetByTestId("instance-task");
        await Assertions.Expect(task).ToHaveCountAsync(1);
        var taskId = await task.GetAttributeAsync("data-task-id");
        await Assertions.Expect(task.GetByTestId("instance-task-link")).ToHaveAttributeAsync("href", $"/tasks/{taskId}");
        await Assertions.Expect(page.GetByTestId("journal-entry").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("journal-count")).ToContainTextAsync("第 1/1 页");
        // The journal says what the instance waits for in words, not as bookmark names and keys.
        var suspended = page.Locator("[data-testid=journal-entry][data-event=Suspended]").GetByTestId("journal-message");
        await Assertions.Expect(suspended).ToContainTextAsync("等待任务完成、截止时间、下次提醒");
        await BrowserApp.ScreenshotAsync(page, "instance-viewer");
        var problems = new List<string>(await PageChecks.CodesReadAsync(page, [Organization]));
        problems.AddRange(await PageChecks.WiderThanScreenAsync(page));

        // 原始数据 Raw: the stored JSON and the engine's lines as written, marked raw.
        await page.GetByTestId("raw-toggle").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("raw-toggle").First).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.GetByTestId("variables")).ToHaveAttributeAsync("data-raw", "");
        await Assertions.Expect(list.Locator("pre")).ToContainTextAsync($"\"organization\": \"{Organization}\"");
        await Assertions.Expect(page.Locator("[data-testid=journal-entry][data-event=Suspended]")).ToContainTextAsync("Manyi.UserTask:");
        await page.GetByTestId("raw-toggle").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("variables")).Not.ToHaveAttributeAsync("data-raw", "");

        var phone = await app.NewPageAsync(390, 844);
        await BrowserApp.SignInAsync(phone, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await phone.GotoAsync($"/admin/instances/{waiting}");
        await Assertions.Expect(phone.Locator("[data-testid=flow-node][data-activity-id=report]")).ToHaveAttributeAsync("data-state", "waiting");
        await BrowserApp.ScreenshotAsync(phone, "instance-viewer-phone");
        problems.AddRange(await PageChecks.CodesReadAsync(phone, [Organization]));
        problems.AddRange(await PageChecks.WiderThanScreenAsync(phone));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task An_incident_is_shown_and_its_retry_reports_that_the_activity_faulted_again()
    {
        await using var app = await BrowserApp.StartAsync();
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Workflows.Faulting("faulty", "登记系统不可用 The registry is down."));
        var id = (await admin.ExecuteAsync("faulty")).GetString("id");
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        await page.GotoAsync("/admin/instances?status=Faulted");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-row")).ToHaveCountAsync(1);
        await page.GetByTestId("instance-link").ClickAsync();
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-status")).ToContainTextAsync("出错");
        await Assertions.Expect(page.Locator("[data-testid=flow-node][data-activity-id=boom]")).ToHaveAttributeAsync("data-state", "faulted");
        var incident = page.GetByTestId("incident-row");
        await Assertions.Expect(incident).ToHaveCountAsync(1);
        await Assertions.Expect(incident).ToContainTextAsync("登记系统不可用 The registry is down.");
        await Assertions.Expect(incident).ToHaveAttributeAsync("data-resolved", "false");
        await BrowserApp.ScreenshotAsync(page, "instance-incident");

        // Retry asks first; cancelling leaves it alone.
        await incident.GetByTestId("retry").ClickAsync();
        await incident.GetByTestId("retry-cancel").ClickAsync();
        await Assertions.Expect(incident.GetByTestId("retry")).ToBeVisibleAsync();
        await incident.GetByTestId("retry").ClickAsync();
        await incident.GetByTestId("retry-confirm").ClickAsync();

        // An Elsa.Fault faults every time: the retry ran it and says so; the first incident is resolved, a second one open.
        await Assertions.Expect(page.GetByTestId("retry-result")).ToContainTextAsync("已重试，但活动再次出错");
        await Assertions.Expect(page.GetByTestId("incident-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=incident-row][data-resolved=true]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=incident-row][data-resolved=false]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=journal-entry][data-event=Retried]")).ToHaveCountAsync(1);
        var stored = await admin.GetInstanceAsync(id);
        Assert.Equal(2, stored.GetArray("incidents").Count);
        await BrowserApp.ScreenshotAsync(page, "instance-incident-retried");
    }

    [Fact]
    public async Task An_unknown_instance_shows_the_not_found_page_and_a_participant_is_forbidden()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync("zz@example.org", Organization, OrganizationName);
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, ManyiApp.AdminEmail, ManyiApp.AdminPassword);

        var response = await page.GotoAsync("/admin/instances/no-such-instance");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("页面不存在");

        var participant = await app.NewPageAsync();
        await BrowserApp.SignInAsync(participant, "zz@example.org");
        await participant.GotoAsync("/admin/instances");
        await Assertions.Expect(participant.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Assertions.Expect(participant.GetByTestId("instance-row")).ToHaveCountAsync(0);
    }
}
