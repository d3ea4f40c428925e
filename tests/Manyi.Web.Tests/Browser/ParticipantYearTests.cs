using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// Issue 17's done-when, the participant's day: 郑州移动's participant does its whole 2025 year in the browser alone, at a
/// desk's width and at a phone's — headcount report, training sign-up, certificates after the course, survey, basic
/// conditions, submission with its confirmation — in the order of <c>workflows/participant.json</c>, on the repository's
/// workflows and a fake clock moved (timers fired) from one morning to the next. The secretariat's completeness check, the
/// reviewer's rating and the publication go over the API between them. Every page the participant opens passes
/// <see cref="PageChecks"/> (no sideways scroll, no internal code or id, axe) and is written as a screenshot.
/// </summary>
public sealed class ParticipantYearTests
{
    private const string Participant = "zhengzhou.mobile@example.org";
    private const string Zhengzhou = "mobile-zhengzhou";
    private const string Reviewer = "expert@example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Pdf = "%PDF-1.4\n%%EOF\n"u8.ToArray();

    [Theory, InlineData(1366), InlineData(390)]
    public async Task The_participant_does_its_whole_year_in_the_browser_from_the_headcount_to_the_submission(int width)
    {
        var clock = new FakeTimeProvider(CampaignSimulation.At("2025-04-21T08:00:00").ToUniversalTime());
        await using var app = await BrowserApp.StartAsync(settings =>
        {
            settings.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
            // Timers fire when the test moves the clock (CampaignSimulation.UntilAsync), never on their own.
            settings.RunOnFakeClock(clock);
        });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            db.Organizations.Add(new OrganizationRecord
            {
                Id = Zhengzhou, Name = "郑州移动", Operator = "移动", City = "郑州", CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(),
                Contacts = [new OrganizationContactRecord { OrganizationId = Zhengzhou, Name = "联系人", Email = "contact.mobile-zhengzhou@example.org" }],
            });
            await db.SaveChangesAsync(Ct);
        }
        await app.CreateParticipantAsync(Participant, Zhengzhou, "郑州移动");
        await ManyiApp.CreateUserAsync(app.Services, Reviewer, ManyiRoles.Reviewer);
        using var admin = await app.CreateApiClientAsync();
        var year = JsonNode.Parse(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct))!.AsObject();
        year["organizations"] = new JsonArray(Zhengzhou);
        await admin.PostJsonAsync("/api/campaigns", year.ToJsonString()).ExpectOkAsync();
        await CompleteAsync(admin, await OpenTaskAsync(admin, "notice"), "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" });

        var walk = new Walk(app, width);
        Task UntilAsync(string local) => CampaignSimulation.UntilAsync(app.Services, clock, local);

        // 22 April: the headcount report, from the inbox.
        await UntilAsync("2025-04-22T10:00:00");
        var page = await walk.MorningAsync("培训人数报送");
        await page.GetByLabel(new Regex("^参训人数")).FillAsync("2");
        await page.GetByTestId("field-names[0].name").GetByLabel(new Regex("^姓名")).FillAsync("王五");
        await page.GetByTestId("field-names[0].position").GetByLabel(new Regex("^职务")).FillAsync("客服经理");
        await page.GetByTestId("add-row-names").ClickAsync();
        await page.GetByTestId("field-names[1].name").GetByLabel(new Regex("^姓名")).FillAsync("赵六");
        await walk.SubmitAsync(page, "headcount", "Submitted");

        // The sign-up opened at once: two attendees, the fee accepted.
        page = await walk.MorningAsync("培训报名");
        await page.GetByLabel(new Regex("^报名人数")).FillAsync("2");
        await walk.TickAsync(page, "feeAccepted");
        await walk.SubmitAsync(page, "signup", "SignedUp");
        await walk.TimelineAsync(page, "after-signup", ("headcount", "Done"), ("signup", "Done"));

        // The course ends on 16 May at 17:00; on Monday the certificates are reported, with the scan.
        await UntilAsync("2025-05-19T10:00:00");
        page = await walk.MorningAsync("培训合格证书");
        await page.GetByTestId("add-row-holders").ClickAsync();
        await page.GetByTestId("field-holders[0].name").GetByLabel(new Regex("^姓名")).FillAsync("王五");
        await walk.TickAsync(page, "holders[0].passed");
        // The number counts: a holder without one is no holder (participant.json's count-holders), and the year would end here.
        await page.GetByTestId("field-holders[0].number").GetByLabel(new Regex("^证书编号")).FillAsync("CACE-2025-0001");
        await walk.UploadAsync(page, "scan", "证书扫描件.pdf");
        await walk.SubmitAsync(page, "certificate", "Submitted");
        await Assertions.Expect(page.GetByTestId("value-holders")).ToContainTextAsync("王五");

        // August: the survey's result, then the basic conditions, attested.
        await UntilAsync("2025-08-01T10:00:00");
        page = await walk.MorningAsync("满意度测评");
        await page.GetByLabel(new Regex("^测评机构")).FillAsync("某第三方测评机构");
        await page.GetByLabel(new Regex("^依据标准")).FillAsync("T/CAICI 87-2024, T/CCSA 600-2024");
        await page.GetByLabel(new Regex("^测评开始")).FillAsync("2024-11-01");
        await page.GetByLabel(new Regex("^测评结束")).FillAsync("2025-03-31");
        await page.GetByLabel(new Regex("^满意度指数")).FillAsync("86.5");
        await walk.UploadAsync(page, "report", "测评报告.pdf");
        await walk.SubmitAsync(page, "survey", "Submitted");

        await UntilAsync("2025-08-05T10:00:00");
        page = await walk.MorningAsync("基本条件");
        foreach (var condition in new[] { "licensed", "threeYears", "compliant", "surveyCommissioned" })
            await walk.TickAsync(page, condition);
        await walk.SubmitAsync(page, "conditions", "Submitted");

        // 20 August: the package, every required file, sent after the page lists it and asks once more.
        await UntilAsync("2025-08-20T10:00:00");
        page = await walk.MorningAsync("申报材料报送");
        foreach (var (field, name) in new[]
                 {
                     ("applicationForm", "申报表.pdf"), ("practiceReport", "实践报告.pdf"), ("selfEvaluation", "自评报告.pdf"),
                     ("surveyReport", "第三方测评报告.pdf"), ("integrityCommitment", "诚信承诺书.pdf"),
                 })
            await walk.UploadAsync(page, field, name);
        await page.GetByTestId("outcome-Submitted").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-submit")).ToContainTextAsync("以系统收到的时间为准");
        await walk.CheckAsync(page, "submission-confirm");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
        await walk.CheckAsync(page, "submission-done");
        await walk.TimelineAsync(page, "after-submission", ("certificate", "Done"), ("survey", "Done"), ("conditions", "Done"), ("submission", "Done"));

        // The secretariat finds the package complete, a reviewer rates it AA, the secretariat publishes (over the API).
        await UntilAsync("2025-08-25T10:00:00");
        await CompleteAsync(admin, await OpenTaskAsync(admin, "completeness"), "Complete", new JsonObject { ["missing"] = new JsonArray(), ["notes"] = "材料齐全" });
        await UntilAsync("2025-11-20T10:00:00");
        using var reviewer = await app.CreateApiClientAsync(Reviewer, ManyiApp.UserPassword);
        await CompleteAsync(reviewer, await OpenTaskAsync(reviewer, "review"), "Rated", new JsonObject { ["rating"] = "AA", ["notes"] = "服务体系完善" });
        // The rating is the association's to publish: until then the participant's timeline does not carry it.
        using (var participant = await app.CreateApiClientAsync(Participant, ManyiApp.UserPassword))
        {
            var before = await participant.GetFromJsonAsync<JsonObject>($"/api/organizations/{Zhengzhou}/timeline", TestContext.Current.CancellationToken);
            Assert.All(before!["stages"]!.AsArray(), stage => Assert.Null(stage!["rating"]?.GetValue<string>()));
        }
        await UntilAsync("2025-12-16T10:00:00");
        await CompleteAsync(admin, await OpenTaskAsync(admin, "publication"), "Published", []);

        // The year seen from the participant's side: every stage done, nothing left in the inbox.
        page = await walk.SignInAsync();
        await Assertions.Expect(page.GetByTestId("inbox-empty")).ToBeVisibleAsync();
        await walk.CheckAsync(page, "inbox-end");
        await walk.TimelineAsync(page, "end", ("completeness", "Done"), ("review", "Done"), ("publication", "Done"));
        await Assertions.Expect(page.Locator("[data-stage=publication] [data-testid=stage-rating]")).ToContainTextAsync("本单位评定等级：AA");

        Assert.True(walk.Problems.Count == 0, $"{walk.Problems.Count} problems:\n" + string.Join("\n", walk.Problems));
    }

    /// <summary>The participant's pages at one width: each morning a fresh sign-in (weeks of fake time outlast a sign-in), each page checked.</summary>
    private sealed class Walk(BrowserApp app, int width)
    {
        private readonly IReadOnlyList<string> _ids = [Zhengzhou];

        public List<string> Problems { get; } = [];

        public async Task<IPage> SignInAsync()
        {
            var page = await app.NewPageAsync(width, width > 600 ? 768 : 844);
            page.PageError += (_, error) => Problems.Add($"{page.Url}: page error: {error}");
            page.Response += (_, response) => { if (response.Status >= 500) Problems.Add($"{page.Url}: {response.Status} for {response.Url}"); };
            await BrowserApp.SignInAsync(page, Participant);
            return page;
        }

        /// <summary>Signs in, finds the one task in the inbox, opens it.</summary>
        public async Task<IPage> MorningAsync(string title)
        {
            var page = await SignInAsync();
            var link = page.GetByTestId("task-link");
            await Assertions.Expect(link).ToHaveCountAsync(1);
            await Assertions.Expect(link).ToContainTextAsync(title);
            await CheckAsync(page, "inbox-" + Slug(title));
            await link.ClickAsync();
            await Assertions.Expect(page.GetByTestId("task-title")).ToContainTextAsync(title);
            await BrowserApp.WaitForInteractiveAsync(page);
            return page;
        }

        /// <summary>Ticks a checkbox field by its label, as a person does, and waits until the page holds it ticked.</summary>
        public async Task TickAsync(IPage page, string field)
        {
            var box = page.GetByTestId($"field-{field}").GetByRole(AriaRole.Checkbox);
            await page.GetByTestId($"field-{field}").Locator("label").First.ClickAsync();
            await Assertions.Expect(box).ToBeCheckedAsync();
        }

        public async Task UploadAsync(IPage page, string field, string fileName)
        {
            await page.GetByTestId($"upload-{field}").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "application/pdf", Buffer = Pdf });
            await Assertions.Expect(page.GetByTestId($"field-{field}").GetByTestId("file-link")).ToHaveTextAsync(fileName);
        }

        /// <summary>Checks the filled-in form, submits it and checks the completed task.</summary>
        public async Task SubmitAsync(IPage page, string stage, string outcome)
        {
            await CheckAsync(page, stage);
            await page.GetByTestId($"outcome-{outcome}").ClickAsync();
            await Assertions.Expect(page.GetByTestId("task-completed")).ToContainTextAsync("已提交");
            await Assertions.Expect(page.GetByTestId("task-status")).ToContainTextAsync("已完成");
            await CheckAsync(page, stage + "-done");
        }

        public async Task TimelineAsync(IPage page, string name, params (string Stage, string Status)[] expected)
        {
            await page.GotoAsync("/organization/timeline");
            await BrowserApp.WaitForInteractiveAsync(page);
            foreach (var (stage, status) in expected)
                await Assertions.Expect(page.Locator($"[data-testid=timeline-stage][data-stage={stage}]")).ToHaveAttributeAsync("data-status", status);
            await CheckAsync(page, "timeline-" + name);
        }

        public async Task CheckAsync(IPage page, string name)
        {
            await BrowserApp.ScreenshotAsync(page, $"participant-year-{name}-{width}");
            Problems.AddRange(await PageChecks.WiderThanScreenAsync(page));
            Problems.AddRange(await PageChecks.CodesReadAsync(page, _ids));
            Problems.AddRange(await PageChecks.AxeViolationsAsync(page));
        }

        private static string Slug(string title) => title switch
        {
            "培训人数报送" => "headcount",
            "培训报名" => "signup",
            "培训合格证书" => "certificate",
            "满意度测评" => "survey",
            "基本条件" => "conditions",
            _ => "submission",
        };
    }

    private static async Task<string> OpenTaskAsync(HttpClient client, string stage) =>
        Assert.Single((await client.FetchAsync($"/api/tasks?stage={stage}").ExpectOkAsync()).GetArray("items")).GetString("id");

    private static async Task CompleteAsync(HttpClient client, string task, string outcome, JsonObject data) =>
        await client.PostJsonAsync($"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString()).ExpectOkAsync();
}
