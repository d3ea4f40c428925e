using System.Net;
using Manyi.Persistence.Records;
using Manyi.Web.Tests.Features.Organizations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Tasks;

/// <summary>
/// <c>POST /api/tasks/{id}/remind</c> (an administrator's "remind now") and the administrators' list filters the
/// admin pages use: overdue tasks, locked-out users.
/// </summary>
public sealed class RemindNowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Zhengzhou = "mobile-zhengzhou";
    private const string Kaifeng = "unicom-kaifeng";

    /// <summary>A headcount report for 郑州移动 and 开封联通, due 2099-04-30 18:00 Beijing time.</summary>
    private static string Headcount(string definitionId) => Workflows.HeadcountReport(definitionId, [Zhengzhou, Kaifeng]);

    private static async Task<(HttpClient Admin, string ZhengzhouTask, string KaifengTask)> StartAsync(ManyiApp app)
    {
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, Zhengzhou);
        await app.CreateUserAsync("zhengzhou.deputy@example.org", ManyiRoles.Participant, Zhengzhou);
        await app.CreateUserAsync("kaifeng.unicom@example.org", ManyiRoles.Participant, Kaifeng);
        var admin = app.CreateClient();
        await admin.DeployAsync(Headcount("headcount"));
        await admin.ExecuteAsync("headcount");
        var tasks = (await admin.FetchAsync("/api/tasks?all=true").ExpectOkAsync()).GetArray("items");
        string Of(string organization) => tasks.Single(t => t.GetString("organizationId") == organization).GetString("id");
        return (admin, Of(Zhengzhou), Of(Kaifeng));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Remind_now_sends_each_assignee_one_reminder_per_call_and_is_audited(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var (admin, zhengzhouTask, _) = await StartAsync(app);

        var sent = await admin.PostJsonAsync($"/api/tasks/{zhengzhouTask}/remind", null).ExpectOkAsync();

        Assert.Equal("reminder", sent.GetString("kind"));
        Assert.Equal(["zhengzhou.deputy@example.org", "zhengzhou.mobile@example.org"], sent.GetArray("to").Select(t => t!.GetValue<string>()).Order());
        var mails = await app.QueryAsync(db => db.OutboxMessages.AsNoTracking().OrderBy(m => m.To).ToListAsync(Ct));
        Assert.Equal(["zhengzhou.deputy@example.org", "zhengzhou.mobile@example.org"], mails.Select(m => m.To));
        Assert.All(mails, m =>
        {
            Assert.Equal("reminder", m.Kind);
            Assert.Contains("培训人数报送 Headcount report", m.Subject, StringComparison.Ordinal);
            Assert.Contains("2099年4月30日", m.TextBody, StringComparison.Ordinal);
            Assert.Contains($"/tasks/{zhengzhouTask}", m.TextBody, StringComparison.Ordinal);
        });
        Assert.Contains("zhengzhou.deputy，您好", mails[0].TextBody, StringComparison.Ordinal);
        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "task.reminded", Ct));
        Assert.Equal(("task", zhengzhouTask, ManyiApp.AdminEmail), (audit.SubjectType, audit.SubjectId, audit.UserName));
        Assert.Contains("zhengzhou.mobile@example.org", audit.Details, StringComparison.Ordinal);

        // A second call is a second reminder: one more e-mail each, one more audit line; Kaifeng's people get none.
        await admin.PostJsonAsync($"/api/tasks/{zhengzhouTask}/remind", null).ExpectOkAsync();
        var counts = await app.QueryAsync(db => db.OutboxMessages.GroupBy(m => m.To).Select(g => new { To = g.Key, Count = g.Count() }).ToListAsync(Ct));
        Assert.Equal(2, counts.Count);
        Assert.All(counts, c => Assert.Equal(2, c.Count));
        Assert.Equal(2, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "task.reminded", Ct)));
    }

    [Theory, InlineData("sqlite")]
    public async Task Only_administrators_remind_an_open_task_and_an_overdue_one_gets_the_overdue_notice(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var (admin, zhengzhouTask, kaifengTask) = await StartAsync(app);
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");

        await participant.PostJsonAsync($"/api/tasks/{zhengzhouTask}/remind", null).ExpectAsync(HttpStatusCode.Forbidden);
        await admin.PostJsonAsync("/api/tasks/no-such-task/remind", null).ExpectAsync(HttpStatusCode.NotFound);

        var kaifeng = await app.CreateClientForAsync("kaifeng.unicom@example.org");
        await kaifeng.PostJsonAsync($"/api/tasks/{kaifengTask}/complete", """{"outcome": "Submitted", "data": {}}""").ExpectOkAsync();
        var closed = await admin.PostJsonAsync($"/api/tasks/{kaifengTask}/remind", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("already completed", closed.GetString("detail"), StringComparison.Ordinal);
        Assert.Contains("已完成", closed.GetString("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.OutboxMessages.CountAsync(Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "task.reminded", Ct)));

        await app.QueryAsync(db => db.Tasks.Where(t => t.Id == zhengzhouTask).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsOverdue, true), Ct));
        var sent = await admin.PostJsonAsync($"/api/tasks/{zhengzhouTask}/remind", null).ExpectOkAsync();
        Assert.Equal("overdue", sent.GetString("kind"));
        Assert.Equal(2, await app.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Kind == "overdue", Ct)));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_task_list_filters_overdue_tasks_and_the_user_list_locked_out_users_and_bad_values_name_the_parameter(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var (admin, zhengzhouTask, _) = await StartAsync(app);

        Assert.Equal(0, (await admin.FetchAsync("/api/tasks?all=true&overdue=true").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        await app.QueryAsync(db => db.Tasks.Where(t => t.Id == zhengzhouTask).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsOverdue, true), Ct));
        var overdue = await admin.FetchAsync("/api/tasks?all=true&overdue=true").ExpectOkAsync();
        Assert.Equal(zhengzhouTask, Assert.Single(overdue.GetArray("items")).GetString("id"));
        Assert.Equal(2, (await admin.FetchAsync("/api/tasks?all=true&overdue=false").ExpectOkAsync())["totalCount"]!.GetValue<int>());

        var badOverdue = await admin.FetchAsync("/api/tasks?all=true&overdue=maybe").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("overdue", badOverdue.GetString("detail"), StringComparison.Ordinal);
        Assert.Equal("overdue", Assert.Single(badOverdue["errors"]!.AsObject()).Key);
        var badWindow = await admin.FetchAsync("/api/tasks?all=true&dueAfter=2099-05-01T00:00:00%2B08:00&dueBefore=2099-04-01T00:00:00%2B08:00")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("dueBefore", Assert.Single(badWindow["errors"]!.AsObject()).Key);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ManyiUser>>();
            var locked = await users.FindByEmailAsync("kaifeng.unicom@example.org");
            await users.SetLockoutEndDateAsync(locked!, DateTimeOffset.UtcNow.AddMinutes(15));
        }
        var lockedOut = await admin.FetchAsync("/api/users?lockedOut=true").ExpectOkAsync();
        var only = Assert.Single(lockedOut.GetArray("items"));
        Assert.Equal("kaifeng.unicom@example.org", only.GetString("email"));
        Assert.True(only!["isLockedOut"]!.GetValue<bool>());
        Assert.Equal(3, (await admin.FetchAsync("/api/users?lockedOut=false").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        var badLocked = await admin.FetchAsync("/api/users?lockedOut=maybe").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("lockedOut", badLocked.GetString("detail"), StringComparison.Ordinal);
    }
}
