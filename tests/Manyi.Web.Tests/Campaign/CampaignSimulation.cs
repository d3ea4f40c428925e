using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.Web.Tests.Campaign;

/// <summary>
/// The 2025 campaign from the repository's <c>workflows/</c> and <c>campaigns/2025.json</c>, run on a fake clock
/// through the HTTP API as its people would: the secretariat publishes the notice, every organization's participant
/// reports, signs up, uploads certificates and the survey, attests, submits; the secretariat checks completeness, a
/// reviewer rates, the secretariat publishes. Timers (deadlines, reminders) fire as the clock reaches them. What
/// happened is summed up in <see cref="Outcome"/>, which two runs must agree on.
/// </summary>
internal sealed class CampaignSimulation(ManyiApp app, FakeTimeProvider clock, CampaignScript script)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private readonly Dictionary<string, HttpClient> _clients = [];

    public static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00", CultureInfo.InvariantCulture);

    /// <summary>An app on the repository's workflows with the 58 demo organizations, one participant each, and a fake clock.</summary>
    public static async Task<(ManyiApp App, FakeTimeProvider Clock)> StartAppAsync(string provider)
    {
        // The clock keeps what it is given: UTC, as every instant the app writes must be (PostgreSQL refuses others).
        var clock = new FakeTimeProvider(At("2025-04-21T08:00:00").ToUniversalTime());
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:WorkflowsDirectory"] = RepositoryFile("workflows");
        app.Settings["Manyi:Demo:Enabled"] = "true";
        app.Settings["Manyi:Demo:Campaign"] = "false"; // the simulation starts the year itself, on its own clock
        // 60 accounts need no slow hashing.
        app.TestServices = services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        // Timers fire when the simulation's clock reaches them (UntilAsync), not through Hangfire's real-time jobs.
        app.RunOnFakeClock(clock);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ManyiUser>>();
            foreach (var organization in await db.Organizations.OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(Ct))
            {
                var email = $"participant.{organization}@example.org";
                var user = new ManyiUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = organization, CreatedAt = clock.GetUtcNow() };
                Assert.True((await users.CreateAsync(user, ManyiApp.UserPassword)).Succeeded);
                await users.AddToRoleAsync(user, ManyiRoles.Participant);
                db.OrganizationMembers.Add(new OrganizationMemberRecord { UserId = user.Id, OrganizationId = organization });
            }
            var reviewer = new ManyiUser { UserName = "expert@example.org", Email = "expert@example.org", EmailConfirmed = true, DisplayName = "评审专家", CreatedAt = clock.GetUtcNow() };
            Assert.True((await users.CreateAsync(reviewer, ManyiApp.UserPassword)).Succeeded);
            await users.AddToRoleAsync(reviewer, ManyiRoles.Reviewer);
            await db.SaveChangesAsync(Ct);
        }
        return (app, clock);
    }

    public static string RepositoryFile(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Manyi.slnx"))) return Path.Combine(folder.FullName, relative);
        throw new InvalidOperationException("The repository root (Manyi.slnx) was not found above the test's folder.");
    }

    public async Task<Outcome> RunAsync()
    {
        var admin = app.CreateClient();
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFile("campaigns/2025.json"), Ct))!.AsObject();
        // Seats for 50 sign-ups of two in the first session, so that seven are wait-listed, and a second session of five.
        var sessions = settings["campaign"]!["training"]!["sessions"]!.AsArray();
        sessions[0]!["capacity"] = CampaignScript.FirstSessionSeats;
        sessions.Add(new JsonObject
        {
            ["id"] = "2", ["name"] = new JsonObject { ["zh"] = "第二期培训班", ["en"] = "second session" },
            ["location"] = "郑州某培训中心（示例）", ["hotelPhone"] = "0000-00000001",
            ["checkIn"] = "2025-06-17T14:00:00+08:00", ["checkInEnd"] = "2025-06-17T20:00:00+08:00",
            ["start"] = "2025-06-18T08:30:00+08:00", ["end"] = "2025-06-20T17:00:00+08:00",
            ["capacity"] = CampaignScript.SecondSessionSeats, ["certificateDue"] = "2025-07-04T18:00:00+08:00",
        });
        var campaign = await admin.PostJsonAsync("/api/campaigns", settings.ToJsonString()).ExpectOkAsync();
        var campaignId = campaign.GetString("id");

        // 21 April: the secretariat publishes the notice.
        await CompleteAsync(admin, await AdminTaskAsync(admin, "notice"), "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" });
        var organizations = script.Organizations;
        Assert.Equal(58, organizations.Count);

        await UntilAsync("2025-04-22T10:00:00");
        foreach (var o in organizations.Where(o => !script.LateHeadcount.Contains(o)))
            await ReportHeadcountAsync(o);
        // 28 April from 10:00, one a second: seats go in this order of receipt, not in the order of the organizations' ids.
        await UntilAsync("2025-04-28T10:00:00");
        foreach (var o in script.SignupOrder)
        {
            await SignUpAsync(o);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Signed up, but the certificate task waits for the end of the training (16 May): no "passed" weeks before it.
        var signedUp = await ParticipantAsync(script.FirstSession[0]);
        Assert.Empty((await signedUp.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));

        // The late ones report on 6 May (after the deadline: flagged overdue, reminded, escalated) and sign up at once.
        await UntilAsync("2025-05-06T10:00:00");
        foreach (var o in script.LateHeadcount)
        {
            await ReportHeadcountAsync(o);
            await SignUpAsync(o);
        }

        // The sign-up closes on 7 May at 18:00 (campaigns/2025.json: afterDeadline.signup = close): one that did not sign up
        // is refused after it, told so, and the secretariat receives a copy.
        var missedSignup = await TaskOfAsync(script.NoSignup, "signup");
        await UntilAsync("2025-05-08T10:00:00");
        var closed = await (await ParticipantAsync(script.NoSignup)).PostJsonAsync($"/api/tasks/{missedSignup}/complete",
            """{"outcome": "SignedUp", "data": {"attendees": 2, "feeAccepted": true}}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("expired", closed.GetString("detail"), StringComparison.Ordinal);

        // The first session is full: the wait-list holds the last four of 28 April and the three of 6 May, in that order.
        var seats = await admin.FetchAsync("/api/campaigns/2025/training").ExpectOkAsync();
        var first = seats["sessions"]![0]!;
        Assert.Equal([CampaignScript.FirstSessionSeats, 0, 14], new[] { "taken", "left", "waiting" }.Select(k => first[k]!.GetValue<int>()));
        Assert.Equal(script.WaitList, WaitList(first));

        // 9 May: one organization cancels its sign-up; the first on the wait-list moves up into its seats and is told.
        await UntilAsync("2025-05-09T10:00:00");
        seats = await admin.PostJsonAsync($"/api/campaigns/2025/training/sign-ups/{script.Withdraws}/withdraw", "{}").ExpectOkAsync();
        Assert.Equal(script.WaitList.Skip(1), WaitList(seats["sessions"]![0]!));
        await admin.PostJsonAsync($"/api/campaigns/2025/training/sign-ups/{script.Withdraws}/withdraw", "{}").ExpectAsync(HttpStatusCode.NotFound);

        // 12 May: the secretariat offers the second session to the rest of the wait-list: five fit, the last still waits.
        await UntilAsync("2025-05-12T10:00:00");
        seats = await admin.PostJsonAsync("/api/campaigns/2025/training/sessions/2/offer?from=1", "{}").ExpectOkAsync();
        var second = seats["sessions"]![1]!;
        Assert.Equal([CampaignScript.SecondSessionSeats, 0, 2], new[] { "taken", "left", "waiting" }.Select(k => second[k]!.GetValue<int>()));
        Assert.Equal([script.NoSeat], WaitList(second));
        Assert.Equal(script.SecondSession, second["signUps"]!.AsArray().Where(u => u!["status"]!.GetValue<string>() == "Confirmed")
            .Select(u => u!["organizationId"]!.GetValue<string>()));

        // Each organization's certificate task opens when its own session ends: the first on 16 May, the second on 20 June.
        var secondSession = await ParticipantAsync(script.SecondSession[0]);
        await UntilAsync("2025-05-16T16:59:00");
        Assert.Empty((await signedUp.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));
        await UntilAsync("2025-05-16T17:00:00");
        Assert.Single((await signedUp.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));
        Assert.Empty((await secondSession.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));

        await UntilAsync("2025-05-20T10:00:00");
        foreach (var o in script.FirstSession)
            await ReportCertificateAsync(o);

        await UntilAsync("2025-06-20T16:59:00");
        Assert.Empty((await secondSession.FetchAsync("/api/tasks?stage=certificate").ExpectOkAsync()).GetArray("items"));
        await UntilAsync("2025-06-24T10:00:00");
        foreach (var o in script.SecondSession)
            await ReportCertificateAsync(o);

        await UntilAsync("2025-08-01T10:00:00");
        foreach (var o in organizations.Where(o => !script.NoCertificate.Contains(o) && !script.EndedAtTraining.Contains(o)))
        {
            JsonObject Survey(string start, string end) => new()
            {
                ["agency"] = "某第三方测评机构", ["standards"] = "T/CAICI 87-2024, T/CCSA 600-2024",
                ["periodStart"] = start, ["periodEnd"] = end, ["index"] = script.Index(o),
            };
            var client = await ParticipantAsync(o);
            var task = await TaskOfAsync(o, "survey");
            if (o == script.Organizations[0])
            {
                // The notice: the survey is carried out after October 2024 (campaigns/2025.json's surveyNotBefore), and ends after it starts.
                var early = await RefusedAsync(client, task, "Submitted", Survey("2024-09-30", "2025-03-31"));
                Assert.Equal("“测评开始”应不早于2024-10-01。Survey start must be on or after 2024-10-01.", early["data.periodStart"]![0]!.GetValue<string>());
                var backwards = await RefusedAsync(client, task, "Submitted", Survey("2025-03-31", "2025-03-01"));
                Assert.Equal("“测评结束”应不早于“测评开始”。Survey end must be on or after Survey start.", backwards["data.periodEnd"]![0]!.GetValue<string>());
            }
            await CompleteAsync(client, task, "Submitted", Survey("2024-11-01", "2025-03-31"));
        }

        await UntilAsync("2025-08-05T10:00:00");
        foreach (var o in script.Eligible)
            await CompleteAsync(await ParticipantAsync(o), await TaskOfAsync(o, "conditions"), "Submitted", new JsonObject
            {
                ["licensed"] = true, ["threeYears"] = true, ["compliant"] = true, ["surveyCommissioned"] = true,
            });

        await UntilAsync("2025-08-20T10:00:00");
        foreach (var o in script.Eligible.Where(o => o != script.LastSecond && o != script.TooLate))
            await SubmitAsync(o, complete: o != script.Returned);
        _firstCheck = true;

        // The secretariat checks every package received so far; one is returned with what is missing.
        await UntilAsync("2025-08-25T10:00:00");
        await CheckCompletenessAsync(admin);
        _firstCheck = false;
        await UntilAsync("2025-09-01T10:00:00");
        await SubmitAsync(script.Returned, complete: true);

        await UntilAsync("2025-09-10T23:59:59");
        await SubmitAsync(script.LastSecond, complete: true);
        // The other one has its task open in the browser a second too long: received at 00:00:00, it is refused.
        var tooLate = await TaskOfAsync(script.TooLate, "submission");
        await UntilAsync("2025-09-11T00:00:00");
        var late = await (await ParticipantAsync(script.TooLate)).PostJsonAsync($"/api/tasks/{tooLate}/complete",
            """{"outcome": "Submitted", "data": {}}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("expired", late.GetString("detail"), StringComparison.Ordinal);

        await UntilAsync("2025-09-12T10:00:00");
        await CheckCompletenessAsync(admin);

        // The national review, by a reviewer.
        await UntilAsync("2025-11-20T10:00:00");
        var reviewer = await app.CreateClientForAsync("expert@example.org");
        foreach (var (task, organization) in await RoleTasksAsync(reviewer, "review"))
            await CompleteAsync(reviewer, task, "Rated", new JsonObject { ["rating"] = script.Rating(organization), ["notes"] = "评审意见" });

        await UntilAsync("2025-12-16T10:00:00");
        await CompleteAsync(admin, await AdminTaskAsync(admin, "publication"), "Published", []);
        await UntilAsync("2025-12-31T23:00:00");

        return await OutcomeAsync(admin, campaignId);
    }

    private async Task ReportHeadcountAsync(string o)
    {
        var client = await ParticipantAsync(o);
        var task = await TaskOfAsync(o, "headcount");
        if (o == script.Organizations[0])
        {
            // Three trainees with two names, and "2" as text with one name: refused on both fields.
            var twoNames = new JsonArray(new JsonObject { ["name"] = "学员1" }, new JsonObject { ["name"] = "学员2" });
            var refused = await RefusedAsync(client, task, "Submitted", new JsonObject { ["trainees"] = 3, ["names"] = twoNames });
            Assert.Equal("“参训人员”的行数应等于“参训人数”。The number of rows of Trainees' names must equal Trainees.", refused["data.trainees"]![0]!.GetValue<string>());
            Assert.NotNull(refused["data.names"]);
            refused = await RefusedAsync(client, task, "Submitted", new JsonObject { ["trainees"] = "2", ["names"] = new JsonArray(new JsonObject { ["name"] = "学员1" }) });
            Assert.NotNull(refused["data.trainees"]);
        }
        var names = new JsonArray([.. Enumerable.Range(1, 2).Select(i => (JsonNode)new JsonObject { ["name"] = $"学员{i}", ["position"] = "客服经理" })]);
        await CompleteAsync(client, task, "Submitted", new JsonObject { ["trainees"] = 2, ["names"] = names });
    }

    private async Task ReportCertificateAsync(string o) =>
        await CompleteAsync(await ParticipantAsync(o), await TaskOfAsync(o, "certificate"), "Submitted", new JsonObject
        {
            ["holders"] = new JsonArray(new JsonObject
            {
                ["name"] = "张三", ["passed"] = !script.NoCertificate.Contains(o), ["number"] = script.NoCertificate.Contains(o) ? null : $"CACE-2025-{o}",
            }),
        });

    /// <summary>A session's wait-list from the training seats' answer, in order.</summary>
    private static List<string> WaitList(JsonNode session) =>
        [.. session["signUps"]!.AsArray().Where(u => u!["status"]!.GetValue<string>() == "WaitListed")
            .OrderBy(u => u!["place"]!.GetValue<int>()).Select(u => u!["organizationId"]!.GetValue<string>())];

    private async Task SignUpAsync(string o) =>
        await CompleteAsync(await ParticipantAsync(o), await TaskOfAsync(o, "signup"), "SignedUp", new JsonObject { ["attendees"] = 2, ["feeAccepted"] = true });

    private static readonly string[] PackageFiles = ["applicationForm", "practiceReport", "selfEvaluation", "surveyReport", "integrityCommitment"];

    /// <summary>
    /// Submits the package. An organization that sends it <paramref name="complete"/>: false first tries without its
    /// practice report, which is refused naming the report; it then sends the report the secretariat will return.
    /// </summary>
    private async Task SubmitAsync(string o, bool complete)
    {
        var client = await ParticipantAsync(o);
        var task = await TaskOfAsync(o, "submission");
        var data = new JsonObject();
        foreach (var item in PackageFiles)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray()), "file", $"{item}.pdf" } };
            var file = await client.PostAsync($"/api/tasks/{task}/files", form, Ct).ExpectAsync(HttpStatusCode.Created);
            data[item] = file.GetString("id");
        }
        if (!complete)
        {
            var partial = (JsonObject)data.DeepClone();
            partial.Remove("practiceReport");
            var refused = await RefusedAsync(client, task, "Submitted", partial);
            Assert.Equal(["data.practiceReport"], refused.AsObject().Select(e => e.Key));
            Assert.Equal("请上传“实践报告”。Please upload the Practice report.", refused["data.practiceReport"]![0]!.GetValue<string>());
        }
        await CompleteAsync(client, task, "Submitted", data);
    }

    /// <summary>A completion the form refuses: 400 with the problems per field (<c>data.&lt;field&gt;</c>).</summary>
    private static async Task<JsonNode> RefusedAsync(HttpClient client, string task, string outcome, JsonObject data)
    {
        var problem = await client.PostJsonAsync($"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString())
            .ExpectAsync(HttpStatusCode.BadRequest);
        return problem["errors"]!;
    }

    private bool _firstCheck;

    private async Task CheckCompletenessAsync(HttpClient admin)
    {
        foreach (var (task, organization) in await RoleTasksAsync(admin, "completeness"))
        {
            var detail = await admin.FetchAsync($"/api/tasks/{task}").ExpectOkAsync();
            var data = detail["task"]!["status"]!.GetValue<string>() == "Open" ? await SubmittedDataAsync(admin, detail) : null;
            var missing = new JsonArray([.. PackageFiles.Where(i => data?[i] is null).Select(i => (JsonNode)i)]);
            // The practice report the returned organization sent first does not meet the notice's requirements.
            if (_firstCheck && organization == script.Returned) missing.Add("practiceReport");
            if (missing.Count > 0)
            {
                // Returned says what is missing: without it the return is refused.
                var refused = await RefusedAsync(admin, task, "Returned", new JsonObject { ["notes"] = organization });
                Assert.Equal(["data.missing"], refused.AsObject().Select(e => e.Key));
            }
            await CompleteAsync(admin, task, missing.Count == 0 ? "Complete" : "Returned", new JsonObject { ["missing"] = missing, ["notes"] = organization });
        }
    }

    /// <summary>What the organization submitted: the Submission activity's data, read from its instance.</summary>
    private static async Task<JsonNode?> SubmittedDataAsync(HttpClient admin, JsonNode completenessTask)
    {
        var instance = await admin.FetchAsync($"/api/tasks?all=true&status=Completed&stage=submission&pageSize=500").ExpectOkAsync();
        var submitted = instance.GetArray("items").Where(t => t.GetString("instanceId") == completenessTask.GetString("instanceId"))
            .OrderBy(t => t.GetString("closedAt")).LastOrDefault();
        return submitted is null ? null : (await admin.FetchAsync($"/api/tasks/{submitted.GetString("id")}").ExpectOkAsync())["data"];
    }

    private async Task<HttpClient> ParticipantAsync(string organization)
    {
        if (!_clients.TryGetValue(organization, out var client))
            _clients[organization] = client = await app.CreateClientForAsync($"participant.{organization}@example.org");
        return client;
    }

    private async Task<string> TaskOfAsync(string organization, string stage)
    {
        var page = await (await ParticipantAsync(organization)).FetchAsync($"/api/tasks?stage={stage}").ExpectOkAsync();
        if (page.GetArray("items").Count == 1) return page.GetArray("items")[0].GetString("id");
        // Say where the organization's workflow is instead, so that a failure explains itself.
        var admin = app.CreateClient();
        var instance = Assert.Single((await admin.FetchAsync($"/api/workflow-instances?definitionId=participant&correlationId={organization}").ExpectOkAsync()).GetArray("items"));
        var journal = await admin.FetchAsync($"/api/workflow-instances/{instance.GetString("id")}/journal").ExpectOkAsync();
        var steps = string.Join("\n", journal.GetArray("items").TakeLast(12).Select(e => $"{e!["at"]} {e["activityId"]} {e["event"]} {e["message"]}"));
        Assert.Fail($"{organization} has {page.GetArray("items").Count} open '{stage}' task(s) at {clock.GetUtcNow():O}; its instance is {instance.GetString("status")}:\n{steps}");
        return "";
    }

    private static async Task<string> AdminTaskAsync(HttpClient admin, string stage)
    {
        var page = await admin.FetchAsync($"/api/tasks?stage={stage}").ExpectOkAsync();
        return Assert.Single(page.GetArray("items")).GetString("id");
    }

    /// <summary>Open tasks of a stage assigned to a role, each with the organization its instance serves, in organization order.</summary>
    private static async Task<List<(string Task, string Organization)>> RoleTasksAsync(HttpClient client, string stage)
    {
        var page = await client.FetchAsync($"/api/tasks?stage={stage}&pageSize=500").ExpectOkAsync();
        return [.. page.GetArray("items").Select(t => (t.GetString("id"), t.GetString("correlationId"))).OrderBy(t => t.Item2, StringComparer.Ordinal)];
    }

    private static async Task CompleteAsync(HttpClient client, string task, string outcome, JsonObject data) =>
        await client.PostJsonAsync($"/api/tasks/{task}/complete", new JsonObject { ["outcome"] = outcome, ["data"] = data }.ToJsonString()).ExpectOkAsync();

    /// <summary>Moves the clock to <paramref name="local"/> (Beijing time), firing every timer due on the way, in due order.</summary>
    private Task UntilAsync(string local) => UntilAsync(app.Services, clock, local);

    /// <summary>The same for any host on a fake clock with no timer scheduler of its own (a browser test's too).</summary>
    public static async Task UntilAsync(IServiceProvider services, FakeTimeProvider clock, string local)
    {
        // Instants are stored in UTC; SQLite compares them as stored, so the bound must be UTC too.
        var target = At(local).ToUniversalTime();
        while (true)
        {
            BookmarkRecord? due;
            await using (var scope = services.CreateAsyncScope())
                due = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Bookmarks.AsNoTracking()
                    .Where(b => b.ResumeAt != null && b.ResumeAt <= target).OrderBy(b => b.ResumeAt).ThenBy(b => b.Id).FirstOrDefaultAsync(Ct);
            if (due is null) break;
            if (due.ResumeAt > clock.GetUtcNow()) clock.SetUtcNow(due.ResumeAt!.Value);
            await using var fire = services.CreateAsyncScope();
            await fire.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
                new Stimulus(due.Name, due.Key) { BookmarkId = due.Id, WorkflowInstanceId = due.InstanceId }, Ct);
        }
        if (target > clock.GetUtcNow()) clock.SetUtcNow(target);
    }

    private async Task<Outcome> OutcomeAsync(HttpClient admin, string campaignId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var emails = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var message in await db.OutboxMessages.AsNoTracking().ToListAsync(Ct))
            foreach (var organization in script.Organizations.Where(o => message.To.Contains($"contact.{o}@example.org", StringComparison.Ordinal)))
                emails[$"{message.Kind} {organization}"] = emails.GetValueOrDefault($"{message.Kind} {organization}") + 1;
        var participants = await admin.FetchAsync("/api/workflow-instances?definitionId=participant&pageSize=500").ExpectOkAsync();
        var results = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var summary in participants.GetArray("items"))
        {
            var instance = await admin.GetInstanceAsync(summary.GetString("id"));
            var variables = instance["variables"]!;
            results[summary.GetString("correlationId")] =
                $"{summary.GetString("status")} {variables["result"]?.GetValue<string>()} {variables["rating"]?.GetValue<string>()}".TrimEnd();
        }
        var campaign = await admin.GetInstanceAsync(campaignId);
        var ratings = await db.Organizations.AsNoTracking().Where(o => o.LastRating != null).OrderBy(o => o.Id)
            .Select(o => o.Id + " " + o.LastRating).ToListAsync(Ct);
        return new Outcome(campaign.GetString("status"), results, emails, ratings);
    }

    public sealed record Outcome(string CampaignStatus, SortedDictionary<string, string> Organizations, SortedDictionary<string, int> Emails, List<string> Ratings)
    {
        public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this);
    }
}

