using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Activities.Tasks;

/// <summary>
/// Asks people to do something: opens a human task for a user, a role or an organization — one task per organization
/// when given several — with a form and the outcomes they may choose, and waits. Completing a task resumes the
/// workflow with the form's data. With one task the activity ends with the outcome chosen; fanned out, it ends once
/// every task is completed, with each outcome that was chosen, and its <c>Results</c> output holds each organization's
/// answer. The deadline, the reminder ladder (sent to the tasks' current assignees unless <c>remindTo</c> says
/// otherwise) and the deadline behaviour come from <see cref="WaitingActivity"/>.
/// </summary>
[Activity("Manyi.UserTask", "Tasks", "Opens a human task (a form, outcomes, a due date and reminders) for a user, a role or each of several organizations, and waits until it is completed.",
    Outcomes = [], Outputs = ["Results", OrganizationProgress.Output, "Outcome", "Data", "Labels", "Overdue"])]
public sealed class UserTask : WaitingActivity
{
    [Input(Description = "What the person is asked to do, shown on the task page (Liquid allowed), e.g. upload the corrective-action report as a PDF and say what was done.")]
    public Input<string> Description { get; set; } = new("");

    [Input(Description = "The campaign stage, e.g. headcount; the task inbox filters by it.")]
    public Input<string> Stage { get; set; } = new("");

    [Input(Description = "A user (id or e-mail) who is to do the task.")]
    public Input<string> Assignee { get; set; } = new("");

    [Input(Description = "A role whose members may do the task: Administrator, Reviewer or Participant.", Options = ["", "Administrator", "Reviewer", "Participant"])]
    public Input<string> Role { get; set; } = new("");

    [Input(Description = "Organizations (ids) whose participants do the task: one task each.")]
    public Input<string[]> Organizations { get; set; } = new([]);

    [Input(Description = "The outcomes a person may choose when completing the task, e.g. Submitted, Approved, Returned; each is a port.")]
    public List<string> Outcomes { get; set; } = [Done];

    [Input(Description = "The form: typed fields the person fills in, checked by the server on completion.")]
    public JsonNode? Form { get; set; }

