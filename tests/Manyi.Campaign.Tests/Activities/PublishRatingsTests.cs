using System.Text.Json.Nodes;
using Manyi.Campaign.Activities;
using Manyi.Email;
using Manyi.Email.Templates;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Microsoft.EntityFrameworkCore;
using static Manyi.Campaign.Tests.CampaignHarness;

namespace Manyi.Campaign.Tests.Activities;

public sealed class PublishRatingsTests
{
    private static readonly JsonObject Results2025 = new()
    {
        ["telecom-luoyang"] = new JsonObject { ["rating"] = null, ["notes"] = "材料不完整。" },
        ["unicom-kaifeng"] = new JsonObject { ["rating"] = "AA" },
        ["broadcast-xinxiang"] = new JsonObject { ["rating"] = "A" },
        ["mobile-zhengzhou"] = new JsonObject { ["rating"] = "AAA", ["notes"] = "现场检查优秀。" },
        ["nowhere"] = new JsonObject { ["rating"] = "A" },
        ["mobile-kaifeng"] = new JsonObject { ["rating"] = "aa" },
    };

    private static Task SeedAsync(CampaignHarness campaign) => campaign.SeedAsync(
        Organization("mobile-zhengzhou", "郑州移动", "移动", "郑州", null, ("张三", "zhang@example.org"), ("李四", "li@example.org")),
        Organization("mobile-kaifeng", "开封移动", "移动", "开封", "A", ("钱七", "qian@example.org")),
        Organization("unicom-kaifeng", "开封联通", "联通", "开封", null, ("王五", "wang@example.org")),
        Organization("telecom-luoyang", "洛阳电信", "电信", "洛阳", "A", ("孙八", "sun@example.org")),
        Organization("broadcast-xinxiang", "新乡广电", "广电", "新乡"));