/// <summary>Who does what in the simulated year; every choice is a function of the organization's id, so two runs agree.</summary>
internal sealed class CampaignScript(IReadOnlyList<string> organizations)
{
    public List<string> Organizations { get; } = [.. organizations.Order(StringComparer.Ordinal)];

    /// <summary>Three organizations report their headcount late.</summary>
    public IReadOnlyList<string> LateHeadcount => [Organizations[1], Organizations[20], Organizations[40]];

    /// <summary>Nobody of this organization passed the exam.</summary>
    public IReadOnlyList<string> NoCertificate => [Organizations[5]];

    public string BelowIndex => Organizations[10];
    public string AtIndex => Organizations[11];
    public string Returned => Organizations[12];
    public string LastSecond => Organizations[13];
    public string TooLate => Organizations[14];

    /// <summary>Reports its headcount but never signs up: the sign-up closes on it.</summary>
    public string NoSignup => Organizations[30];

    public decimal Index(string organization) => organization == BelowIndex ? 80.9m : organization == AtIndex ? 81.0m : 85m + Organizations.IndexOf(organization) % 10;

    public IReadOnlyList<string> Eligible => [.. Organizations.Where(o => !NoCertificate.Contains(o) && o != BelowIndex && !EndedAtTraining.Contains(o))];

