using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Campaign.Activities;
using Manyi.Email.Activities;
using Manyi.Engine.Runtime;
using Manyi.Web.Components;
using Manyi.Web.Features.WorkflowInstances;

namespace Manyi.Web.Tests.Features.WorkflowInstances;

/// <summary>The journal's lines in words (<see cref="DisplayNames.JournalLine"/>): every key an activity writes, Chinese first, names not ids.</summary>
public sealed partial class JournalWordsTests
{
    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Chinese();

    private static IEnumerable<string> Written => new[] { typeof(JournalKeys), typeof(CampaignJournalKeys), typeof(EmailJournalKeys) }
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    public static TheoryData<string> Keys => [.. Written];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_key_an_activity_writes_has_Chinese_and_English_words_even_without_its_arguments(string key)
    {
        var words = DisplayNames.JournalLine(key, []);
        Assert.NotNull(words);
        Assert.Matches(Chinese(), words.Value.Zh);
        Assert.False(string.IsNullOrWhiteSpace(words.Value.En));
        Assert.DoesNotMatch(Chinese(), words.Value.En);
    }

    [Fact]
    public void The_catalogue_words_no_key_that_no_activity_writes()
    {
        var written = Written.ToHashSet();
        Assert.DoesNotContain(DisplayNames.JournalKeysKnown, k => !written.Contains(k));
    }

    [Fact]
    public void Lines_read_with_their_arguments_in_words()
    {
        Assert.Equal(("发出 1 个任务：培训人数报送", "Opened 1 task: 培训人数报送"),
            Line(JournalKeys.TasksOpened, new JsonObject { ["count"] = 1, ["title"] = "培训人数报送" }));
        Assert.Equal(("启动 58 个子流程「参评单位年度流程」，等待全部结束", "Started 58 instances of '参评单位年度流程', waiting for them"),
            Line(JournalKeys.ChildrenDispatched, new JsonObject { ["count"] = 58, ["definition"] = "参评单位年度流程", ["definitionId"] = "participant", ["waiting"] = true }));
        // A reminder step in words, never before-3; an outcome as its button says it, never Submitted.
        Assert.Equal(("已发送截止前 3 天提醒：a@example.org、b@example.org", "Reminder (3 days before the deadline) sent to a@example.org, b@example.org"),
            Line(JournalKeys.ReminderSent, new JsonObject { ["step"] = "before-3", ["to"] = new JsonArray("a@example.org", "b@example.org") }));
        Assert.Equal(("郑州移动的任务已完成：提交，办理人 王芳", "Task of 郑州移动 completed by 王芳: Submit"),
            Line(JournalKeys.TaskCompleted, new JsonObject { ["outcome"] = "Submitted", ["by"] = "王芳", ["organization"] = "郑州移动" }));
        // The id stays in the stored arguments; the words name the organization.
        Assert.Equal(("洛阳电信未收到通知：联系人的邮箱均无效（not an address）", "洛阳电信 got no notice: no contact has a valid e-mail address (not an address)"),
            Line(CampaignJournalKeys.NoticeSkipped, new JsonObject
            {
                ["organization"] = "洛阳电信", ["organizationId"] = "telecom-luoyang", ["reason"] = "noValidAddress", ["addresses"] = new JsonArray("not an address"),
            }));
        Assert.Equal(("不符合条件：满意度指数 80.9 低于 81。", "Not eligible: Satisfaction index 80.9 is below 81."),
            Line(CampaignJournalKeys.NotEligible, new JsonObject { ["reasons"] = new JsonArray("满意度指数 80.9 低于 81。Satisfaction index 80.9 is below 81.") }));
        Assert.Equal(("2025 年证书已生成：4 个单位", "Certificates 2025 written for 4 organizations"),
            Line(CampaignJournalKeys.CertificatesWritten, new JsonObject { ["year"] = 2025, ["count"] = 4 }));
        // Instants in Beijing time.
        Assert.Equal(("秘书处 将截止时间改为 2025年5月9日 周五 18:00：延期", "Deadline moved to Fri 9 May 2025 18:00 by 秘书处: 延期"),
            Line(JournalKeys.DeadlineMoved, new JsonObject { ["deadline"] = "2025-05-09T10:00:00.0000000+00:00", ["by"] = "秘书处", ["reason"] = "延期" }));
    }

    [Fact]
    public void A_line_of_free_text_or_from_before_the_keys_reads_as_written_with_organization_ids_as_names()
    {
        var readable = new ReadableIds(new Dictionary<string, string> { ["mobile-zhengzhou"] = "郑州移动" });
        Assert.Equal(("", "你好 郑州移动"), readable.Journal("Message", "你好 mobile-zhengzhou"));
        Assert.Equal(("发出 2 个任务：评审", "Opened 2 tasks: 评审"),
            readable.Journal("Message", null, JournalKeys.TasksOpened, new JsonObject { ["count"] = 2, ["title"] = "评审" }));
        // A key this version does not know shows nothing rather than the key.
        Assert.Equal(("", ""), readable.Journal("Message", null, "unknown.key", []));
    }

    private static (string Zh, string En) Line(string key, JsonObject arguments) => DisplayNames.JournalLine(key, arguments)!.Value;
}
