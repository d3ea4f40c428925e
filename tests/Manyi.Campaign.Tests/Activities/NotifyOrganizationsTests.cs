using System.Text;
using System.Text.Json.Nodes;
using Manyi.Campaign.Activities;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Campaign.Tests.CampaignHarness;

namespace Manyi.Campaign.Tests.Activities;

public sealed class NotifyOrganizationsTests
{
    private static readonly JsonObject Training = new()
    {
        ["title"] = "用户满意服务组织建设培训班",
        ["location"] = "济南鑫福盛祥云酒店",
        ["start"] = "2025-05-14T08:30:00+08:00",
        ["end"] = "2025-05-16T17:30:00+08:00",
    };

    private static JsonObject Notify(JsonNode? attachCalendar = null) => Activity("notify", "Manyi.NotifyOrganizations",
        ("organizations", "String[]", new JsonArray("mobile-zhengzhou", "nowhere", "telecom-luoyang", "unicom-kaifeng", "mobile-zhengzhou")),
        ("title", "String", "关于报送培训人数的通知"),
        ("body", "String", "请于4月30日前报送参加培训的人数。"),
        ("titleEn", "String", "Please report your trainees"),
        ("bodyEn", "String", "Report the number of trainees by 30 April."),
        ("deadline", "Object", "2025-04-30T18:00:00+08:00"),
        ("link", "String", "https://manyi.example.org/tasks"),
        ("attachCalendar", "Object", attachCalendar));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Each_organization_gets_one_notice_to_all_its_contacts_and_the_others_are_listed_as_skipped(string provider)
    {
        await using var campaign = await StartAsync(provider);
        await campaign.SeedAsync(
            Organization("mobile-zhengzhou", "郑州移动", "移动", "郑州", null, ("张三", "zhang@example.org"), ("李四", "li@example.org"), ("张三", "ZHANG@example.org")),
            Organization("unicom-kaifeng", "开封联通", "联通", "开封", null, ("王五", "wang@example.org"), ("赵六", "not an address")),
            Organization("telecom-luoyang", "洛阳电信", "电信", "洛阳"));

        // An object literal written as JSON text, as Elsa writes it.
        var instance = await campaign.RunAsync(Workflow("notify-all", [Start(), Notify(Training.ToJsonString()), Event("again", "again")],
            [Connect("start", "notify"), Connect("notify", "again"), Connect("again", "notify")]));

        var messages = await campaign.OutboxAsync();
        Assert.Equal([$"{instance.Id}:notify:notice:mobile-zhengzhou", $"{instance.Id}:notify:notice:unicom-kaifeng"], messages.Select(m => m.Key));
        Assert.All(messages, m => Assert.Equal((NotifyOrganizations.Kind, instance.Id), (m.Kind, m.InstanceId)));
        Assert.Equal(["张三 <zhang@example.org>", "李四 <li@example.org>"], Recipients(messages[0]));
        Assert.Equal(["王五 <wang@example.org>"], Recipients(messages[1]));
        var first = messages[0];
        Assert.Equal("【通知】关于报送培训人数的通知 / Notice: Please report your trainees", first.Subject);
        Assert.Contains("请于4月30日前报送参加培训的人数。", first.TextBody);
        Assert.Contains("截止时间：2025年4月30日 周三 18:00（北京时间）", first.TextBody);
        Assert.Contains("Report the number of trainees by 30 April.", first.TextBody);
        Assert.Contains("https://manyi.example.org/tasks", first.HtmlBody);

        var attachment = Assert.Single(JsonNode.Parse(first.Attachments!)!.AsArray())!;
        Assert.Equal("invite.ics", (string?)attachment["fileName"]);
        // Unfolded: iCalendar folds lines longer than 75 octets.
        var ics = Encoding.UTF8.GetString(Convert.FromBase64String((string)attachment["content"]!)).Replace("\r\n ", "");
        Assert.Contains("SUMMARY:用户满意服务组织建设培训班", ics);
        Assert.Contains("DTSTART;TZID=Asia/Shanghai:20250514T083000", ics);
        Assert.Contains($"UID:{instance.Id}.notify@manyi", ics);
        Assert.Contains("mailto:zhang@example.org", ics);
        Assert.Contains("mailto:li@example.org", ics);
        Assert.Contains("mailto:manyi@example.org", ics);
        Assert.DoesNotContain("wang@example.org", ics);

        var outputs = instance.State.ActivityOutputs["notify"];
        Assert.Equal(2, outputs["Sent"]!.GetValue<int>());
        var skipped = outputs["Skipped"]!.AsArray();
        Assert.Equal(["nowhere", "telecom-luoyang"], skipped.Select(s => (string?)s!["organizationId"]));
        Assert.Equal(CampaignMail.NoSuchOrganization, (string?)skipped[0]!["reason"]);
        Assert.Contains("The organization has no contacts.", (string?)skipped[1]!["reason"]);
        var journal = await campaign.JournalAsync(instance.Id);
        Assert.Contains("notice.skipped {\"organization\":null,\"organizationId\":\"nowhere\",\"reason\":\"noOrganization\",\"addresses\":[]}", journal);
        Assert.Contains(journal, m => m.StartsWith("notice.skipped ", StringComparison.Ordinal)
            && m.Contains("\"organizationId\":\"telecom-luoyang\",\"reason\":\"noContacts\"", StringComparison.Ordinal));
        Assert.Contains(journal, m => m.StartsWith("contacts.invalid-left-out ", StringComparison.Ordinal) && m.Contains("not an address", StringComparison.Ordinal));
        Assert.Contains("notice.queued {\"title\":\"关于报送培训人数的通知\",\"sent\":2,\"skipped\":2}", journal);

        // The same activity of the same instance runs again (as a retried burst would): same keys, nothing sent twice.
        await campaign.SendEventAsync(instance, "again");
        Assert.Equal(messages.Select(m => m.Key), (await campaign.OutboxAsync()).Select(m => m.Key));
    }

