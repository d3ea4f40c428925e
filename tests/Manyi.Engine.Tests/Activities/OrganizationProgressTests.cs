using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Engine.Tests.Activities;

/// <summary>
/// Issue 21, item 5: a fanned-out task lists its organizations done, open and overdue by their catalogue names, and
/// Liquid reads activity outputs (<c>Outputs.{Activity}.{Output}</c>) as JavaScript does, so that "who did not submit"
/// is written without naming them.
/// </summary>
public sealed class OrganizationProgressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> Names = new()
    {
        ["mobile-zhengzhou"] = "郑州移动", ["unicom-kaifeng"] = "开封联通", ["telecom-jiyuan"] = "济源电信",
    };

    /// <summary>A task "Report" for three organizations; when the deadline passes, one Liquid and one JavaScript line list who has not submitted.</summary>
    private static WorkflowDefinition Report(string behaviour) => Doc.Flowchart(
        [
            Doc.Activity("start", "Elsa.Start"),
            Doc.Activity("report", "Manyi.UserTask",
                ("name", "Report"),
                ("title", Doc.Input("整改报告 Corrective report")),
                ("organizations", Doc.Input(new JsonArray("mobile-zhengzhou", "unicom-kaifeng", "telecom-jiyuan"), typeName: "String[]")),
                ("outcomes", new JsonArray("Submitted")),
                ("deadline", Doc.Input("2025-04-30T18:00:00+08:00", typeName: "Object")),
                ("deadlineBehaviour", Doc.Input(behaviour))),
            Doc.WriteLine("liquid", "已交：{{ Outputs.Report.Organizations.done | join: '、' }}；未交：{{ Outputs.Report.Organizations.overdue | join: '、' }}（{{ Outputs.Report.Organizations.overdue | size }} 家）", "Liquid"),
            Doc.WriteLine("js", "'未交 ' + getOrganizationsFromReport().overdue.join('、') + '; ' + getResultsFromReport()['mobile-zhengzhou'].organizationName", "JavaScript"),
        ],
        [Doc.Connection("start", "Done", "report"), Doc.Connection("report", "Overdue", "liquid"), Doc.Connection("liquid", "Done", "js")]);

    private static TestEngine Engine() =>
        new(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<ITaskDirectory>(new NamingDirectory())));

    private static Stimulus Submitted(WorkflowInstance instance, string taskId) =>
        HumanTask.Completion(taskId, instance.Id, "Submitted", [], new TaskActor("u1", "张三"));

    private static JsonNode Progress(WorkflowInstance instance) => instance.State.ActivityOutputs["report"]["Organizations"]!;

    private static string[] List(JsonNode progress, string state) => [.. progress[state]!.AsArray().Select(n => (string)n!)];

    [Fact]
    public async Task At_the_deadline_Liquid_and_JavaScript_list_who_submitted_and_who_did_not_by_name()
    {
        await using var engine = Engine();
        var definition = Report("Outcome");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        Assert.Equal(["郑州移动", "开封联通", "济源电信"], List(Progress(instance), "open"));
        Assert.Empty(List(Progress(instance), "done"));

        var tasks = engine.Store.Tasks.Values.ToDictionary(t => t.Task.Assignment.OrganizationId!, t => t.Task.Id);
        var waiting = (await engine.Runtime.SendStimulusAsync(Submitted(instance, tasks["mobile-zhengzhou"]), Ct)).Resumed.Single();
        Assert.Equal(["郑州移动"], List(Progress(waiting), "done"));
        Assert.Equal(["开封联通", "济源电信"], List(Progress(waiting), "open"));
        Assert.Equal("郑州移动", (string?)waiting.State.ActivityOutputs["report"]["Results"]!["mobile-zhengzhou"]!["organizationName"]);

        await engine.FireAsync(Assert.Single(waiting.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark));

        var ended = await engine.LoadAsync(instance.Id);
        Assert.Equal(WorkflowStatus.Finished, ended.Status);
        Assert.Equal(["开封联通", "济源电信"], List(Progress(ended), "overdue"));
        Assert.Empty(List(Progress(ended), "open"));
        Assert.Contains("liquid Message 已交：郑州移动；未交：开封联通、济源电信（2 家）", engine.Steps(instance.Id));
        Assert.Contains("js Message 未交 开封联通、济源电信; 郑州移动", engine.Steps(instance.Id));
    }

    [Fact]
    public async Task Flagged_overdue_organizations_are_open_again_when_the_deadline_moves_and_done_when_they_submit()
    {
        await using var engine = Engine();
        var definition = Report("Flag");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        var tasks = engine.Store.Tasks.Values.ToDictionary(t => t.Task.Assignment.OrganizationId!, t => t.Task.Id);

        await engine.FireAsync(Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark));
        var flagged = await engine.LoadAsync(instance.Id);
        Assert.Equal(["郑州移动", "开封联通", "济源电信"], List(Progress(flagged), "overdue"));

        await engine.Runtime.ExtendDeadlineAsync(instance.Id, "report", DateTimeOffset.Parse("2025-05-09T18:00:00+08:00"), "秘书处", "全省统一延期", Ct);
        var moved = await engine.LoadAsync(instance.Id);
        Assert.Equal(["郑州移动", "开封联通", "济源电信"], List(Progress(moved), "open"));
        Assert.Empty(List(Progress(moved), "overdue"));

        var submitted = (await engine.Runtime.SendStimulusAsync(Submitted(moved, tasks["unicom-kaifeng"]), Ct)).Resumed.Single();
        Assert.Equal(["开封联通"], List(Progress(submitted), "done"));
        Assert.Equal(["郑州移动", "济源电信"], List(Progress(submitted), "open"));
    }

    [Fact]
    public async Task An_organization_the_catalogue_does_not_know_keeps_its_id_the_only_name_there_is()
    {
        await using var engine = new TestEngine();
        var definition = Report("Outcome");
        await engine.PublishAsync(definition);
        var instance = await engine.StartAsync(definition);
        Assert.Equal(["mobile-zhengzhou", "unicom-kaifeng", "telecom-jiyuan"], List(Progress(instance), "open"));
    }

    private sealed class NamingDirectory : ITaskDirectory
    {
        public Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(organizationIds.Where(Names.ContainsKey).ToDictionary(id => id, id => Names[id]));
    }
}
