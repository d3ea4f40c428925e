using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Channels;

/// <summary>Robot lines across a restart and on two nodes: each reaches its robot once.</summary>
public sealed class RobotDeliveryNodesTests
{
    /// <summary>
    /// A reminder step due a few seconds after the app stopped: the next app on the same data fires it (reconciliation
    /// finds the timer), the burst commits its e-mail and its robot line together, and the robot gets one digest.
    /// </summary>
    [Theory(Timeout = 180_000), InlineData("sqlite"), InlineData("postgres")]
    public async Task A_reminder_due_after_a_restart_reaches_the_robot_once_with_its_email_in_the_same_burst(string provider)
    {
        await using var robot = await FakeRobotServer.StartAsync();
        await using var storage = await ManyiStorage.CreateMigratedAsync(provider);
        var settings = Settings(storage, robot);
        // "At the deadline" goes out at sendAt on the deadline's day (UTC, every day and hour working here): the first
        // whole minute at least 15 s away, with the deadline half a minute later.
        var soon = DateTimeOffset.UtcNow.AddSeconds(15);
        var sendAt = new DateTimeOffset(soon.Ticks - soon.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var deadline = sendAt.AddSeconds(30);
        string instanceId;
        await using (var first = new ManyiApp(storage))
        {
            foreach (var (key, value) in settings) first.Settings[key] = value;
            var admin = first.CreateClient();
            await admin.PostJsonAsync("/api/notification-channels",
                $$"""{"kind":"wecom","name":"秘书处企业微信群","webhookUrl":"{{robot.WeComUrl}}"}""").ExpectAsync(HttpStatusCode.Created);
            await admin.DeployAsync(Workflow(deadline, sendAt));
            instanceId = (await admin.ExecuteAsync("robot-reminder")).GetString("id");
        }
        Assert.Empty(robot.Requests);

        await using var second = new ManyiApp(storage);
        foreach (var (key, value) in settings) second.Settings[key] = value;
        _ = second.Services;
        var waited = DateTimeOffset.UtcNow;
        while (robot.Requests.IsEmpty && DateTimeOffset.UtcNow - waited < TimeSpan.FromSeconds(90)) await Task.Delay(250, TestContext.Current.CancellationToken);
        // Time for a second (wrong) delivery to show itself.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);

        var request = Assert.Single(robot.Requests);
        Assert.Contains("培训人数报送", (string?)request.Body["markdown"]!["content"]);
        await using var scope = second.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.InstanceId == instanceId).ToListAsync(TestContext.Current.CancellationToken);
        var line = Assert.Single(rows, r => r.ChannelId is not null);
        var email = Assert.Single(rows, r => r.ChannelId is null);
        Assert.Equal(OutboxStatus.Sent, line.Status);
        Assert.Equal($"robot:{line.ChannelId}:-:{email.Key}", line.Key);
        Assert.Equal(email.CreatedAt, line.CreatedAt);
    }

