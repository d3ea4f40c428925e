using Manyi.Engine.Activities;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Web.Features.Designer;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Designer;

/// <summary>
/// What the designer says, Chinese first: every input of every activity the app registers has a name and help in the
/// input catalogue, and the problems the validator finds are said in Chinese before the English.
/// </summary>
public sealed class DesignerWordsTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private async Task<IServiceProvider> ServicesAsync() => (await apps.For("sqlite")).Services;

    private static bool IsChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Fact]
    public async Task Every_input_of_every_registered_activity_has_a_Chinese_and_an_English_name_and_help()
    {
        var registry = (await ServicesAsync()).GetRequiredService<ActivityRegistry>();
        var missing = new List<string>();
        foreach (var descriptor in registry.All)
            foreach (var input in descriptor.Inputs)
            {
                var name = InputCatalogue.Find(descriptor.TypeName, input);
                if (name is null || !IsChinese(name.Zh) || name.En.Length == 0 || IsChinese(name.En) || !IsChinese(name.HelpZh)
                    || string.IsNullOrWhiteSpace(input.Description))
                    missing.Add($"{descriptor.TypeName}.{input.Name}");
            }
        Assert.True(missing.Count == 0, "Inputs without a Chinese name, an English name, a Chinese help text and an English description: " + string.Join(", ", missing));

        // No entry is left over for an input that no longer exists (or is misspelt).
        var declared = registry.All.SelectMany(d => d.Inputs.SelectMany(i => new[] { (d.TypeName, i.Name), (i.Property.DeclaringType!.Name, i.Name) })).ToHashSet();
        var leftOver = InputCatalogue.Keys.Where(k => !declared.Contains(k)).ToList();
        Assert.True(leftOver.Count == 0, "Catalogue entries for no input: " + string.Join(", ", leftOver));
    }

    [Fact]
    public async Task Every_registered_activity_says_what_it_does_in_Chinese_first_in_the_palette()
    {
        var registry = (await ServicesAsync()).GetRequiredService<ActivityRegistry>();
        var missing = registry.All.Where(d => ActivityCatalogue.DescriptionZh(d.TypeName) is not { } zh || !IsChinese(zh)).Select(d => d.TypeName).ToList();
        Assert.True(missing.Count == 0, "Activities without a Chinese description: " + string.Join(", ", missing));
        var email = PaletteItem.Of(registry.Find("Elsa.SendEmail")!);
        Assert.StartsWith("发送一封邮件", email.Description, StringComparison.Ordinal);
        Assert.EndsWith(registry.Find("Elsa.SendEmail")!.Description, email.Description, StringComparison.Ordinal);
        Assert.True(email.Matches("邮件"));
    }

    [Fact]
    public async Task A_task_shows_its_title_before_its_description_and_says_who_is_reminded_when_nobody_is_named()
    {
        var task = (await ServicesAsync()).GetRequiredService<ActivityRegistry>().Find("Manyi.UserTask")!;
        var order = InputCatalogue.InOrder(task).Select(i => i.Name).ToList();
        Assert.Equal(["title", "description"], order.Take(2));
        Assert.Equal(task.Inputs.Count, order.Distinct().Count());

        var title = InputCatalogue.Of(task.TypeName, task.Inputs.Single(i => i.Name == "title"));
        var description = InputCatalogue.Of(task.TypeName, task.Inputs.Single(i => i.Name == "description"));
        Assert.Equal(("任务名称", "任务说明"), (title.Zh, description.Zh));
        Assert.NotEqual(task.Inputs.Single(i => i.Name == "title").Description, task.Inputs.Single(i => i.Name == "description").Description);

        var remindTo = InputCatalogue.Of(task.TypeName, task.Inputs.Single(i => i.Name == "remindTo"));
        Assert.Equal("提醒对象", remindTo.Zh);
        Assert.Contains("为空则提醒任务当前的办理人", remindTo.HelpZh);
        var eventRemindTo = InputCatalogue.Of("Elsa.Event", task.Inputs.Single(i => i.Name == "remindTo"));
        Assert.Contains("为空则不发提醒邮件", eventRemindTo.HelpZh);
        Assert.Equal("收件人 To", InputCatalogue.Label((await ServicesAsync()).GetRequiredService<ActivityRegistry>().Find("Elsa.SendEmail"), "to"));
    }

    /// <summary>Every problem the compiler finds in the workflow is said in Chinese first; returns them for more checks.</summary>
    private async Task<IReadOnlyList<string>> ProblemsAsync(string activities, string connections)
    {
        var compiler = (await ServicesAsync()).GetRequiredService<WorkflowCompiler>();
        var problems = compiler.Validate(ElsaJson.Read(Workflows.Flowchart(Unique.Id("words"), activities, connections))).Problems;
        Assert.NotEmpty(problems);
        foreach (var problem in problems)
            Assert.True(ProblemText.Chinese(problem.Message) is not null || IsChinese(problem.Message), $"no Chinese for: {problem.Message}");
        return [.. problems.Select(ProblemText.Of)];
    }

    [Fact]
    public async Task A_required_input_an_unknown_type_an_unreachable_activity_a_missing_port_and_bad_syntax_read_Chinese_first()
    {
        var texts = await ProblemsAsync(
            $$"""
            {{Workflows.Start()}},
            {"id": "mail", "type": "Elsa.SendEmail"},
            {"id": "odd", "type": "Acme.Nothing"},
            {{Workflows.WriteLine("script", "1 +", "JavaScript")}},
            {{Workflows.WriteLine("lost-a", "a")}}, {{Workflows.WriteLine("lost-b", "b")}}
            """,
            $"""
            {Workflows.Connect("start", "mail")}, {Workflows.Connect("mail", "script", "Sent")}, {Workflows.Connect("mail", "nowhere")},
            {Workflows.Connect("lost-a", "lost-b")}, {Workflows.Connect("lost-b", "lost-a")}
            """);
        Assert.Contains("必填，不能为空。 is required", texts);
        Assert.Contains("不认识的活动类型“Acme.Nothing”：该版本的引擎没有这种活动。 the activity type 'Acme.Nothing' is unknown", texts);
        Assert.Contains(texts, t => t.StartsWith("JavaScript 有语法错误：", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("第 3 条连线（mail:Done → nowhere）悬空：没有编号为“nowhere”的活动", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_from_a_port_the_activity_lacks_and_an_unreachable_activity_read_Chinese_first()
    {
        var texts = await ProblemsAsync(
            $"{Workflows.Start()}, {Workflows.WriteLine("say", "hi")}, {Workflows.WriteLine("lost-a", "a")}, {Workflows.WriteLine("lost-b", "b")}",
            $"{Workflows.Connect("start", "say", "Nope")}, {Workflows.Connect("lost-a", "lost-b")}, {Workflows.Connect("lost-b", "lost-a")}");
        Assert.Contains(texts, t => t.StartsWith("第 1 条连线（start:Nope → say）从端口“Nope”连出，但该活动没有这个端口（它的端口：Done）", StringComparison.Ordinal));

        texts = await ProblemsAsync(
            $"{Workflows.Start()}, {Workflows.WriteLine("say", "hi")}, {Workflows.WriteLine("lost-a", "a")}, {Workflows.WriteLine("lost-b", "b")}",
            $"{Workflows.Connect("start", "say")}, {Workflows.Connect("lost-a", "lost-b")}, {Workflows.Connect("lost-b", "lost-a")}");
        Assert.Equal(2, texts.Count(t => t.StartsWith("从开始到达不了这个活动，它永远不会执行。 the activity cannot be reached", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Form_and_reminder_ladder_problems_read_Chinese_first()
    {
        const string form = """
            {"fields": [
              {"name": "note", "label": "说明", "type": "text", "maxLength": 0, "pattern": "(unclosed"},
              {"name": "report", "label": "报告", "type": "file", "maxBytes": 0, "allowedTypes": ["pdf"]},
              {"name": "operator", "label": "运营商", "type": "choice", "options": []},
              {"name": "rating", "label": "等级", "type": "choice", "options": ["A", "A"]},
              {"name": "number", "label": "证书编号", "type": "text", "requiredWhen": "note"}
            ]}
            """;
        var texts = await ProblemsAsync(
            $$$"""
            {{{Workflows.Start()}}},
            {"id": "report", "type": "Manyi.UserTask", "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Participant"}},
             "outcomes": ["Submitted"], "form": {{{form}}},
             "reminders": {"before": [0], "after": {"everyDays": 0, "times": 1}, "sendAt": "9am"}}
            """,
            Workflows.Connect("start", "report"));
        Assert.Contains(texts, t => t.StartsWith("字段“note”：最多字数须大于零（现为 0）", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("字段“note”：格式（正则表达式）无效：", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("字段“report”：允许的文件类型中“pdf”不是 MIME 类型", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("字段“operator”：选择题需要选项", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("字段“rating”：选项“A”列了两次", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("字段“number”：“勾选时必填”指向的“note”不是同一表单里的勾选框", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("“截止前”的天数须是正整数（现为 0）", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("“逾期后”的间隔天数须不少于 1", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("发送时间须写成 HH:mm（现为“9am”）", StringComparison.Ordinal));
    }

    [Fact]
    public void A_SetVariable_box_names_the_variable_it_sets()
    {
        var definition = ElsaJson.Read(Workflows.Flowchart(Unique.Id("setvar"), $$"""
            {{Workflows.Start()}},
            {"id": "keep", "type": "Elsa.SetVariable", "variable": {"id": "v1", "name": "trainees"}, "value": {"typeName": "Object", "expression": {"type": "Literal", "value": 3} } },
            {"id": "by-id", "type": "Elsa.SetVariable", "variable": {"id": "fee"} },
            {"id": "named", "type": "Elsa.SetVariable", "name": "记下人数", "variable": {"id": "v1", "name": "trainees"} }
            """, Workflows.Connect("start", "keep")));
        var nodes = definition.Root.Activities!.ToDictionary(a => a.Id);
        Assert.Equal("设置变量：trainees", Manyi.Web.Features.WorkflowInstances.ActivityTree.ShownName(nodes["keep"]));
        Assert.Equal("设置变量：fee", Manyi.Web.Features.WorkflowInstances.ActivityTree.ShownName(nodes["by-id"]));
        Assert.Equal("记下人数", Manyi.Web.Features.WorkflowInstances.ActivityTree.ShownName(nodes["named"]));
    }

    [Fact]
    public async Task A_Liquid_parse_error_reads_Chinese_first_naming_its_line_and_column()
    {
        var texts = await ProblemsAsync(
            $$"""
            {{Workflows.Start()}},
            {{Workflows.WriteLine("unclosed", "第一行\\n{{ b.c[ }}", "Liquid")}},
            {{Workflows.WriteLine("unknown", "{% iff a %}{% endif %}", "Liquid")}},
            {{Workflows.WriteLine("pipe", "{{ a | }}", "Liquid")}}
            """,
            $"""{Workflows.Connect("start", "unclosed")}, {Workflows.Connect("unclosed", "unknown")}, {Workflows.Connect("unknown", "pipe")}""");
        Assert.Contains(texts, t => t.StartsWith("Liquid 模板第 2 行第 7 列有语法错误：缺少结束标记 }}。 Liquid does not parse:", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("Liquid 模板第 1 行第 7 列有语法错误：不认识的标签“iff”。", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("Liquid 模板第 1 行第 7 列有语法错误：“|”后面缺少过滤器名。", StringComparison.Ordinal));
    }

    [Fact]
    public void A_shape_not_known_here_stays_English_and_a_message_already_in_both_languages_is_left_as_it_is()
    {
        Assert.Null(ProblemText.Chinese("something nobody has said before"));
        Assert.Equal("something nobody has said before", ProblemText.Of("something nobody has said before"));
        const string both = "'days' 只能是 \"working\"（工作日）或 \"calendar\"（自然日）。'days' must be \"working\" or \"calendar\" (got 'x')";
        Assert.Equal(both, ProblemText.Of(both));
    }
}
