using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Email.Channels;
using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Channels;

/// <summary>Channels over the API (rules, masking, test message, audit) and their delivery: digests, rate limits, refusals, exactly once.</summary>
public sealed class NotificationChannelsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Bad_channels_are_refused_naming_the_field_and_a_good_one_is_stored_encrypted_shown_masked_tested_and_audited(string provider)
    {
        await using var robot = await FakeRobotServer.StartAsync();
        await using var app = await StartAsync(provider, robot);
        var admin = app.CreateClient();

        async Task Refused(string json, string field, string words)
        {
            var problem = await admin.PostJsonAsync("/api/notification-channels", json).ExpectAsync(HttpStatusCode.BadRequest);
            var messages = problem["errors"]![field]!.AsArray().Select(m => (string?)m).ToList();
            Assert.Contains(messages, m => m!.Contains(words, StringComparison.Ordinal));
        }
        await Refused("""{"kind":"slack","name":"x","webhookUrl":"https://hooks.slack.com/x"}""", "kind", "未知的机器人类型");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://evil.example.org/cgi-bin/webhook/send?key=1"}""", "webhookUrl", "qyapi.weixin.qq.com");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}""", "webhookUrl", "https://");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/other"}""", "webhookUrl", "不是企业微信群机器人的 Webhook 地址");
        await Refused("""{"kind":"dingtalk","name":"x","webhookUrl":"https://oapi.dingtalk.com/robot/send?access_token=t"}""", "secret", "须填写密钥");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1","secret":"abc"}""", "secret", "不支持加签");
        await Refused("""{"kind":"feishu","name":"x","webhookUrl":"https://open.feishu.cn/open-apis/bot/v2/hook/abc","signed":false,"mobiles":["13800000000"]}""", "mobiles", "不能按手机号");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1","mobiles":["12345"]}""", "mobiles", "不是手机号");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1","organizations":["nowhere"]}""", "organizations", "nowhere");
        await Refused("""{"kind":"wecom","name":"x","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1","messageKinds":["gossip"]}""", "messageKinds", "gossip");
        await Refused("""{"kind":"wecom","name":"  ","webhookUrl":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}""", "name", "须填写名称");

        // The documented host over https is allowed without any setting; the fake robot's host because it is listed.
        await admin.PostJsonAsync("/api/notification-channels",
            """{"kind":"dingtalk","name":"秘书处钉钉群","webhookUrl":"https://oapi.dingtalk.com/robot/send?access_token=abcdefgh12345678","secret":"SEC0123456789abcdef"}""")
            .ExpectAsync(HttpStatusCode.Created);
        var created = await admin.PostJsonAsync("/api/notification-channels",
            $$"""{"kind":"dingtalk","name":"测试群","webhookUrl":"{{robot.DingTalkUrl}}","secret":"SECsecret-value-9876","mobiles":["13800000009"]}""")
            .ExpectAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<long>();
        Assert.Equal("钉钉自定义机器人", created.GetString("kindName"));
        Assert.Equal("••••9876", created.GetString("secret"));
        Assert.DoesNotContain("dingtalk-test-token-0001", created.GetString("webhookUrl"));
        Assert.EndsWith("access_token=••••0001", created.GetString("webhookUrl"));
        Assert.Equal(["reminder", "overdue", "escalation", "notice"], created.GetArray("messageKinds").Select(k => (string?)k));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().NotificationChannels.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
            Assert.DoesNotContain("SECsecret-value-9876", stored.Secret);
            Assert.DoesNotContain("dingtalk-test-token", stored.WebhookUrl);
        }

        var test = await admin.PostJsonAsync($"/api/notification-channels/{id}/test", null).ExpectOkAsync();
        Assert.True(test["sent"]!.GetValue<bool>());
        Assert.Equal(0, test["errorCode"]!.GetValue<int>());
        var request = Assert.Single(robot.Requests);
        Assert.NotNull(request.QueryValue("sign"));
        Assert.Contains("测试群", (string?)request.Body["markdown"]!["text"]);

        robot.Answer = _ => (HttpStatusCode.OK, """{"errcode":310000,"errmsg":"sign not match"}""");
        var refused = await admin.PostJsonAsync($"/api/notification-channels/{id}/test", null).ExpectOkAsync();
        Assert.False(refused["sent"]!.GetValue<bool>());
        Assert.Equal(310000, refused["errorCode"]!.GetValue<int>());
        Assert.Contains("密钥", refused.GetString("explanation"));

        // A missing secret keeps the stored one; a change of name is audited.
        var updated = await admin.PutAsync($"/api/notification-channels/{id}", new StringContent("""{"name":"测试群二"}""", Encoding.UTF8, "application/json"), Ct)
            .ExpectOkAsync();
        Assert.Equal("测试群二", updated.GetString("name"));
        Assert.True(updated["signed"]!.GetValue<bool>());
        await admin.PutAsync("/api/notification-channels/999999", new StringContent("{}", Encoding.UTF8, "application/json"), Ct).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/notification-channels/{id}", Ct)).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var actions = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().AuditEntries.AsNoTracking()
                .Where(a => a.SubjectType == "notification-channel" && a.SubjectId == id.ToString()).Select(a => a.Action).ToListAsync(Ct);
            Assert.Equal(["channel.created", "channel.deleted", "channel.tested", "channel.tested", "channel.updated"], actions.Order());
        }
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Fifty_eight_organizations_due_at_one_send_time_make_one_digest_within_the_rate_limit_and_each_line_goes_once(string provider)
    {
        await using var robot = await FakeRobotServer.StartAsync();
        await using var app = await StartAsync(provider, robot);
        var organizations = await CreateOrganizationsAsync(app, 58);
        var channelId = await CreateChannelAsync(app, $$"""{"kind":"wecom","name":"全省联系人群","webhookUrl":"{{robot.WeComUrl}}"}""");

        var keys = await QueueRemindersAsync(app, organizations);
        Assert.Equal(58, keys.Count);
        var sender = app.Services.GetRequiredService<IOutboxSender>();
        foreach (var key in keys) await sender.SendAsync(key, Ct);
        // Sent again (a retried job, a second node): nothing more reaches the robot.
        foreach (var key in keys.Take(5)) await sender.SendAsync(key, Ct);

        var requests = robot.Requests.ToList();
        // 58 lines do not fit one WeCom markdown message (4096 bytes): a few messages, far under the 20 a minute.
        Assert.InRange(requests.Count, 1, ChannelKind.WeCom.Capacity);
        var texts = requests.Select(r => (string)r.Body["markdown"]!["content"]!).ToList();
        Assert.All(texts, t => Assert.True(Encoding.UTF8.GetByteCount(t) <= 4096, $"{Encoding.UTF8.GetByteCount(t)} bytes"));
        foreach (var (_, name) in organizations)
            Assert.Equal(1, texts.Sum(t => CountOf(t, $"[{name}]")));
        Assert.Contains("提醒 Reminder：培训人数报送", texts[0]);
        Assert.Contains("/tasks/", texts[0]);
        Assert.Contains("还剩 7 天", texts[0]);
        Assert.DoesNotContain("instance-", texts[0]);
        await using var scope = app.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.ChannelId == channelId).ToListAsync(Ct);
        Assert.Equal(58, rows.Count);
        Assert.All(rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_rate_limit_answer_delays_and_retries_while_a_signature_error_fails_at_once_with_the_reason(string provider)
    {
        await using var robot = await FakeRobotServer.StartAsync();
        await using var app = await StartAsync(provider, robot);
        var organizations = await CreateOrganizationsAsync(app, 3);
        var wecom = await CreateChannelAsync(app, $$"""{"kind":"wecom","name":"限流群","webhookUrl":"{{robot.WeComUrl}}"}""");
        var sender = app.Services.GetRequiredService<IOutboxSender>();

        robot.Answer = _ => (HttpStatusCode.OK, """{"errcode":45009,"errmsg":"api freq out of limit"}""");
        var keys = await QueueRemindersAsync(app, organizations);
        await Assert.ThrowsAsync<RobotDeliveryException>(() => sender.SendAsync(keys[0], Ct));
        Assert.Single(robot.Requests);
        Assert.All(await RowsAsync(app, wecom), r => Assert.Equal("errcode 45009: api freq out of limit", r.LastError));
        // The bucket is paused for every node: the retry that comes too soon does not call the robot.
        var early = await Assert.ThrowsAsync<RobotDeliveryException>(() => sender.SendAsync(keys[1], Ct));
        Assert.Contains("限流", early.Message);
        Assert.Single(robot.Requests);
        var waiting = await RowsAsync(app, wecom);
        Assert.All(waiting, r => Assert.Equal(OutboxStatus.Queued, r.Status));
        Assert.All(waiting, r => Assert.Null(r.ClaimedUntil));
        Assert.All(waiting, r => Assert.StartsWith("机器人限流中", r.LastError));

        await DeleteChannelAsync(app, wecom);
        Assert.All(await RowsAsync(app, wecom), r => Assert.Equal(OutboxStatus.Failed, r.Status));

        robot.Answer = _ => (HttpStatusCode.OK, """{"errcode":310000,"errmsg":"sign not match"}""");
        var dingtalk = await CreateChannelAsync(app, $$"""{"kind":"dingtalk","name":"签名错误群","webhookUrl":"{{robot.DingTalkUrl}}","secret":"SECwrong-secret-000"}""");
        var more = await QueueRemindersAsync(app, organizations, step: "3 days before");
        await sender.SendAsync(more[0], Ct);
        var failed = await RowsAsync(app, dingtalk);
        Assert.Equal(3, failed.Count);
        Assert.All(failed, r => Assert.Equal(OutboxStatus.Failed, r.Status));
        Assert.All(failed, r => Assert.Equal("errcode 310000: sign not match", r.LastError));
        Assert.Equal(2, robot.Requests.Count);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static async Task<ManyiApp> StartAsync(string provider, FakeRobotServer robot)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:Hangfire:Server"] = "false";
        app.Settings["Manyi:Channels:AllowedHosts:0"] = robot.Authority;
        app.Settings["Manyi:Channels:MaxRateWait"] = "00:00:02";
        return app;
    }

    private static async Task<IReadOnlyList<(string Id, string Name)>> CreateOrganizationsAsync(ManyiApp app, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var organizations = Enumerable.Range(1, count).Select(i => (Id: Unique.Id("org"), Name: $"参评单位{i:00}")).ToList();
        foreach (var (id, name) in organizations)
            db.Organizations.Add(new OrganizationRecord { Id = id, Name = name, Operator = "移动", City = "郑州", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(Ct);
        return organizations;
    }

    private static async Task<long> CreateChannelAsync(ManyiApp app, string json) =>
        (await app.CreateClient().PostJsonAsync("/api/notification-channels", json).ExpectAsync(HttpStatusCode.Created))["id"]!.GetValue<long>();

    private static async Task DeleteChannelAsync(ManyiApp app, long id) =>
        Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().DeleteAsync($"/api/notification-channels/{id}", Ct)).StatusCode);

    /// <summary>One reminder step for each organization, as the reminder ladder writes it: the robot lines through the one outbox API.</summary>
    private static async Task<IReadOnlyList<string>> QueueRemindersAsync(ManyiApp app, IReadOnlyList<(string Id, string Name)> organizations, string step = "7 days before")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var robots = scope.ServiceProvider.GetRequiredService<IChatRobots>();
        var outbox = scope.ServiceProvider.GetRequiredService<EmailOutbox>();
        var lines = new List<OutgoingEmail>();
        foreach (var (id, _) in organizations)
        {
            var facts = new JsonObject
            {
                ["title"] = "培训人数报送", ["deadline"] = "2025-04-30T18:00:00.0000000+08:00", ["daysLeft"] = 7, ["passed"] = false, ["step"] = step,
                ["link"] = $"http://localhost:5000/tasks/{id}-task",
            };
            lines.AddRange(await robots.LinesAsync(new RobotNotice($"instance-{id}:headcount:1746007200:{step}", "reminder", facts) { OrganizationIds = [id] }, Ct));
        }
        outbox.Queue(lines);
        await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().SaveChangesAsync(Ct);
        return [.. lines.Select(l => l.Key)];
    }

    private static async Task<List<OutboxMessageRecord>> RowsAsync(ManyiApp app, long channelId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.ChannelId == channelId).ToListAsync(Ct);
    }
}
