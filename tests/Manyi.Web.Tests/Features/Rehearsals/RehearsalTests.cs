using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Campaign;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Rehearsals;

/// <summary>
/// The 2025 year rehearsed through <c>/api/rehearsals</c> on the repository's workflows and settings with the 58 demo
/// organizations: everyone on time, then ten organizations two working days late at the headcount; the late run has more
/// reminders, naming those ten; bad settings come back as findings; the real tables get nothing but the runs.
/// </summary>
public sealed class RehearsalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ReminderKinds = ["reminder", "overdue", "escalation"];

    private static async Task<ManyiApp> StartAppAsync(string provider)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:WorkflowsDirectory"] = CampaignSimulation.RepositoryFile("workflows");
        app.Settings["Manyi:Demo:Enabled"] = "true";
        app.Settings["Manyi:Demo:Campaign"] = "false";
        return app;
    }

    private static async Task<(int Outbox, int Instances, int Tasks, int Bookmarks)> RealRowsAsync(ManyiApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        return (await db.OutboxMessages.CountAsync(Ct), await db.WorkflowInstances.CountAsync(Ct), await db.Tasks.CountAsync(Ct), await db.Bookmarks.CountAsync(Ct));
    }

    private static IEnumerable<JsonNode> Messages(JsonNode run) => run.GetArray("messages").Select(m => m!);

    private static int Reminders(JsonNode run) => Messages(run).Count(m => ReminderKinds.Contains(m.GetString("kind")));

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Ten_organizations_late_at_the_headcount_get_more_reminders_than_everyone_on_time(string provider)
    {
        await using var app = await StartAppAsync(provider);
        var admin = app.CreateClient();
        var before = await RealRowsAsync(app);

        var onTime = await admin.PostJsonAsync("/api/rehearsals", """{"year": 2025}""").ExpectOkAsync();
        Assert.DoesNotContain(onTime.GetArray("findings"), f => f!.GetString("severity") == "error");
        Assert.Equal(58, onTime.GetArray("organizations").Count);
        var ends = onTime.GetArray("ends");
        Assert.Equal(58, ends.Count);
        // On time, everyone goes all the way to the review (the index and the certificate are the settings' own).
        Assert.All(ends, e => Assert.Equal(("Reviewed", "rated"), (e!.GetString("result"), e.GetString("stage"))));
        Assert.Equal(58, Messages(onTime).Count(m => m.GetString("kind") == "rating"));
        Assert.DoesNotContain(Messages(onTime), m => m["stage"]?.GetValue<string>() == "headcount" && ReminderKinds.Contains(m.GetString("kind")));

        var late = await admin.PostJsonAsync("/api/rehearsals",
            """{"year": 2025, "scenario": {"late": {"stages": ["headcount"], "workingDays": 2, "count": 10, "seed": 7}}}""").ExpectOkAsync();
        var lateOnes = late["scenario"]!.GetArray("late").Select(o => o!.GetValue<string>()).ToList();
        Assert.Equal(10, lateOnes.Count);
        Assert.True(Reminders(late) > Reminders(onTime), $"late {Reminders(late)}, on time {Reminders(onTime)}");
        // Exactly the ten get headcount reminders and overdue notices, before and after the deadline.
        var reminded = Messages(late).Where(m => m["stage"]?.GetValue<string>() == "headcount" && ReminderKinds.Contains(m.GetString("kind")))
            .Select(m => m["organizationId"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(lateOnes.Order(StringComparer.Ordinal), reminded);
        Assert.All(lateOnes, o => Assert.Contains(Messages(late), m => m["organizationId"]?.GetValue<string>() == o && m.GetString("kind") == "overdue"));
        // Still missing on the second working day after the deadline (7 May, the sign-up's last day): the secretariat hears of each.
        var escalated = Messages(late).Where(m => m.GetString("kind") == "escalation").ToList();
        Assert.Equal(lateOnes.Order(StringComparer.Ordinal), escalated.Select(m => m["organizationId"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal));
        Assert.All(escalated, m => Assert.True(m["toSecretariat"]!.GetValue<bool>()));
        // Their deadlines show as passed, and they still end rated: the headcount only flags lateness in 2025.
        Assert.Equal(10, late.GetArray("deadlines").Count(d => d!["stage"]?.GetValue<string>() == "headcount" && d["wasOverdue"]!.GetValue<bool>()));

        // Reopened as stored, and compared: the difference is the ten, by name.
        var reopened = await admin.FetchAsync($"/api/rehearsals/{late.GetString("id")}").ExpectOkAsync();
        Assert.Equal(Messages(late).Count(), Messages(reopened).Count());
        var compare = await admin.FetchAsync($"/api/rehearsals/{onTime.GetString("id")}/compare/{late.GetString("id")}").ExpectOkAsync();
        var overdue = Assert.Single(compare.GetArray("kinds"), k => k!.GetString("kind") == "overdue")!;
        Assert.True(overdue["second"]!.GetValue<int>() > overdue["first"]!.GetValue<int>());
        var names = late.GetArray("organizations").ToDictionary(o => o!.GetString("id"), o => o!.GetString("name"));
        var differing = compare.GetArray("organizations").Where(d => d!["organizationId"] is not null).Select(d => d!.GetString("name")).Distinct().Order().ToList();
        Assert.Equal(lateOnes.Select(o => names[o]).Order(), differing);
        Assert.True(late["elapsedMilliseconds"]!.GetValue<long>() > 0);

        // Nothing of either run reached the real tables.
        Assert.Equal(before, await RealRowsAsync(app));
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Rehearsals.CountAsync(Ct));
    }

    /// <summary>
    /// A headcount due the day after the notice (its reminders 3 and 1 working days before fall before the year starts) and a
    /// sign-up due before the notice: findings naming the settings, not a crash. Input the API cannot use is 400 naming the field.
    /// A participant is refused.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Bad_settings_are_findings_bad_input_names_its_field_and_participants_are_refused(string provider)
    {
        await using var app = await StartAppAsync(provider);
        var admin = app.CreateClient();
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(CampaignSimulation.RepositoryFile("campaigns/2025.json"), Ct))!["campaign"]!.AsObject();
        settings["dates"]!["headcountDue"] = "2025-04-22T18:00:00+08:00";
        settings["dates"]!["signupDue"] = "2025-04-18T18:00:00+08:00";
        var before = await RealRowsAsync(app);

        var run = await admin.PostJsonAsync("/api/rehearsals", new JsonObject { ["settings"] = settings.DeepClone() }.ToJsonString()).ExpectOkAsync();
        var findings = run.GetArray("findings").Select(f => f!).ToList();
        var signup = Assert.Single(findings, f => f["field"]?.GetValue<string>() == "settings.dates.signupDue");
        Assert.Equal("error", signup.GetString("severity"));
        Assert.Contains("早于通知发布", signup.GetString("zh"), StringComparison.Ordinal);
        var ladder = Assert.Single(findings, f => f["field"]?.GetValue<string>() == "participant.headcount.reminders");
        Assert.Contains("截止前 3 天提醒", ladder.GetString("zh"), StringComparison.Ordinal);
        Assert.Equal(before, await RealRowsAsync(app));

        var problem = await admin.PostJsonAsync("/api/rehearsals",
            """{"year": 2025, "scenario": {"late": {"stages": ["notice"], "workingDays": 0, "count": 3}}}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["scenario.late.stages"]);
        Assert.NotNull(problem["errors"]!["scenario.late.workingDays"]);
        problem = await admin.PostJsonAsync("/api/rehearsals", """{"year": 2025, "scenario": {"onTimeWorkingDaysBefore": 0}}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["scenario.onTimeWorkingDaysBefore"]);
        problem = await admin.PostJsonAsync("/api/rehearsals", """{"year": 2025, "scenario": {"late": {"stages": ["headcount"], "workingDays": "two", "count": 3}}}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("workingDays", problem.ToJsonString(), StringComparison.Ordinal);
        problem = await admin.PostJsonAsync("/api/rehearsals", """{"year": 1999}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["year"]);
        problem = await admin.PostJsonAsync("/api/rehearsals", """{"year": 2025, "definitions": {"participant": 42}}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["definitions.participant"]);
        await admin.FetchAsync("/api/rehearsals/nope").ExpectAsync(HttpStatusCode.NotFound);

        var organization = await FirstOrganizationAsync(app);
        await app.CreateUserAsync("participant.rehearsal@example.org", ManyiRoles.Participant, organization);
        var participant = await app.CreateClientForAsync("participant.rehearsal@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await participant.PostJsonAsync("/api/rehearsals", """{"year": 2025}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await participant.FetchAsync($"/api/rehearsals/{run.GetString("id")}")).StatusCode);
    }

    /// <summary>
    /// Three working days late, past the ladder's two overdue reminders: the secretariat gets an escalation about each late
    /// organization. The others act two working days before each deadline, so the reminders before it are sent. The package
    /// of one organization is returned once: it is told what is missing, sends it again, and is rated.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Three_working_days_late_escalates_to_the_secretariat_and_a_returned_package_comes_back(string provider)
    {
        await using var app = await StartAppAsync(provider);
        var admin = app.CreateClient();
        var returned = await FirstOrganizationAsync(app);

        var run = await admin.PostJsonAsync("/api/rehearsals", new JsonObject
        {
            ["year"] = 2025,
            ["scenario"] = new JsonObject
            {
                ["late"] = new JsonObject { ["stages"] = new JsonArray("headcount"), ["workingDays"] = 3, ["count"] = 2, ["seed"] = 3 },
                ["returned"] = returned,
                ["onTimeWorkingDaysBefore"] = 2,
            },
        }.ToJsonString()).ExpectOkAsync();

        Assert.DoesNotContain(run.GetArray("findings"), f => f!.GetString("severity") == "error");
        var late = run["scenario"]!.GetArray("late").Select(o => o!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var escalated = Messages(run).Where(m => m.GetString("kind") == "escalation").ToList();
        Assert.Equal(late, escalated.Select(m => m["organizationId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(escalated, m => Assert.True(m["toSecretariat"]!.GetValue<bool>()));
        Assert.All(escalated, m => Assert.Equal("headcount", m["stage"]?.GetValue<string>()));

        // The others act 2 working days before each deadline: the headcount's reminder 3 days before reaches everyone, the
        // one 1 day before only the late ones.
        Assert.Equal(58, Messages(run).Count(m => m["stage"]?.GetValue<string>() == "headcount" && m["step"]?.GetValue<string>() == "before-3"));
        Assert.Equal(late, Messages(run).Where(m => m["stage"]?.GetValue<string>() == "headcount" && m["step"]?.GetValue<string>() == "before-1")
            .Select(m => m["organizationId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Contains("其余单位在截止前 2 个工作日办理", run["scenario"]!.GetString("zh"), StringComparison.Ordinal);

        Assert.Contains(Messages(run), m => m["organizationId"]?.GetValue<string>() == returned && m.GetString("subject").Contains("退回补正", StringComparison.Ordinal));
        Assert.Equal(2, run.GetArray("deadlines").Count(d => d!["organizationId"]?.GetValue<string>() == returned && d["stage"]?.GetValue<string>() == "completeness"));
        var end = Assert.Single(run.GetArray("ends"), e => e!.GetString("organizationId") == returned)!;
        Assert.Equal("Reviewed", end.GetString("result"));
    }

    private static async Task<string> FirstOrganizationAsync(ManyiApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Organizations.OrderBy(o => o.Id).Select(o => o.Id).FirstAsync(Ct);
    }
}