    public const int FirstSessionSeats = 100;
    public const int SecondSessionSeats = 10;

    /// <summary>Who signs up on 28 April, one a second, in reverse order of their ids; the late reporters sign up on 6 May.</summary>
    public IReadOnlyList<string> SignupOrder => [.. Organizations.Where(o => !LateHeadcount.Contains(o) && o != NoSignup).Reverse()];

    /// <summary>The first session's wait-list once every sign-up is in: whoever came after its 50 sign-ups of two, in order of receipt.</summary>
    public IReadOnlyList<string> WaitList => [.. SignupOrder.Skip(FirstSessionSeats / 2), .. LateHeadcount];

    /// <summary>Cancels its sign-up on 9 May: the first on the wait-list takes its seats.</summary>
    public string Withdraws => Organizations[50];

    /// <summary>The rest of the wait-list, offered the second session of five sign-ups of two.</summary>
    public IReadOnlyList<string> SecondSession => [.. WaitList.Skip(1).Take(SecondSessionSeats / 2)];

    /// <summary>Still waiting when the last session begins: no seat this year.</summary>
    public string NoSeat => WaitList[^1];

    /// <summary>Whose year ends at the training: no sign-up, a withdrawn sign-up, no seat.</summary>
    public IReadOnlyList<string> EndedAtTraining => [NoSignup, Withdraws, NoSeat];

    /// <summary>Who attends the first session.</summary>
    public IReadOnlyList<string> FirstSession => [.. Organizations.Where(o => !EndedAtTraining.Contains(o) && !SecondSession.Contains(o))];

    public string Rating(string organization) => (Organizations.IndexOf(organization) % 4) switch { 0 => "AAA", 1 => "AA", 2 => "A", _ => "NotRated" };
}