    private static JsonObject Publish(JsonNode results, string id = "publish") =>
        Activity(id, "Manyi.PublishRatings", ("results", "Object", results), ("year", "Int32", 2025));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Ratings_are_stored_mailed_listed_and_counted_and_running_again_changes_and_sends_nothing(string provider)
    {
        await using var campaign = await StartAsync(provider);
        await SeedAsync(campaign);

        var instance = await campaign.RunAsync(Workflow("publish-2025", [Start(), Publish(Results2025), Event("again", "again")],
            [Connect("start", "publish"), Connect("publish", "again"), Connect("again", "publish")]));

        Assert.Equal("AAA", (await campaign.OrganizationAsync("mobile-zhengzhou")).LastRating);
        Assert.Equal("AA", (await campaign.OrganizationAsync("mobile-kaifeng")).LastRating);
        Assert.Equal("AA", (await campaign.OrganizationAsync("unicom-kaifeng")).LastRating);
        Assert.Equal("A", (await campaign.OrganizationAsync("broadcast-xinxiang")).LastRating);
        Assert.Equal("A", (await campaign.OrganizationAsync("telecom-luoyang")).LastRating); // not rated: unchanged

        var outputs = instance.State.ActivityOutputs["publish"];
        Assert.Equal(
            ["mobile-zhengzhou 郑州移动 移动 郑州 AAA", "mobile-kaifeng 开封移动 移动 开封 AA", "unicom-kaifeng 开封联通 联通 开封 AA",
             "broadcast-xinxiang 新乡广电 广电 新乡 A", "telecom-luoyang 洛阳电信 电信 洛阳 NotRated"],
            outputs["Ratings"]!.AsArray().Select(r => $"{r!["organizationId"]} {r["name"]} {r["operator"]} {r["city"]} {r["rating"]}"));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["AAA"] = 1, ["AA"] = 2, ["A"] = 1, ["NotRated"] = 1 }, outputs["Counts"]));

        // 新乡广电 has no contacts: rated and listed, not e-mailed.
        var messages = await campaign.OutboxAsync();
        string[] mailed = ["mobile-zhengzhou", "mobile-kaifeng", "unicom-kaifeng", "telecom-luoyang"];
        Assert.Equal(mailed.Select(o => $"{instance.Id}:publish:rating:{o}"), messages.Select(m => m.Key));
        Assert.All(messages, m => Assert.Equal(PublishRatings.Kind, m.Kind));
        var zhengzhou = messages[0];
        Assert.Equal(["张三 <zhang@example.org>", "李四 <li@example.org>"], Recipients(zhengzhou));
        Assert.Equal("【满意】2025 年度评价结果：郑州移动 AAA 级 / 2025 rating of 郑州移动: AAA", zhengzhou.Subject);
        Assert.Contains("贵单位的评价结果：AAA 级\n说明：现场检查优秀。", zhengzhou.TextBody);
        Assert.Contains("Your organization's rating: AAA\nNotes: 现场检查优秀。", zhengzhou.TextBody);
        var luoyang = messages[3];
        Assert.Equal("【满意】2025 年度评价结果：洛阳电信 未获评级 / 2025 rating of 洛阳电信: not rated", luoyang.Subject);
        Assert.Contains("贵单位的评价结果：未获评级", luoyang.TextBody);
        Assert.Contains("Your organization's rating: not rated", luoyang.TextBody);
        Assert.Contains("未获评级", luoyang.HtmlBody);

        var journal = await campaign.JournalAsync(instance.Id);
        Assert.Contains("ratings.unknown-organizations {\"count\":1,\"organizationIds\":[\"nowhere\"]}", journal);
        Assert.Contains("ratings.stored {\"year\":2025,\"changed\":4,\"unchanged\":0}", journal);
        Assert.Contains("rating.not-emailed {\"organization\":\"新乡广电\",\"organizationId\":\"broadcast-xinxiang\",\"reason\":\"noContacts\",\"addresses\":[]}", journal);
        var audit = await campaign.InDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == PublishRatings.AuditAction).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["mobile-zhengzhou", "mobile-kaifeng", "unicom-kaifeng", "broadcast-xinxiang"], audit.Select(a => a.SubjectId));
        Assert.Contains("\"before\":\"A\",\"after\":\"AA\",\"year\":2025", audit[1].Details);

        // Again in the same instance (as a retried burst would run it): nothing changes, nothing is sent twice.
        var again = await campaign.SendEventAsync(instance, "again");
        Assert.Equal(messages.Select(m => m.Key), (await campaign.OutboxAsync()).Select(m => m.Key));
        Assert.Equal(4, await campaign.InDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == PublishRatings.AuditAction)));
        Assert.Contains("ratings.stored {\"year\":2025,\"changed\":0,\"unchanged\":4}", await campaign.JournalAsync(instance.Id));
        Assert.True(JsonNode.DeepEquals(outputs["Ratings"], again.State.ActivityOutputs["publish"]["Ratings"]));
    }

    [Fact]
    public async Task A_rating_that_is_not_A_AA_AAA_or_not_rated_faults_before_anything_is_written()
    {
        await using var campaign = await StartAsync("sqlite");
        await SeedAsync(campaign);
        // Elsa writes an object literal as JSON text.
        var results = new JsonObject { ["mobile-zhengzhou"] = new JsonObject { ["rating"] = "AAA" }, ["unicom-kaifeng"] = new JsonObject { ["rating"] = "B" } };

        var instance = await campaign.RunAsync(Workflow("publish-bad", [Publish(results.ToJsonString())], []));

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Contains("'unicom-kaifeng': the rating \"B\" is not A, AA, AAA or NotRated", incident.Message);
        Assert.Null((await campaign.OrganizationAsync("mobile-zhengzhou")).LastRating);
        Assert.Empty(await campaign.OutboxAsync());
    }

    [Fact]
    public async Task The_rating_template_is_chinese_first_then_english_and_escapes_html()
    {
        var templates = LiquidEmailTemplates.Load(new EmailOptions());

        var email = await templates.RenderAsync("rating", new JsonObject
        {
            ["organization"] = "郑州移动 <b>",
            ["year"] = 2025,
            ["rating"] = "AA",
            ["notes"] = "第一行\n第二行",
        }, TestContext.Current.CancellationToken);

        Assert.Equal("【满意】2025 年度评价结果：郑州移动 <b> AA 级 / 2025 rating of 郑州移动 <b>: AA", email.Subject);
        var chinese = email.TextBody.IndexOf("贵单位的评价结果：AA 级", StringComparison.Ordinal);
        var english = email.TextBody.IndexOf("Your organization's rating: AA", StringComparison.Ordinal);
        Assert.True(chinese >= 0 && chinese < english, email.TextBody);
        Assert.DoesNotContain("\n\n\n", email.TextBody);
        Assert.Contains("郑州移动 &lt;b&gt;", email.HtmlBody);
        Assert.Contains("第一行<br />第二行", email.HtmlBody);
    }

    [Fact]
    public void Results_accept_a_rating_alone_and_every_spelling_of_not_rated()
    {
        var results = PublishRatings.Read(JsonNode.Parse("""
            {"a": "AAA", "b": null, "c": {"rating": "NotRated"}, "d": {"rating": ""}, "e": {"rating": "未获评级"}, "f": {"notes": "x"}}
            """));

        Assert.Equal(["a AAA", "b ", "c ", "d ", "e ", "f "], results.Select(r => $"{r.OrganizationId} {r.Rating}"));
    }

    [Fact]
    public void The_type_its_inputs_and_outcomes_are_as_workflow_files_write_them()
    {
        var descriptor = ActivityDescriptor.Describe(typeof(PublishRatings));

        Assert.Equal(("Manyi.PublishRatings", "Campaign"), (descriptor.TypeName, descriptor.Category));
        Assert.Equal(["results:Object", "year:Int32"], descriptor.Inputs.Select(i => $"{i.Name}:{i.TypeName}"));
        Assert.Equal(["Done"], descriptor.Outcomes);
    }
}