    public override IReadOnlyList<string> GetOutcomes() => [.. Outcomes, Overdue];

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        foreach (var problem in base.CheckInputs(now)) yield return problem;
        if (Outcomes.Count == 0) yield return new InputProblem("outcomes", "at least one outcome is needed, e.g. Done or Submitted");
        foreach (var outcome in Outcomes.Where(o => string.IsNullOrWhiteSpace(o) || o == Overdue))
            yield return new InputProblem("outcomes", $"'{outcome}' cannot be a task outcome");
        foreach (var duplicate in Outcomes.GroupBy(o => o).Where(g => g.Count() > 1))
            yield return new InputProblem("outcomes", $"'{duplicate.Key}' is listed twice");
        IEnumerable<string> formProblems;
        try
        {
            formProblems = FormDefinition.Parse(Form).Problems().ToList();
        }
        catch (FormatException ex)
        {
            formProblems = [ex.Message];
        }
        foreach (var problem in formProblems) yield return new InputProblem("form", problem);
    }

    protected override async ValueTask<string?> StageAsync(ActivityContext context) => NullIfEmpty(await context.EvaluateAsync(Stage));

    protected override async ValueTask<IReadOnlyList<BookmarkRequest>> WaitAsync(ActivityContext context, DateTimeOffset? deadline)
    {
        var assignee = NullIfEmpty(await context.EvaluateAsync(Assignee));
        var role = NullIfEmpty(await context.EvaluateAsync(Role));
        string?[] organizations = await context.EvaluateAsync(Organizations) is { Length: > 0 } list ? [.. list.Distinct()] : [null];
        if (assignee is null && role is null && organizations is [null])
            throw new InvalidOperationException("The task has nobody to do it: set an assignee, a role or organizations.");

        var title = await context.EvaluateAsync(Title) is { Length: > 0 } given ? given : context.Node.DisplayName;
        var description = NullIfEmpty(await context.EvaluateAsync(Description));
        var stage = NullIfEmpty(await context.EvaluateAsync(Stage));
        var form = FormWithInputs(context);
        var waits = new List<BookmarkRequest>();
        foreach (var organization in organizations)
        {
            var task = new HumanTask(Guid.NewGuid().ToString("N"), context.Node.Id, title, new TaskAssignment(assignee, role, organization), Outcomes, context.Now)
            {
                Stage = stage,
                Description = description,
                Form = form?.DeepClone(),
                DueAt = deadline,
            };
            context.OpenTask(task);
            waits.Add(new BookmarkRequest(HumanTask.BookmarkName, task.Id, new JsonObject { ["organization"] = organization }));
        }
        if (organizations is not [null])
        {
            var ids = organizations.OfType<string>().ToList();
            var names = await context.Services.GetRequiredService<ITaskDirectory>().OrganizationNamesAsync(ids, context.CancellationToken);
            OrganizationProgress.Start(context, ids, names);
        }
        context.Log(JournalKeys.TasksOpened, new JsonObject { ["count"] = waits.Count, ["title"] = title });
        return waits;
    }

    /// <summary>
    /// The form as the task stores it: a rule that reads a campaign setting (<c>{"input": "campaign.surveyNotBefore"}</c>)
    /// gets that setting's value now, so that the task's form is complete by itself.
    /// </summary>
    private JsonNode? FormWithInputs(ActivityContext context)
    {
        if (Form is null) return null;
        var form = FormDefinition.Parse(Form);
        if (!form.ReadsInputs) return Form;
        return form.WithInputs(path =>
        {
            var parts = path.Split('.');
            var node = context.GetInput(parts[0]);
            foreach (var part in parts.Skip(1)) node = (node as JsonObject)?[part];
            return node;
        }).ToJson();
    }

    protected override async ValueTask<ActivityStep> ReceivedAsync(ActivityContext context, ResumeContext resume)
    {
        // The time of receipt counts: a completion that arrives at or after the deadline is late, even if the
        // deadline's own timer has not run yet. With the Outcome behaviour it ends the activity as Overdue.
        if (!IsCancellation(resume.Stimulus) && CurrentDeadline(context) is { } due && context.Now >= due
            && !string.Equals(await context.EvaluateAsync(DeadlineBehaviour), "Flag", StringComparison.OrdinalIgnoreCase))
        {
            context.SetOutput("Overdue", true);
            context.Log(JournalKeys.TaskRefusedLate, new JsonObject
            {
                ["at"] = context.Now.ToString("O", CultureInfo.InvariantCulture), ["deadline"] = due.ToString("O", CultureInfo.InvariantCulture),
                ["organization"] = OrganizationOf(context, resume.Bookmark),
            });
            OnDeadlinePassed(context, ends: true);
            context.ChangeTask(new TaskChange.Closed(resume.Bookmark.Key!, HumanTaskStatus.Expired, context.Now));
            return ActivityStep.CompleteWith(Overdue);
        }
        return Receive(context, resume);
    }

    private ActivityStep Receive(ActivityContext context, ResumeContext resume)
    {
        var taskId = resume.Bookmark.Key!;
        var input = resume.Stimulus.Input;
        var by = new TaskActor((string?)input.GetValueOrDefault("userId") ?? "", (string?)input.GetValueOrDefault("userName") ?? "");
        if (IsCancellation(resume.Stimulus))
        {
            context.ChangeTask(new TaskChange.Closed(taskId, HumanTaskStatus.Cancelled, context.Now, By: by));
            if ((string?)resume.Bookmark.Payload?["organization"] is { } cancelled) OrganizationProgress.CancelledFor(context, cancelled);
            context.Log(JournalKeys.TaskCancelled, new JsonObject
            {
                ["by"] = by.Name, ["reason"] = (string?)input.GetValueOrDefault("reason"), ["organization"] = OrganizationOf(context, resume.Bookmark),
            });
            return AfterTask(context);
        }
        var outcome = (string?)input.GetValueOrDefault("outcome");
        if (outcome is null || !Outcomes.Contains(outcome))
            throw new InvalidOperationException($"Task {taskId} was completed with outcome '{outcome}', which is not one of {string.Join(", ", Outcomes)}.");
        var data = input.GetValueOrDefault("data") as JsonObject ?? [];
        context.ChangeTask(new TaskChange.Closed(taskId, HumanTaskStatus.Completed, context.Now, outcome, by, (JsonObject)data.DeepClone()));

        var organization = (string?)resume.Bookmark.Payload?["organization"];
        var results = context.OutputsOf(context.Node.Id)?.GetValueOrDefault("Results") as JsonObject ?? [];
        results[organization ?? taskId] = new JsonObject
        {
            ["taskId"] = taskId,
            ["organizationName"] = organization is null ? null : OrganizationProgress.NameOf(context, organization),
            ["outcome"] = outcome,
            ["data"] = data.DeepClone(),
            ["completedBy"] = by.Name,
            ["completedAt"] = context.Now,
        };
        if (organization is not null) OrganizationProgress.Completed(context, organization);
        context.SetOutput("Results", results.DeepClone());
        context.SetOutput("Outcome", outcome);
        context.SetOutput("Data", data.DeepClone());
        context.SetOutput("Labels", ChosenLabels(data));
        context.Log(JournalKeys.TaskCompleted, new JsonObject
        {
            ["outcome"] = outcome, ["by"] = by.Name, ["organization"] = organization is null ? null : OrganizationProgress.NameOf(context, organization),
        });
        return AfterTask(context);
    }

    /// <summary>
    /// What a person reads of each choice made: per choice field, the chosen options' labels in Chinese (<c>zh</c>) and
    /// English (<c>en</c>), so that a message names 申报表, never <c>applicationForm</c>.
    /// </summary>
    private JsonObject ChosenLabels(JsonObject data)
    {
        var labels = new JsonObject();
        foreach (var field in FormDefinition.Parse(Form).Fields.Where(f => f.Type == FormFieldType.Choice))
        {
            var chosen = data[field.Name] switch
            {
                JsonArray values => values.Select(v => v?.ToString()),
                JsonValue value => [value.ToString()],
                _ => [],
            };
            var options = chosen.Select(v => field.Options.FirstOrDefault(o => o.Value == v)).OfType<FormOption>().ToList();
            labels[field.Name] = new JsonObject
            {
                ["zh"] = new JsonArray([.. options.Select(o => (JsonNode)JsonValue.Create(o.Label))]),
                ["en"] = new JsonArray([.. options.Select(o => (JsonNode)JsonValue.Create(o.LabelEn ?? o.Label))]),
            };
        }
        return labels;
    }

    private static bool IsCancellation(Stimulus stimulus) =>
        stimulus.Input.GetValueOrDefault("cancel") is JsonValue cancel && cancel.TryGetValue<bool>(out var cancelled) && cancelled;

    /// <summary>Waits while tasks are open; then ends with every outcome chosen, or ends the branch when every task was cancelled.</summary>
    private static ActivityStep AfterTask(ActivityContext context)
    {
        if (OpenTaskBookmarks(context).Any()) return ActivityStep.KeepWaiting;
        var results = context.OutputsOf(context.Node.Id)?.GetValueOrDefault("Results") as JsonObject ?? [];
        return results.Count == 0
            ? ActivityStep.Ended
            : ActivityStep.CompleteWith([.. results.Select(r => (string)r.Value!["outcome"]!).Distinct()]);
    }

    protected override void OnDeadlinePassed(ActivityContext context, bool ends)
    {
        OrganizationProgress.DeadlinePassed(context);
        foreach (var bookmark in OpenTaskBookmarks(context))
            context.ChangeTask(ends
                ? new TaskChange.Closed(bookmark.Key!, HumanTaskStatus.Expired, context.Now)
                : new TaskChange.FlaggedOverdue(bookmark.Key!));
    }

    public override void OnDeadlineMoved(ActivityContext context, DateTimeOffset deadline)
    {
        OrganizationProgress.DeadlineMoved(context);
        foreach (var bookmark in OpenTaskBookmarks(context))
            context.ChangeTask(new TaskChange.Rescheduled(bookmark.Key!, deadline));
    }

    /// <summary>Reminders go to whoever the open tasks are assigned to now, unless the workflow names recipients itself.</summary>
    protected override async ValueTask<string[]> RecipientsAsync(ActivityContext context, Calendar.ReminderKind kind)
    {
        var named = await base.RecipientsAsync(context, kind);
        if (named.Length > 0 || kind == Calendar.ReminderKind.Escalation) return named;
        var taskIds = OpenTaskBookmarks(context).Select(b => b.Key!).ToList();
        if (taskIds.Count == 0) return [];
        var directory = context.Services.GetRequiredService<ITaskDirectory>();
        return [.. await directory.ReminderRecipientsAsync(taskIds, context.CancellationToken)];
    }

    protected override IReadOnlyList<string> RobotTaskIds(ActivityContext context) => [.. OpenTaskBookmarks(context).Select(b => b.Key!)];

    private static IEnumerable<Bookmark> OpenTaskBookmarks(ActivityContext context) =>
        context.Instance.Bookmarks.Where(b => b.ActivityId == context.Node.Id && b.Name == HumanTask.BookmarkName);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The name of the organization a task's bookmark is for, as the activity keeps it; null for a task of no organization.</summary>
    private static string? OrganizationOf(ActivityContext context, Bookmark bookmark) =>
        (string?)bookmark.Payload?["organization"] is { } organization ? OrganizationProgress.NameOf(context, organization) : null;
}
