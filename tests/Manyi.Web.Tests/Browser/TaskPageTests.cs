using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The task page (/tasks/{id}) in a real browser: the form from the task's definition, the server's messages on the fields, uploads.</summary>
public sealed class TaskPageTests
{
    private const string Participant = "zhengzhou.mobile@example.org";
    private const string Zhengzhou = "mobile-zhengzhou";
    private const string ZhengzhouName = "郑州移动";
    private const string Kaifeng = "unicom-kaifeng";
    private const string KaifengName = "开封联通";
    private const string Due = "2099-04-30T18:00:00+08:00";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A Manyi.UserTask for one organization with the given form, due 2099-04-30 18:00 Beijing time.</summary>
    private static string Task(string id, string title, string stage, string organization, string outcome, JsonNode form) =>
        $$$"""
        {"id": "{{{id}}}", "type": "Manyi.UserTask", "name": "{{{id}}}",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "{{{title}}}"}},
         "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "{{{stage}}}"}},
         "organizations": {"typeName": "String[]", "expression": {"type": "Literal", "value": ["{{{organization}}}"]}},
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "{{{Due}}}"}},
         "outcomes": ["{{{outcome}}}"],
         "form": {{{form.ToJsonString()}}}}
        """;

    /// <summary>The headcount report's form exactly as workflows/participant.json has it (trainees 1–50, a table of names).</summary>
    private static JsonNode ShippedHeadcountForm()
    {
        var participant = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "participant.json")))!;
        var headcount = participant["root"]!["activities"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == "headcount")!;
        return headcount["form"]!.DeepClone();
    }

    /// <summary>郑州移动's headcount report, then its training sign-up: completing the first resumes the workflow into the second.</summary>
    private static string HeadcountThenSignup() => Workflows.Flowchart("headcount",
        Workflows.Start() + ", "
        + Task("headcount", "培训人数报送 Headcount report", "headcount", Zhengzhou, "Submitted", ShippedHeadcountForm()) + ", "
        + Task("signup", "培训报名 Training sign-up", "signup", Zhengzhou, "SignedUp",
            JsonNode.Parse("""{"fields": [{"name": "attendees", "label": "报名人数", "type": "number", "required": true, "min": 1, "max": 50}]}""")!),
        $"{Workflows.Connect("start", "headcount")}, {Workflows.Connect("headcount", "signup", "Submitted")}");

    private static async Task<IPage> SignedInAsync(BrowserApp app, int width = 1280, int height = 800)
    {
        var page = await app.NewPageAsync(width, height);
        await BrowserApp.SignInAsync(page, Participant);
        return page;
    }

    /// <summary>
    /// The issue's headline: a participant opens the headcount report from the inbox, submits a trainee count out of
    /// range and a trainee without a name, sees the server's messages on those fields, fixes them, submits, and sees
    /// the task completed; the workflow has moved on to the sign-up. (With the shipped 2025 workflows and the
    /// secretariat's dashboard: <see cref="CampaignEndToEndTests"/>.)
    /// </summary>
    [Fact]
    public async Task Headline_a_participant_reports_the_headcount_after_a_bad_value_and_the_workflow_moves_on()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(HeadcountThenSignup());
        var instanceId = (await admin.ExecuteAsync("headcount")).GetString("id");
        var page = await SignedInAsync(app);

        await page.GetByTestId("inbox-task").GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/tasks/[^/]+$"));
        var taskId = page.Url.Split('/').Last();
        await Assertions.Expect(page.GetByTestId("task-title")).ToHaveTextAsync("培训人数报送 Headcount report");
        await Assertions.Expect(page.GetByTestId("task-organization")).ToHaveTextAsync(ZhengzhouName);
        await Assertions.Expect(page.GetByTestId("task-due")).ToHaveTextAsync("2099年4月30日 周四 18:00");
        await Assertions.Expect(page.GetByTestId("due-badge")).ToContainTextAsync(new Regex("剩 \\d+ 天"));
        await Assertions.Expect(page.GetByTestId("task-status")).ToContainTextAsync("待办");
        await Assertions.Expect(page.GetByTestId("task-claimed-by")).ToContainTextAsync("未认领");
        await Assertions.Expect(page.GetByTestId("row-names")).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(page, "task-page");

        await page.GetByLabel(new Regex("^参训人数")).FillAsync("500");
        await page.GetByTestId("add-row-names").ClickAsync();
        await Assertions.Expect(page.GetByTestId("row-names")).ToHaveCountAsync(2);
        await page.GetByTestId("field-names[1].name").GetByLabel(new Regex("^姓名")).FillAsync("王小明");
        await page.GetByTestId("outcome-Submitted").ClickAsync();

        await Assertions.Expect(page.GetByTestId("field-trainees")).ToContainTextAsync("应不大于 50。Must be at most 50.");
        await Assertions.Expect(page.GetByTestId("field-names[0].name")).ToContainTextAsync("请填写此项");
        await Assertions.Expect(page.GetByTestId("field-names[1].name")).Not.ToContainTextAsync("请填写此项");
        await Assertions.Expect(page.GetByTestId("errors-summary")).ToContainTextAsync("有 2 处需要修改");
        await Assertions.Expect(page.GetByTestId("errors-summary")).ToContainTextAsync("参训人员 第 1 行");
        await BrowserApp.ScreenshotAsync(page, "task-page-errors");
        var stillOpen = await admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync();
        Assert.Equal("Open", stillOpen["task"]!.GetString("status"));

        // The empty first row goes; the named trainee stays; twelve is in range.
        await page.GetByTestId("remove-row-names").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("row-names")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名"))).ToHaveValueAsync("王小明");
        await page.GetByLabel(new Regex("^参训人数")).FillAsync("12");
        await page.GetByTestId("outcome-Submitted").ClickAsync();

        // Twelve trainees but one name: the form's rule across the two fields is shown on both.
        const string mismatch = "“参训人员”的行数应等于“参训人数”。";
        await Assertions.Expect(page.GetByTestId("field-trainees")).ToContainTextAsync(mismatch);
        await Assertions.Expect(page.GetByTestId("field-names")).ToContainTextAsync(mismatch);
        await page.GetByLabel(new Regex("^参训人数")).FillAsync("1");
        await page.GetByTestId("outcome-Submitted").ClickAsync();

        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        await Assertions.Expect(page.GetByTestId("task-status")).ToContainTextAsync("已完成");
        await Assertions.Expect(page.GetByTestId("value-trainees")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("value-names")).ToContainTextAsync("王小明");
        await Assertions.Expect(page.GetByTestId("task-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("history-entry")).ToContainTextAsync("完成");
        await BrowserApp.ScreenshotAsync(page, "task-page-completed");

        var completed = await admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync();
        Assert.Equal("Completed", completed["task"]!.GetString("status"));
        Assert.Equal("Submitted", completed["task"]!.GetString("outcome"));
        Assert.Equal(1, completed["data"]!["trainees"]!.GetValue<int>());
        Assert.Equal("王小明", completed["data"]!["names"]![0]!["name"]!.GetValue<string>());
        // The workflow resumed: the sign-up is open for the same organization, in the same instance.
        var signup = Assert.Single((await admin.FetchAsync("/api/tasks?all=true&stage=signup").ExpectOkAsync()).GetArray("items"));
        Assert.Equal(instanceId, signup.GetString("instanceId"));
        Assert.Equal(Zhengzhou, signup.GetString("organizationId"));
        Assert.Equal("Open", signup.GetString("status"));
        Assert.Equal("Suspended", (await admin.GetInstanceAsync(instanceId)).GetString("status"));
    }

    /// <summary>
    /// Issue 17, item 9: in English mode the dates are English too (the inbox and the task page, the interactive circuit
    /// included); back in Chinese mode they are Chinese again.
    /// </summary>
    [Fact]
    public async Task In_English_mode_dates_read_in_English_and_in_Chinese_mode_in_Chinese()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(HeadcountThenSignup());
        await admin.ExecuteAsync("headcount");
        var taskId = Assert.Single((await admin.FetchAsync("/api/tasks?all=true").ExpectOkAsync()).GetArray("items")).GetString("id");
        var page = await SignedInAsync(app);

        await page.GotoAsync($"/language/en?returnUrl=/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("task-due")).ToHaveTextAsync("Thu 30 Apr 2099 18:00");
        // A render of the circuit (after an interaction) keeps the language: the server's error on the field, and the date.
        await page.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(page.GetByTestId("errors-summary")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("task-due")).ToHaveTextAsync("Thu 30 Apr 2099 18:00");
        await Assertions.Expect(page.Locator("main, .mud-main-content").First).Not.ToContainTextAsync("2099年");
        await BrowserApp.ScreenshotAsync(page, "task-page-english");
        await page.GotoAsync("/");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("inbox-task")).ToContainTextAsync("Thu 30 Apr 2099 18:00");

        await page.GotoAsync($"/language/zh?returnUrl=/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("task-due")).ToHaveTextAsync("2099年4月30日 周四 18:00");
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByTestId("inbox-task")).ToContainTextAsync("2099年4月30日 周四 18:00");
    }

    /// <summary>A package whose time of receipt counts: the page lists what will be sent and asks once more.</summary>
    [Fact]
    public async Task A_form_that_asks_for_confirmation_lists_what_will_be_sent_before_the_final_submit()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        var form = JsonNode.Parse("""{"fields": [{"name": "agency", "label": "测评机构", "type": "text", "required": true}], "confirm": true}""")!;
        await admin.DeployAsync(Workflows.Flowchart("package", Workflows.Start() + ", "
            + Task("submission", "申报材料 Submission", "submission", Zhengzhou, "Submitted", form), Workflows.Connect("start", "submission")));
        await admin.ExecuteAsync("package");
        var taskId = Assert.Single((await admin.FetchAsync("/api/tasks?all=true").ExpectOkAsync()).GetArray("items")).GetString("id");
        var page = await SignedInAsync(app, 390, 844);
        await page.GotoAsync($"/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(page);

        await page.GetByLabel(new Regex("^测评机构")).FillAsync("某测评机构");
        await page.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-submit")).ToContainTextAsync("以系统收到的时间为准，截止时间为 2099年4月30日 周四 18:00");
        await Assertions.Expect(page.GetByTestId("value-agency")).ToHaveTextAsync("某测评机构");
        Assert.Equal("Open", (await admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync())["task"]!.GetString("status"));

        await page.GetByTestId("confirm-no").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-submit")).ToHaveCountAsync(0);
        await page.GetByTestId("outcome-Submitted").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();

        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        Assert.Equal("Completed", (await admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync())["task"]!.GetString("status"));
    }

    [Fact]
    public async Task A_participant_of_Zhengzhou_Mobile_opening_a_task_of_Kaifeng_Unicom_by_its_address_gets_the_404_page_and_nothing_of_it()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        await app.CreateParticipantAsync("kaifeng.unicom@example.org", Kaifeng, KaifengName);
        using var admin = await app.CreateApiClientAsync();
        const string secret = "开封联通专属任务 Kaifeng only";
        await admin.DeployAsync(Workflows.Flowchart("kaifeng", Workflows.Start() + ", "
            + Task("only", secret, "headcount", Kaifeng, "Submitted", ShippedHeadcountForm()), Workflows.Connect("start", "only")));
        await admin.ExecuteAsync("kaifeng");
        var kaifengTask = Assert.Single((await admin.FetchAsync("/api/tasks?all=true").ExpectOkAsync()).GetArray("items")).GetString("id");
        var page = await SignedInAsync(app);

        var response = await page.GotoAsync($"/tasks/{kaifengTask}");

        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("开封联通专属任务", await response.TextAsync(), StringComparison.Ordinal);
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("页面不存在");
        Assert.DoesNotContain("开封联通专属任务", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Kaifeng only", await page.TitleAsync(), StringComparison.Ordinal);
        // The same for an address that was never a task.
        Assert.Equal(404, (await page.GotoAsync("/tasks/no-such-task"))!.Status);
        await Assertions.Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Issue 20, drafts: a participant types half the headcount report (the count, one trainee, the signed list uploaded),
    /// sees "草稿已保存", and closes the browser; on a phone (another browser) the task opens with the draft in its
    /// fields, the list still the uploaded file. The secretariat's view of the task shows when the draft was saved,
    /// never what it says. Typing and leaving at once still saves; the draft can be discarded, after a confirmation.
    /// </summary>
    [Fact]
    public async Task A_participant_types_half_a_submission_closes_the_browser_and_finds_the_draft_on_a_phone()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        var form = ShippedHeadcountForm();
        form["fields"]!.AsArray().Add(JsonNode.Parse("""{"name": "list", "label": "签字名单", "labelEn": "Signed list", "type": "file", "allowedTypes": ["application/pdf"]}"""));
        await admin.DeployAsync(Workflows.Flowchart("headcount", Workflows.Start() + ", "
            + Task("headcount", "培训人数报送 Headcount report", "headcount", Zhengzhou, "Submitted", form), Workflows.Connect("start", "headcount")));
        await admin.ExecuteAsync("headcount");
        using var participantApi = await app.CreateApiClientAsync(Participant, ManyiApp.UserPassword);

        var desktop = await SignedInAsync(app);
        await desktop.GetByTestId("inbox-task").GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(desktop.GetByTestId("task-title")).ToHaveTextAsync("培训人数报送 Headcount report");
        var taskId = desktop.Url.Split('/').Last();
        await Assertions.Expect(desktop.GetByTestId("draft-status")).ToBeEmptyAsync();
        await desktop.GetByLabel(new Regex("^参训人数")).FillAsync("2");
        await desktop.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名")).FillAsync("王小明");
        await desktop.GetByTestId("upload-list").SetInputFilesAsync(new FilePayload { Name = "签字名单.pdf", MimeType = "application/pdf", Buffer = Pdf(4096) });
        await Assertions.Expect(desktop.GetByTestId("field-list").GetByTestId("file-link")).ToHaveTextAsync("签字名单.pdf");
        await Assertions.Expect(desktop.GetByTestId("draft-status")).ToContainTextAsync(new Regex(@"^草稿已保存 \d\d:\d\d Draft saved \d\d:\d\d$"));
        var draft = await participantApi.FetchAsync($"/api/tasks/{taskId}/draft").ExpectOkAsync();
        Assert.Equal("王小明", draft["data"]!["names"]![0]!.GetString("name"));
        var listId = draft["data"]!.GetString("list");
        var savedAt = TimeZoneInfo.ConvertTime(draft["savedAt"]!.GetValue<DateTimeOffset>(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        await BrowserApp.ScreenshotAsync(desktop, "task-page-draft-saved");
        await desktop.Context.CloseAsync();

        // The secretariat sees that the organization has begun, not what it typed.
        var secretariat = await app.NewPageAsync();
        await BrowserApp.SignInAsync(secretariat, ManyiApp.AdminEmail, ManyiApp.AdminPassword);
        await secretariat.GotoAsync($"/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(secretariat);
        await Assertions.Expect(secretariat.GetByTestId("task-draft-saved-at")).ToContainTextAsync($"已于 {savedAt:yyyy年M月d日}");
        await Assertions.Expect(secretariat.GetByLabel(new Regex("^参训人数"))).ToHaveValueAsync("");
        await Assertions.Expect(secretariat.GetByTestId("draft-status")).ToBeEmptyAsync();
        Assert.DoesNotContain("王小明", await secretariat.ContentAsync(), StringComparison.Ordinal);
        await BrowserApp.ScreenshotAsync(secretariat, "task-page-draft-secretariat");
        await secretariat.Context.CloseAsync();

        var phone = await SignedInAsync(app, 390, 844);
        await phone.GotoAsync($"/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await Assertions.Expect(phone.GetByLabel(new Regex("^参训人数"))).ToHaveValueAsync("2");
        await Assertions.Expect(phone.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名"))).ToHaveValueAsync("王小明");
        await Assertions.Expect(phone.GetByTestId("field-list").GetByTestId("file-link")).ToHaveTextAsync("签字名单.pdf");
        await Assertions.Expect(phone.GetByTestId("field-list").GetByTestId("file-link")).ToHaveAttributeAsync("href", $"/api/files/{listId}");
        await Assertions.Expect(phone.GetByTestId("draft-status")).ToHaveTextAsync($"草稿已保存 {savedAt:HH:mm} Draft saved {savedAt:HH:mm}");
        var problems = new List<string>();
        problems.AddRange(await PageChecks.WiderThanScreenAsync(phone));
        problems.AddRange(await PageChecks.CodesReadAsync(phone, [Zhengzhou, taskId, listId]));
        problems.AddRange(await PageChecks.AxeViolationsAsync(phone));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        await BrowserApp.ScreenshotAsync(phone, "task-page-draft-restored-390");

        // Typed and left at once, before the pause that saves: leaving saves it.
        await phone.GetByTestId("field-names[0].position").GetByLabel(new Regex("^职务")).FillAsync("客服经理");
        await phone.GetByRole(AriaRole.Link, new() { Name = "我的待办 My tasks" }).First.ClickAsync();
        await Assertions.Expect(phone.GetByTestId("inbox-task")).ToBeVisibleAsync();
        // (Leaving also stops the pending save's timer: without the save on leaving, this would never be saved.)
        for (var attempt = 0; (await participantApi.FetchAsync($"/api/tasks/{taskId}/draft").ExpectOkAsync())["data"]!["names"]![0]!["position"]?.GetValue<string>() != "客服经理"; attempt++)
        {
            Assert.True(attempt < 100, "What was typed before leaving the page was never saved.");
            await System.Threading.Tasks.Task.Delay(100, Ct);
        }

        // Discarded after a confirmation: the fields are empty again, the uploaded list stays with the task.
        await phone.GotoAsync($"/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await Assertions.Expect(phone.GetByTestId("field-names[0].position").GetByLabel(new Regex("^职务"))).ToHaveValueAsync("客服经理");
        await phone.GetByTestId("discard-draft").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("discard-confirmation")).ToContainTextAsync("确定放弃吗");
        await BrowserApp.ScreenshotAsync(phone, "task-page-draft-discard-390");
        await phone.GetByTestId("discard-yes").ClickAsync();
        await Assertions.Expect(phone.GetByLabel(new Regex("^参训人数"))).ToHaveValueAsync("");
        await Assertions.Expect(phone.GetByTestId("field-list").GetByTestId("file-link")).ToHaveCountAsync(0);
        await Assertions.Expect(phone.GetByTestId("draft-status")).ToBeEmptyAsync();
        await participantApi.FetchAsync($"/api/tasks/{taskId}/draft").ExpectAsync(HttpStatusCode.NotFound);
        await Assertions.Expect(phone.GetByTestId("task-files")).ToContainTextAsync("签字名单.pdf");

        // A draft saved over the API may name a file that is not the task's: the page restores the rest and never shows the id.
        await participantApi.PutAsync($"/api/tasks/{taskId}/draft",
            new StringContent("""{"trainees": 3, "list": "0123456789abcdef0123456789abcdef"}""", System.Text.Encoding.UTF8, "application/json"), Ct).ExpectOkAsync();
        await phone.GotoAsync($"/tasks/{taskId}");
        await BrowserApp.WaitForInteractiveAsync(phone);
        await Assertions.Expect(phone.GetByLabel(new Regex("^参训人数"))).ToHaveValueAsync("3");
        await Assertions.Expect(phone.GetByTestId("field-list").GetByTestId("file-link")).ToHaveCountAsync(0);
        Assert.Empty(await PageChecks.CodesReadAsync(phone, [Zhengzhou]));
    }

    private static readonly JsonNode EveryFieldForm = JsonNode.Parse("""
        {"fields": [
          {"name": "agency", "label": "测评机构", "labelEn": "Survey agency", "type": "text", "required": true, "maxLength": 200},
          {"name": "index", "label": "满意度指数", "labelEn": "Satisfaction index", "type": "number", "required": true, "min": 0, "max": 100},
          {"name": "periodEnd", "label": "测评结束", "labelEn": "Survey end", "type": "date", "required": true, "min": "2024-10-01"},
          {"name": "level", "label": "单位层级", "labelEn": "Level", "type": "choice", "required": true,
           "options": [{"value": "city", "label": "市级", "labelEn": "City"}, {"value": "county", "label": "县级", "labelEn": "County"}]},
          {"name": "standards", "label": "依据标准", "labelEn": "Standards", "type": "choice", "multiple": true,
           "options": [{"value": "caici87", "label": "T/CAICI 87-2024"}, {"value": "ccsa600", "label": "T/CCSA 600-2024"}]},
          {"name": "attest", "label": "以上内容真实", "labelEn": "The above is true", "type": "checkbox", "required": true},
          {"name": "report", "label": "测评报告", "labelEn": "Survey report", "type": "file", "required": true, "allowedTypes": ["application/pdf"], "maxBytes": 8388608},
          {"name": "scan", "label": "扫描件", "labelEn": "Scan", "type": "file", "allowedTypes": ["application/pdf", "image/png"], "maxBytes": 102400},
          {"name": "staff", "label": "参与人员", "labelEn": "Staff", "type": "table", "minRows": 0, "maxRows": 5,
           "columns": [{"name": "name", "label": "姓名", "labelEn": "Name", "type": "text", "required": true},
                       {"name": "passed", "label": "考试通过", "labelEn": "Passed", "type": "checkbox"}]}
        ]}
        """)!;

    /// <summary>A PDF of <paramref name="size"/> bytes: the header the store sniffs, padding, and the trailer.</summary>
    private static byte[] Pdf(int size)
    {
        var head = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n");
        var tail = Encoding.ASCII.GetBytes("\ntrailer << >>\n%%EOF\n");
        var bytes = new byte[size];
        Array.Fill(bytes, (byte)' ');
        head.CopyTo(bytes, 0);
        tail.CopyTo(bytes, size - tail.Length);
        return bytes;
    }

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];

    [Fact]
    public async Task Every_field_type_renders_an_upload_shows_progress_then_its_link_and_a_disguised_or_oversize_file_is_refused_on_its_field()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(Workflows.Flowchart("survey", Workflows.Start() + ", "
            + Task("survey", "满意度测评 Survey", "survey", Zhengzhou, "Submitted", EveryFieldForm), Workflows.Connect("start", "survey")));
        await admin.ExecuteAsync("survey");
        var page = await SignedInAsync(app);
        await page.GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-title")).ToHaveTextAsync("满意度测评 Survey");

        foreach (var name in new[] { "agency", "index", "periodEnd", "level", "standards", "attest", "report", "scan", "staff" })
            await Assertions.Expect(page.GetByTestId($"field-{name}")).ToBeVisibleAsync();
        // A required field says so to a screen reader too (aria-required), not only with its asterisk.
        var agency = page.GetByLabel(new Regex("^测评机构 Survey agency"));
        await Assertions.Expect(agency).ToBeEditableAsync();
        await Assertions.Expect(agency).ToHaveAttributeAsync("aria-required", "true");
        await Assertions.Expect(page.GetByLabel(new Regex("^满意度指数"))).ToBeEditableAsync();
        await Assertions.Expect(page.GetByLabel(new Regex("^测评结束"))).ToHaveAttributeAsync("type", "date");
        await Assertions.Expect(page.GetByLabel(new Regex("^测评结束"))).ToHaveAttributeAsync("min", "2024-10-01");
        await Assertions.Expect(page.GetByTestId("field-level").GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("field-standards").GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("field-attest").GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("upload-report")).ToHaveAttributeAsync("accept", "application/pdf");
        await Assertions.Expect(page.GetByLabel(new Regex("^测评报告 Survey report"))).ToHaveAttributeAsync("type", "file");
        await Assertions.Expect(page.GetByTestId("table-empty-staff")).ToBeVisibleAsync();

        // A 6 MB report goes up in chunks: the progress shows, then the file's download link.
        // Chosen as a person does: the button opens the browser's file chooser.
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.GetByTestId("field-report").GetByText("选择文件").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "测评报告.pdf", MimeType = "application/pdf", Buffer = Pdf(6 * 1024 * 1024) });
        await Assertions.Expect(page.GetByTestId("upload-progress")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("upload-progress")).ToContainTextAsync("正在上传 测评报告.pdf");
        var link = page.GetByTestId("field-report").GetByTestId("file-link");
        await Assertions.Expect(link).ToHaveTextAsync("测评报告.pdf", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("upload-progress")).ToHaveCountAsync(0);
        var download = await page.APIRequest.GetAsync(await link.GetAttributeAsync("href") ?? "");
        Assert.Equal(200, download.Status);
        Assert.Equal(6 * 1024 * 1024, (await download.BodyAsync()).Length);

        // A PNG named .pdf is refused for a PDF-only field, by its content; a 200 KB PDF is over the scan's 100 KB.
        await page.GetByTestId("upload-report").SetInputFilesAsync(new FilePayload { Name = "伪装.pdf", MimeType = "application/pdf", Buffer = Png });
        await Assertions.Expect(page.GetByTestId("field-report")).ToContainTextAsync("文件内容为 PNG");
        await page.GetByTestId("upload-scan").SetInputFilesAsync(new FilePayload { Name = "big.pdf", MimeType = "application/pdf", Buffer = Pdf(200 * 1024) });
        await Assertions.Expect(page.GetByTestId("field-scan")).ToContainTextAsync("超过此项 100 KB 上限");
        await Assertions.Expect(page.GetByTestId("field-scan").GetByTestId("file-link")).ToHaveCountAsync(0);
        await Assertions.Expect(link).ToHaveTextAsync("测评报告.pdf");
        await BrowserApp.ScreenshotAsync(page, "task-page-every-field");

        // The whole form, filled in through its inputs, passes the server's check.
        await page.GetByLabel(new Regex("^测评机构")).FillAsync("某某调查研究中心");
        await page.GetByLabel(new Regex("^满意度指数")).FillAsync("86.5");
        await page.GetByLabel(new Regex("^测评结束")).FillAsync("2025-03-31");
        await page.GetByTestId("field-level").GetByText("县级 County").ClickAsync();
        await page.GetByTestId("field-standards").GetByText("T/CAICI 87-2024").ClickAsync();
        await page.GetByTestId("field-attest").GetByText("以上内容真实").ClickAsync();
        await page.GetByTestId("add-row-staff").ClickAsync();
        await page.GetByTestId("field-staff[0].name").GetByLabel(new Regex("^姓名")).FillAsync("李华");
        await page.GetByTestId("field-staff[0].passed").GetByText("考试通过").ClickAsync();
        await page.GetByTestId("outcome-Submitted").ClickAsync();

        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        await Assertions.Expect(page.GetByTestId("value-level")).ToHaveTextAsync("县级");
        await Assertions.Expect(page.GetByTestId("value-report").GetByTestId("file-link")).ToHaveTextAsync("测评报告.pdf");
        var taskId = page.Url.Split('/').Last();
        var data = (await admin.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync())["data"]!;
        Assert.Equal("某某调查研究中心", data.GetString("agency"));
        Assert.Equal(86.5m, data["index"]!.GetValue<decimal>());
        Assert.Equal("2025-03-31", data.GetString("periodEnd"));
        Assert.Equal("county", data.GetString("level"));
        Assert.Equal(["caici87"], data.GetArray("standards").Select(v => v!.GetValue<string>()));
        Assert.True(data["attest"]!.GetValue<bool>());
        Assert.True(data["staff"]![0]!["passed"]!.GetValue<bool>());
        Assert.Equal("李华", data["staff"]![0]!.GetString("name"));
    }

    [Fact]
    public async Task At_phone_width_the_task_page_fits_the_screen_and_its_form_can_be_submitted()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(HeadcountThenSignup());
        await admin.ExecuteAsync("headcount");
        var page = await SignedInAsync(app, width: 390, height: 844);
        await page.GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-title")).ToBeVisibleAsync();

        await page.GetByLabel(new Regex("^参训人数")).FillAsync("1");
        await page.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名")).FillAsync("赵敏");
        await BrowserApp.ScreenshotAsync(page, "task-page-phone");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than the 390 px screen.");
        var button = await page.GetByTestId("outcome-Submitted").BoundingBoxAsync();
        Assert.NotNull(button);
        Assert.True(button.X >= 0 && button.X + button.Width <= 390, $"The submit button lies at x {button.X}–{button.X + button.Width}.");

        await page.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
    }

    /// <summary>郑州移动's submission (a PDF report), then the national review by the reviewers (a role task, no organization).</summary>
    private static string SubmissionThenReview() => Workflows.Flowchart("package", Workflows.Start() + ", "
        + Task("submission", "申报材料 Submission", "submission", Zhengzhou, "Submitted",
            JsonNode.Parse("""{"fields": [{"name": "report", "label": "实践报告", "type": "file", "required": true, "allowedTypes": ["application/pdf"]}]}""")!) + ", "
        + """
          {"id": "review", "type": "Manyi.UserTask",
           "title": {"typeName": "String", "expression": {"type": "Literal", "value": "全国评审 National review"}},
           "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "review"}},
           "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Reviewer"}},
           "outcomes": ["Rated"],
           "form": {"fields": [{"name": "rating", "label": "评审结果", "type": "choice", "required": true,
                                "options": [{"value": "AAA", "label": "AAA"}, {"value": "A", "label": "A"}]}], "confirm": true}}
          """,
        $"{Workflows.Connect("start", "submission")}, {Workflows.Connect("submission", "review", "Submitted")}");

    /// <summary>Issue 17's done-when, the reviewer's review with its confirmation and a change of mind, at a desk's width and at a phone's; each page passes <see cref="PageChecks"/>.</summary>
    [Theory, InlineData(1366), InlineData(390)]
    public async Task A_reviewer_reads_the_organizations_year_by_label_then_confirms_the_organization_and_level_before_rating(int width)
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        await ManyiApp.CreateUserAsync(app.Services, "reviewer@example.org", Manyi.Persistence.Records.ManyiRoles.Reviewer);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(SubmissionThenReview());
        await admin.ExecuteAsync("package", Zhengzhou);
        using var participant = await app.CreateApiClientAsync(Participant, ManyiApp.UserPassword);
        var submission = Assert.Single((await participant.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items")).GetString("id");
        // A first upload replaced by a second: only the one the data names is the package's.
        using var first = new MultipartFormDataContent { { new ByteArrayContent(Pdf(1024)), "file", "旧版报告.pdf" } };
        await (await participant.PostAsync($"/api/tasks/{submission}/files?field=report", first, Ct)).ExpectAsync(HttpStatusCode.Created);
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(Pdf(2048)), "file", "实践报告.pdf" } };
        var report = await (await participant.PostAsync($"/api/tasks/{submission}/files?field=report", upload, Ct)).ExpectAsync(HttpStatusCode.Created);
        await participant.PostJsonAsync($"/api/tasks/{submission}/complete",
            new JsonObject { ["outcome"] = "Submitted", ["data"] = new JsonObject { ["report"] = report.GetString("id") } }.ToJsonString()).ExpectOkAsync();
        var page = await app.NewPageAsync(width, width > 600 ? 768 : 844);
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add($"{page.Url}: page error: {error}");
        async Task CheckAsync(string name)
        {
            await BrowserApp.ScreenshotAsync(page, $"task-page-review-{name}-{width}");
            problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            problems.AddRange(await PageChecks.CodesReadAsync(page, [Zhengzhou]));
            problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        }
        await BrowserApp.SignInAsync(page, "reviewer@example.org");
        await Assertions.Expect(page.GetByTestId("task-link")).ToHaveCountAsync(1);
        await CheckAsync("inbox");

        await page.GetByTestId("task-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-title")).ToHaveTextAsync("全国评审 National review");
        await Assertions.Expect(page.GetByTestId("task-organization")).ToHaveTextAsync(ZhengzhouName);
        var stage = page.Locator("[data-testid=package-stage][data-stage=submission]");
        await Assertions.Expect(stage.Locator("h3")).ToContainTextAsync("申报材料");
        await Assertions.Expect(stage.Locator("dt")).ToHaveTextAsync("实践报告");
        var link = stage.GetByTestId("file-link");
        await Assertions.Expect(link).ToHaveTextAsync("实践报告.pdf");
        await Assertions.Expect(page.GetByTestId("package")).Not.ToContainTextAsync("旧版报告.pdf");
        var download = await page.APIRequest.GetAsync(await link.GetAttributeAsync("href") ?? "");
        Assert.Equal(200, download.Status);

        await page.GetByTestId("claim").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-claimed-by")).ToContainTextAsync("您");
        await Assertions.Expect(page.GetByTestId("history-entry")).ToContainTextAsync("认领");
        await CheckAsync("claimed");

        // A slip of the mouse is not final: the confirmation names the organization and the level.
        await page.GetByLabel("AAA").CheckAsync();
        await page.GetByTestId("outcome-Rated").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-submit")).ToContainTextAsync(ZhengzhouName);
        await Assertions.Expect(page.GetByTestId("task-form").GetByTestId("value-rating")).ToHaveTextAsync("AAA");
        // Its two buttons are the only way on: the rating's own button is gone until the reviewer goes back.
        await Assertions.Expect(page.GetByTestId("outcome-Rated")).ToHaveCountAsync(0);
        await CheckAsync("confirm");
        await page.GetByTestId("confirm-no").ClickAsync();
        await page.GetByLabel("A", new() { Exact = true }).CheckAsync();
        await page.GetByTestId("outcome-Rated").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-form").GetByTestId("value-rating")).ToHaveTextAsync("A");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已完成");
        await Assertions.Expect(page.GetByTestId("task-completed")).Not.ToContainTextAsync("谢谢");
        var rated = await admin.FetchAsync($"/api/tasks/{page.Url.Split('/').Last()}").ExpectOkAsync();
        Assert.Equal("A", rated["data"]!.GetString("rating"));
        await CheckAsync("done");
        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task A_task_a_colleague_completed_meanwhile_says_who_completed_it_and_shows_their_answer()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        await app.CreateParticipantAsync("colleague.zhengzhou@example.org", Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(HeadcountThenSignup());
        await admin.ExecuteAsync("headcount");
        var page = await SignedInAsync(app);
        await page.GetByTestId("task-link").ClickAsync();
        await page.GetByLabel(new Regex("^参训人数")).FillAsync("7");
        await page.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名")).FillAsync("赵敏");

        using var colleague = await app.CreateApiClientAsync("colleague.zhengzhou@example.org", ManyiApp.UserPassword);
        var taskId = page.Url.Split('/').Last();
        await colleague.PostJsonAsync($"/api/tasks/{taskId}/complete", """{"outcome": "Submitted", "data": {"trainees": 1, "names": [{"name": "周芷若"}]}}""").ExpectOkAsync();
        await page.GetByTestId("outcome-Submitted").ClickAsync();

        await Assertions.Expect(page.GetByTestId("task-problem")).ToContainTextAsync("already completed by colleague.zhengzhou@example.org");
        await Assertions.Expect(page.GetByTestId("task-status")).ToContainTextAsync("已完成");
        await Assertions.Expect(page.GetByTestId("value-trainees")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("value-names")).ToContainTextAsync("周芷若");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "workflows")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root (global.json) above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// The keyboard alone: sign in, open the task from the inbox, fill the form and submit it with Tab, typing and
    /// Enter — every control on the way is reachable and works without a mouse.
    /// </summary>
    [Fact]
    public async Task A_participant_reports_the_headcount_with_the_keyboard_alone()
    {
        await using var app = await BrowserApp.StartAsync();
        await app.CreateParticipantAsync(Participant, Zhengzhou, ZhengzhouName);
        using var admin = await app.CreateApiClientAsync();
        await admin.DeployAsync(HeadcountThenSignup());
        await admin.ExecuteAsync("headcount");
        var page = await app.NewPageAsync();

        await page.GotoAsync("/account/login");
        await page.GetByLabel(new Regex("电子邮箱")).FocusAsync();
        await page.Keyboard.TypeAsync(Participant);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(ManyiApp.UserPassword);
        await page.Keyboard.PressAsync("Enter");
        await BrowserApp.WaitForInteractiveAsync(page);

        await TabToAsync(page, "task-link");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/tasks/[^/]+$"));
        await BrowserApp.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("task-title")).ToHaveTextAsync("培训人数报送 Headcount report");

        await TabToAsync(page, label: "参训人数");
        await page.Keyboard.TypeAsync("1");
        await TabToAsync(page, label: "姓名");
        await page.Keyboard.TypeAsync("周八");
        await TabToAsync(page, "outcome-Submitted");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        await Assertions.Expect(page.GetByTestId("value-trainees")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("value-names")).ToContainTextAsync("周八");
    }

    /// <summary>
    /// Presses Tab until the focused element is the one with this test id (or inside it), or an input whose label
    /// starts with <paramref name="label"/>; fails after 60 presses: the element is not reachable by keyboard.
    /// </summary>
    private static async Task TabToAsync(IPage page, string? testId = null, string? label = null)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>(
                """
                ([testId, label]) => {
                    const e = document.activeElement;
                    if (!e) return "";
                    if (testId && e.closest(`[data-testid="${testId}"]`)) return "yes";
                    if (label) {
                        const text = (e.labels && e.labels[0] ? e.labels[0].innerText : e.getAttribute("aria-label") || "").trim();
                        if (text.startsWith(label)) return "yes";
                    }
                    return "";
                }
                """, new[] { testId, label });
            if (focused == "yes") return;
        }
        Assert.Fail($"Tab never reached {testId ?? label}.");
    }
}