    [Fact]
    public async Task Without_an_event_there_is_no_attachment_and_an_empty_list_sends_nothing()
    {
        await using var campaign = await StartAsync("sqlite");
        await campaign.SeedAsync(Organization("mobile-zhengzhou", "郑州移动", "移动", "郑州", null, ("张三", "zhang@example.org")));

        var instance = await campaign.RunAsync(Workflow("notify-plain", [
            Activity("one", "Manyi.NotifyOrganizations", ("organizations", "String[]", "mobile-zhengzhou"),
                ("title", "String", "通知"), ("body", "String", "正文")),
            Activity("none", "Manyi.NotifyOrganizations", ("organizations", "String[]", new JsonArray()),
                ("title", "String", "通知"), ("body", "String", "正文")),
        ], [Connect("one", "none")]));

        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        var message = Assert.Single(await campaign.OutboxAsync());
        Assert.Null(message.Attachments);
        Assert.Equal("【通知】通知 / Notice: 通知", message.Subject);
        Assert.Equal(0, instance.State.ActivityOutputs["none"]["Sent"]!.GetValue<int>());
        Assert.Empty(instance.State.ActivityOutputs["none"]["Skipped"]!.AsArray());
    }

    [Fact]
    public void Literal_deadline_and_event_are_checked_when_the_workflow_is_saved()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddManyiEngine();
        services.AddManyiCampaign();
        using var provider = services.BuildServiceProvider();
        var definition = Workflow("bad-notice", [
            Activity("notify", "Manyi.NotifyOrganizations", ("organizations", "String[]", "mobile-zhengzhou"), ("title", "String", "通知"), ("body", "String", "正文"),
                ("deadline", "Object", "2025-04-30 18:00"),
                ("attachCalendar", "Object", new JsonObject { ["title"] = "培训", ["start"] = "2025-05-16T17:30:00+08:00", ["end"] = "2025-05-14T08:30:00+08:00" })),
            Activity("empty", "Manyi.NotifyOrganizations"),
        ], [Connect("notify", "empty")]);

        var errors = provider.GetRequiredService<WorkflowCompiler>().Validate(definition).Errors.ToList();

        Assert.Contains(errors, e => e is { ActivityId: "notify", Input: "deadline" } && e.Message.Contains("instant with its offset"));
        Assert.Contains(errors, e => e is { ActivityId: "notify", Input: "attachCalendar" } && e.Message.Contains("before it starts"));
        Assert.Equal(["organizations", "title", "body"], errors.Where(e => e.ActivityId == "empty").Select(e => e.Input));
    }

    [Fact]
    public void The_type_its_inputs_and_outcomes_are_as_workflow_files_write_them()
    {
        var descriptor = ActivityDescriptor.Describe(typeof(NotifyOrganizations));

        Assert.Equal(("Manyi.NotifyOrganizations", "Campaign"), (descriptor.TypeName, descriptor.Category));
        Assert.Equal(["organizations:String[]", "title:String", "body:String", "titleEn:String", "bodyEn:String", "deadline:Object", "link:String", "attachCalendar:Object", "copyTo:String[]"],
            descriptor.Inputs.Select(i => $"{i.Name}:{i.TypeName}"));
        Assert.Equal(["Done"], descriptor.Outcomes);
    }
}