    /// <summary>Two nodes on one PostgreSQL database send the same robot's lines at the same moment: every line goes once.</summary>
    [Fact(Timeout = 180_000)]
    public async Task Two_nodes_sending_one_robots_lines_at_once_deliver_each_line_once()
    {
        await using var robot = await FakeRobotServer.StartAsync();
        robot.Delay = TimeSpan.FromMilliseconds(300);
        await using var storage = await ManyiStorage.CreateMigratedAsync("postgres");
        var settings = Settings(storage, robot);
        await using var nodeA = new ManyiApp(storage);
        await using var nodeB = new ManyiApp(storage);
        foreach (var (key, value) in settings) nodeA.Settings[key] = nodeB.Settings[key] = value;
        nodeA.Settings["Manyi:Hangfire:Server"] = nodeB.Settings["Manyi:Hangfire:Server"] = "false";
        await nodeA.CreateClient().PostJsonAsync("/api/notification-channels",
            $$"""{"kind":"feishu","name":"飞书联系人群","webhookUrl":"{{robot.FeishuUrl}}","signed":false}""").ExpectAsync(HttpStatusCode.Created);

        var names = new List<string>();
        var keys = new List<string>();
        await using (var scope = nodeA.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            for (var i = 1; i <= 30; i++)
            {
                var id = Unique.Id("org");
                names.Add($"单位{i:00}");
                db.Organizations.Add(new OrganizationRecord { Id = id, Name = $"单位{i:00}", Operator = "联通", City = "开封", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                var facts = new JsonObject { ["title"] = "申报材料", ["deadline"] = "2025-09-10T00:00:00.0000000+08:00", ["daysLeft"] = 3, ["passed"] = false };
                var lines = await scope.ServiceProvider.GetRequiredService<IChatRobots>()
                    .LinesAsync(new RobotNotice($"instance-{id}:submission:1757433600:3 days before", "reminder", facts) { OrganizationIds = [id] }, TestContext.Current.CancellationToken);
                scope.ServiceProvider.GetRequiredService<EmailOutbox>().Queue(lines);
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                keys.AddRange(lines.Select(l => l.Key));
            }
        }

        var senderA = nodeA.Services.GetRequiredService<IOutboxSender>();
        var senderB = nodeB.Services.GetRequiredService<IOutboxSender>();
        // Every key's job on both nodes at once, as after a reconciliation on each.
        await Task.WhenAll(keys.SelectMany(k => new[] { Task.Run(() => senderA.SendAsync(k, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken), Task.Run(() => senderB.SendAsync(k, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken) }));

        var texts = robot.Requests.Select(r => (string)r.Body["card"]!["elements"]![0]!["content"]!).ToList();
        Assert.InRange(texts.Count, 1, 3);
        foreach (var name in names) Assert.Equal(1, texts.Sum(t => t.Split(name).Length - 1));
        await using var check = nodeB.Services.CreateAsyncScope();
        var rows = await check.ServiceProvider.GetRequiredService<ManyiDbContext>().OutboxMessages.AsNoTracking().Where(m => m.ChannelId != null).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(30, rows.Count);
        Assert.All(rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
    }

    private static Dictionary<string, string?> Settings(ManyiStorage storage, FakeRobotServer robot)
    {
        var calendars = TestCalendars.EveryDayWorking(Path.Combine(storage.DataDirectory, "..", "calendars"));
        return new()
        {
            ["Manyi:Channels:AllowedHosts:0"] = robot.Authority,
            ["Manyi:Channels:DigestDelay"] = "00:00:02",
            ["Manyi:DataProtection:KeysDirectory"] = Path.Combine(storage.DataDirectory, "..", "keys"),
            ["Manyi:CalendarDirectory"] = calendars,
            ["Manyi:Calendar:TimeZone"] = "UTC",
            ["Manyi:Calendar:WorkdayStart"] = "00:00:00",
            ["Manyi:Calendar:WorkdayEnd"] = "23:59:59",
            ["Manyi:Hangfire:SchedulePollingInterval"] = "00:00:01",
            ["Manyi:Hangfire:QueuePollInterval"] = "00:00:01",
        };
    }

    private static string Workflow(DateTimeOffset deadline, DateTimeOffset sendAt) => Workflows.Flowchart("robot-reminder",
        Workflows.Start() + ", " +
        $$"""
        {"id": "report", "type": "Elsa.Event",
         "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "headcount-reported"} },
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "培训人数报送"} },
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "{{deadline.ToString("O", CultureInfo.InvariantCulture)}}"} },
         "deadlineBehaviour": {"typeName": "String", "expression": {"type": "Literal", "value": "Flag"} },
         "reminders": {"atDeadline": true, "sendAt": "{{sendAt.ToString("HH:mm", CultureInfo.InvariantCulture)}}"},
         "remindTo": {"typeName": "String[]", "expression": {"type": "Literal", "value": "[\"contact@example.org\"]"} } }
        """,
        Workflows.Connect("start", "report"));
}
