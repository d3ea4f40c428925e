using System.Text.Json.Nodes;
using Manyi.Email.Templates;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Email.Tests.Templates;

public sealed class LiquidEmailTemplatesTests
{
    private static readonly LiquidEmailTemplates Templates = LiquidEmailTemplates.Load(new EmailOptions());

    /// <summary>The model the engine's reminder ladder gives: the deadline in local time, days left (negative once overdue).</summary>
    private static JsonObject Ladder(int daysLeft, string step) => new()
    {
        ["title"] = "培训人数报送",
        ["deadline"] = "2025-04-30T18:00:00.0000000+08:00",
        ["daysLeft"] = daysLeft,
        ["step"] = step,
        ["workflowInstanceId"] = "0f3c9a",
        ["correlationId"] = "郑州移动",
        ["link"] = "https://manyi.example.org/tasks/42",
    };

    public static TheoryData<string, JsonObject, string, string[]> Kinds => new()
    {
        { "reminder", Ladder(3, "3 days before"), "【满意】提醒：「培训人数报送」距截止还有 3 天（2025年4月30日 周三） / Reminder: 培训人数报送 is due Wed 30 Apr 2025", ["「培训人数报送」将于 2025年4月30日 周三 18:00（北京时间）截止，还剩 3 天。", "Wed 30 Apr 2025 18:00 (Beijing time), in 3 days"] },
        { "overdue", Ladder(-2, "after 1"), "【满意】已逾期：「培训人数报送」已于 2025年4月30日 周三 截止，逾期 2 天 / Overdue: 培训人数报送 was due Wed 30 Apr 2025", ["「培训人数报送」已于 2025年4月30日 周三 18:00（北京时间）截止，尚未完成，已逾期 2 天。", "2 days overdue"] },
        { "escalation", Ladder(-5, "escalation"), "【满意】逾期上报：郑州移动「培训人数报送」（2025年4月30日 周三 截止）逾期 5 天 / Escalation: 培训人数报送 overdue at 郑州移动", ["参评单位「郑州移动」的任务「培训人数报送」已于 2025年4月30日 周三 18:00（北京时间）截止", "At 郑州移动, the task \"培训人数报送\""] },
        {
            "notice",
            new JsonObject { ["title"] = "关于开展2025年用户满意服务组织建设活动的通知", ["body"] = "请各单位于4月30日前报送培训人数。", ["deadline"] = "2025-04-30T10:00:00Z" },
            "【通知】关于开展2025年用户满意服务组织建设活动的通知 / Notice: 关于开展2025年用户满意服务组织建设活动的通知",
            ["截止时间：2025年4月30日 周三 18:00（北京时间）", "Deadline: Wed 30 Apr 2025 18:00 (Beijing time)"]
        },
        { "generic", new JsonObject { ["subject"] = "测试邮件", ["body"] = "这是一封测试邮件，2025年4月30日 周三。" }, "测试邮件", ["这是一封测试邮件，2025年4月30日 周三。", "This message was sent automatically by Manyi"] },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_kind_renders_chinese_first_then_english_with_dates_in_shanghai(string kind, JsonObject model, string subject, string[] expected)
    {
        var email = await Templates.RenderAsync(kind, model, TestContext.Current.CancellationToken);

        Assert.Equal(subject, email.Subject);
        Assert.Contains("2025年4月30日 周三", email.TextBody);
        foreach (var text in expected) Assert.Contains(text, email.TextBody);
        Assert.NotNull(email.HtmlBody);
        Assert.Contains("2025年4月30日 周三", email.HtmlBody);
        var chinese = email.TextBody.IndexOf("此邮件由满意 Manyi 自动发送", StringComparison.Ordinal);
        var english = email.TextBody.IndexOf("This message was sent automatically by Manyi", StringComparison.Ordinal);
        Assert.True(chinese >= 0 && chinese < english, email.TextBody);
        Assert.DoesNotContain("\n\n\n", email.TextBody);
    }

    [Fact]
    public async Task The_reminder_sent_at_the_deadline_says_it_has_passed_not_that_it_is_later_today()
    {
        var model = Ladder(0, "at deadline");
        model["passed"] = true;

        var email = await Templates.RenderAsync("reminder", model, TestContext.Current.CancellationToken);

        Assert.Contains("「培训人数报送」已于 2025年4月30日 周三 18:00（北京时间）截止，尚未办理。", email.TextBody);
        Assert.Contains("was due on Wed 30 Apr 2025 18:00 (Beijing time) and has not been done yet.", email.TextBody);
        Assert.Contains("请尽快办理", email.TextBody);
        foreach (var body in new[] { email.TextBody, email.HtmlBody!, email.Subject })
        {
            Assert.DoesNotContain("就在今天", body);
            Assert.DoesNotContain("将于", body);
            Assert.DoesNotContain("今天截止", body);
        }

        model["passed"] = false; // the same step before the deadline (sent in the morning of the last day)
        var before = await Templates.RenderAsync("reminder", model, TestContext.Current.CancellationToken);
        Assert.Contains("截止，就在今天。", before.TextBody);
    }

    [Fact]
    public void The_built_in_kinds_are_all_there()
    {
        Assert.Equal(LiquidEmailTemplates.BuiltInKinds.Order(), Templates.Kinds);
    }

    [Fact]
    public async Task Html_escapes_every_value_while_text_keeps_it_as_written()
    {
        var model = Ladder(1, "1 day before");
        model["title"] = "<script>alert('x')</script> 报送 & 确认";
        model["link"] = "javascript:alert(1)";

        var email = await Templates.RenderAsync("reminder", model, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("<script>", email.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 报送 &amp; 确认", email.HtmlBody);
        Assert.DoesNotContain("javascript:", email.HtmlBody);
        Assert.Contains("<script>alert('x')</script> 报送 & 确认", email.TextBody);
        Assert.Contains("还剩 1 天", email.TextBody);
        Assert.Contains("in 1 day.", email.TextBody);
    }

    [Fact]
    public async Task A_plain_text_body_keeps_its_lines_in_html()
    {
        var email = await Templates.RenderAsync("generic", new JsonObject { ["subject"] = "s", ["body"] = "第一行 <b>\n第二行" }, TestContext.Current.CancellationToken);

        Assert.Contains("<p>第一行 &lt;b&gt;<br />第二行</p>", email.HtmlBody);
    }

    [Fact]
    public async Task An_unknown_kind_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Templates.RenderAsync("birthday", [], TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("no e-mail template for the kind 'birthday'", error.Message);
        Assert.Contains("reminder", error.Message);
    }

    [Fact]
    public async Task A_template_with_a_syntax_error_stops_the_start_naming_its_file()
    {
        var folder = Directory.CreateTempSubdirectory("manyi-templates-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "reminder.html.liquid"), "<p>{% if daysLeft > 0 %}还剩 {{ daysLeft }} 天</p>", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "generic.subject.liquid"), "{{ subject | }}", TestContext.Current.CancellationToken);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Manyi:Email:TemplatesDirectory"] = folder,
            }).Build();

            using var services = new ServiceCollection().AddManyiEmail(configuration).BuildServiceProvider();

            var error = Assert.Throws<EmailTemplateException>(() => { _ = services.GetRequiredService<IEmailTemplates>(); });

            Assert.Equal(2, error.Problems.Count);
            Assert.Contains(error.Problems, p => p.StartsWith(Path.Combine(folder, "reminder.html.liquid") + ": ") && p.Contains("endif"));
            Assert.Contains(error.Problems, p => p.StartsWith(Path.Combine(folder, "generic.subject.liquid") + ": "));
            Assert.Contains("reminder.html.liquid", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_template_in_the_templates_folder_replaces_the_built_in_one()
    {
        var folder = Directory.CreateTempSubdirectory("manyi-templates-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "reminder.subject.liquid"), "【省协会】{{ title }}：{{ deadline | zh_date }}", TestContext.Current.CancellationToken);
            var templates = LiquidEmailTemplates.Load(new EmailOptions { TemplatesDirectory = folder });

            var email = await templates.RenderAsync("reminder", Ladder(7, "7 days before"), TestContext.Current.CancellationToken);

            Assert.Equal("【省协会】培训人数报送：2025年4月30日 周三", email.Subject);
            Assert.Contains("还剩 7 天", email.TextBody);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AddManyiEmail_replaces_the_engines_built_in_templates()
    {
        var services = new ServiceCollection();
        Manyi.Engine.ManyiEngineServiceCollectionExtensions.AddManyiEngine(services);
        services.AddManyiEmail(new ConfigurationBuilder().Build());

        Assert.Single(services, d => d.ServiceType == typeof(IEmailTemplates));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<LiquidEmailTemplates>(provider.GetRequiredService<IEmailTemplates>());
    }
}
