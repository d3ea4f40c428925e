using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Activities.Waiting;

/// <summary>
/// An activity that waits for something (an event, a task) and may have a deadline: when the deadline passes it
/// ends with <see cref="Overdue"/> or stays open flagged overdue, as the workflow chooses; meanwhile a reminder
/// ladder e-mails the people concerned on working days. The deadline and the next reminder are timer bookmarks of
/// the activity, so they go when it completes.
/// </summary>
public abstract class WaitingActivity : Activity
{
    public const string Overdue = "Overdue";
    public const string DeadlineBookmark = "Manyi.Deadline";
    public const string ReminderBookmark = "Manyi.Reminder";

    [Input(Description = "The deadline: an instant with its offset, {\"at\"}, {\"after\", \"offset\"} or {\"workingDaysAfter\", \"days\", \"time\"}.")]
    public Input<JsonNode?> Deadline { get; set; } = new((JsonNode?)null);

    [Input(Description = "When the deadline passes: Outcome ends the activity with Overdue; Flag keeps it open, flagged overdue.", Options = ["Outcome", "Flag"])]
    public Input<string> DeadlineBehaviour { get; set; } = new("Outcome");

    [Input(Description = "The reminder ladder: days before, at the deadline, repeating after it, escalation.")]
    public ReminderLadder? Reminders { get; set; }

    [Input(Description = "Who gets reminders (e-mail addresses); empty: a task reminds the people it is assigned to, any other activity sends no reminder e-mail.")]
    public Input<string[]> RemindTo { get; set; } = new([]);

    [Input(Description = "Administrators who get the escalation (e-mail addresses); empty: no escalation e-mail.")]
    public Input<string[]> EscalateTo { get; set; } = new([]);

    [Input(Description = "The short name of the thing awaited, e.g. 培训人数报送 Headcount report: a task's name in the inbox, and what the reminders call it; empty: the activity's display name.")]
    public Input<string> Title { get; set; } = new("");

    /// <summary>The bookmarks of what the activity waits for (one each, for a task fanned out to several organizations), knowing the deadline.</summary>
    protected abstract ValueTask<IReadOnlyList<BookmarkRequest>> WaitAsync(ActivityContext context, DateTimeOffset? deadline);

    /// <summary>The campaign stage (a code) the awaited thing belongs to, if any: reminders carry it, so that e-mails can name the stage.</summary>
    protected virtual ValueTask<string?> StageAsync(ActivityContext context) => ValueTask.FromResult<string?>(null);

    /// <summary>What the activity waits for arrived.</summary>
    protected abstract ValueTask<ActivityStep> ReceivedAsync(ActivityContext context, ResumeContext resume);

    /// <summary>The stimulus that started this run here, if any: nothing to wait for then.</summary>
    protected virtual ActivityStep? StartedByTrigger(ActivityContext context, Stimulus trigger) => null;

    public sealed override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggeringStimulus is { } trigger && StartedByTrigger(context, trigger) is { } started) return started;
        var deadline = await ResolveDeadlineAsync(context);
        var waits = await WaitAsync(context, deadline);
        if (waits.Count == 0) return ActivityStep.Done;
        return deadline is null ? ActivityStep.Suspend(waits) : ActivityStep.Suspend([.. waits, .. Timers(context, deadline.Value)]);
    }

    public sealed override async ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume)
    {
        switch (resume.Bookmark.Name)
        {
            case DeadlineBookmark:
                context.SetOutput("Overdue", true);
                var ends = !string.Equals(await context.EvaluateAsync(DeadlineBehaviour), "Flag", StringComparison.OrdinalIgnoreCase);
                OnDeadlinePassed(context, ends);
                if (ends) return ActivityStep.CompleteWith(Overdue);
                context.Log(JournalKeys.DeadlinePassed, []);
                return ActivityStep.KeepWaiting;
            case ReminderBookmark:
                await RemindAsync(context, resume.Bookmark.Payload!);
                return NextReminder(context, resume.Bookmark.Payload!) is { } next ? ActivityStep.Suspend(next) : ActivityStep.KeepWaiting;
            default:
                return await ReceivedAsync(context, resume);
        }
    }

    /// <summary>The deadline passed: the activity is about to end with Overdue (<paramref name="ends"/>) or stays open flagged.</summary>
    protected virtual void OnDeadlinePassed(ActivityContext context, bool ends)
    {
    }

    /// <summary>An administrator moved the deadline; the timers have been replaced already.</summary>
    public virtual void OnDeadlineMoved(ActivityContext context, DateTimeOffset deadline)
    {
    }

    /// <summary>Who gets a reminder step: <see cref="RemindTo"/>, or <see cref="EscalateTo"/> for the escalation.</summary>
    /// A role or a user named in them is looked up now (<see cref="ITaskDirectory.AddressesAsync"/>): whoever holds it when the step is sent.
    protected virtual async ValueTask<string[]> RecipientsAsync(ActivityContext context, ReminderKind kind)
    {
        var named = (kind == ReminderKind.Escalation ? await context.EvaluateAsync(EscalateTo) : await context.EvaluateAsync(RemindTo)) ?? [];
        named = [.. named.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim())];
        if (!named.Any(Recipients.IsReference)) return named;
        var addresses = await context.Services.GetRequiredService<ITaskDirectory>().AddressesAsync(named, context.CancellationToken);
        return [.. addresses.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The open tasks a reminder is about, for the chat robots (their organizations and links); none by default.</summary>
    protected virtual IReadOnlyList<string> RobotTaskIds(ActivityContext context) => [];

    /// <summary>The deadline this activity is waiting with, if any.</summary>
    protected static DateTimeOffset? CurrentDeadline(ActivityContext context) =>
        context.Instance.Bookmarks.FirstOrDefault(b => b.ActivityId == context.Node.Id && b.Name == DeadlineBookmark)?.ResumeAt;

    /// <summary>
    /// The deadline this activity sets when it starts waiting, in the instance it runs in: its <see cref="Deadline"/>
    /// evaluated and resolved on the business calendar; null when it has none. Throws <see cref="ExpressionException"/>
    /// or <see cref="FormatException"/> when the expression fails or gives no deadline.
    /// </summary>
    public async ValueTask<DateTimeOffset?> ResolveDeadlineAsync(ActivityContext context)
    {
        var deadlineSpec = await context.EvaluateAsync(Deadline);
        var anchors = new DueDateAnchors(context.Instance.CreatedAt, context.Instance.State.Input.GetValueOrDefault("campaign"));
        return deadlineSpec is null ? null : DueDate.Resolve(deadlineSpec, context.Services.GetRequiredService<BusinessCalendar>(), anchors);
    }

    /// <summary>The steps the ladder in force sends for a deadline after <paramref name="after"/>, on working days; none without a ladder.</summary>
    public IReadOnlyList<ReminderStep> ReminderSchedule(ActivityContext context, DateTimeOffset deadline, DateTimeOffset after) =>
        LadderOf(context)?.Schedule(deadline, after, context.Services.GetRequiredService<BusinessCalendar>()) ?? [];

    /// <summary>Every step of the ladder in force for a deadline, the moved and merged ones too (<see cref="ReminderLadder.Steps"/>); none without a ladder.</summary>
    public IReadOnlyList<ReminderStep> ReminderSteps(ActivityContext context, DateTimeOffset deadline) =>
        LadderOf(context)?.Steps(deadline, context.Services.GetRequiredService<BusinessCalendar>()) ?? [];

    /// <summary>The deadline and reminder bookmarks for a (new) deadline; used when it is first set and when it moves.</summary>
    public IReadOnlyList<BookmarkRequest> Timers(ActivityContext context, DateTimeOffset deadline)
    {
        var payload = new JsonObject { ["deadline"] = deadline.ToString("O", CultureInfo.InvariantCulture) };
        var timers = new List<BookmarkRequest> { new(DeadlineBookmark, null, payload, deadline.ToUniversalTime()) };
        if (NextReminder(context, payload) is { } reminder) timers.Add(reminder);
        return timers;
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        foreach (var problem in Reminders?.Problems() ?? [])
            yield return new InputProblem("reminders", problem);
        foreach (var (name, input) in new[] { ("remindTo", RemindTo), ("escalateTo", EscalateTo) })
            if (input.Expression is { Type: Expression.Literal, Value: System.Text.Json.Nodes.JsonArray entries })
                foreach (var entry in entries.Select(e => e is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>())
                    if (entry.Trim().Length > 0 && Recipients.Problem(entry) is { } problem)
                        yield return new InputProblem(name, problem);
        if (Deadline.Expression.Type == Expression.Literal && Deadline.Expression.Value is { } spec)
        {
            string? problem = null;
            try
            {
                // Literal deadlines in working days need no data to be checked against "now"; one counted from the
                // workflow's start or a campaign setting is known only when it runs, so only its shape is checked.
                // (Compiling passes no clock, DateTimeOffset.MinValue: the anchors then stand at the earliest instant allowed.)
                var deadline = DueDate.Resolve(spec, new BusinessCalendar([]), DueDateAnchors.Checking(now < DueDate.Earliest ? DueDate.Earliest : now));
                if (deadline <= now && !DueDate.IsAnchored(spec)) problem = $"{deadline:yyyy-MM-dd HH:mm zzz} has already passed";
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
            }
            if (problem is not null) yield return new InputProblem("deadline", problem);
        }
    }

    /// <summary>The ladder in force for this instance: an administrator's replacement, else the definition's.</summary>
    private ReminderLadder? LadderOf(ActivityContext context) =>
        context.Instance.State.ReminderLadders.TryGetValue(context.Node.Id, out var replaced) ? replaced : Reminders;

    /// <summary>
    /// The reminder bookmark for the current deadline under the ladder now in force (after the ladder changed), or
    /// none: the deadline passed, or the ladder has no step left.
    /// </summary>
    public BookmarkRequest? ReminderFor(ActivityContext context, DateTimeOffset deadline) =>
        NextReminder(context, new JsonObject { ["deadline"] = deadline.ToString("O", CultureInfo.InvariantCulture) });

    /// <summary>The first ladder step after now, as a bookmark carrying the deadline it belongs to.</summary>
    private BookmarkRequest? NextReminder(ActivityContext context, JsonObject payload)
    {
        var deadline = DateTimeOffset.Parse((string)payload["deadline"]!, CultureInfo.InvariantCulture);
        var step = ReminderSchedule(context, deadline, context.Now).FirstOrDefault();
        return step is null ? null : new BookmarkRequest(ReminderBookmark, null,
            new JsonObject { ["deadline"] = payload["deadline"]!.DeepClone(), ["step"] = step.Label, ["kind"] = step.Kind.ToString() },
            step.At.ToUniversalTime());
    }

    /// <summary>
    /// Sends one ladder step. Its outbox key names the instance, the activity, the deadline and the step, so the same
    /// step is never sent twice, while a moved deadline gets its own reminders.
    /// </summary>
    private async Task RemindAsync(ActivityContext context, JsonObject payload)
    {
        var kind = Enum.Parse<ReminderKind>((string)payload["kind"]!);
        var to = await RecipientsAsync(context, kind);
        var calendar = context.Services.GetRequiredService<BusinessCalendar>();
        var deadline = DateTimeOffset.Parse((string)payload["deadline"]!, CultureInfo.InvariantCulture);
        var today = DateOnly.FromDateTime(calendar.ToLocal(context.Now).DateTime);
        var model = new JsonObject
        {
            ["title"] = await context.EvaluateAsync(Title) is { Length: > 0 } title ? title : context.Node.DisplayName,
            ["deadline"] = calendar.ToLocal(deadline).ToString("O", CultureInfo.InvariantCulture),
            ["daysLeft"] = DateOnly.FromDateTime(calendar.ToLocal(deadline).DateTime).DayNumber - today.DayNumber,
            // Overdue steps and the escalation go out after the deadline: their text must say it passed, not "later today".
            ["passed"] = context.Now >= deadline,
            ["step"] = payload["step"]!.DeepClone(),
            ["workflowInstanceId"] = context.Instance.Id,
            ["correlationId"] = context.Instance.CorrelationId,
            ["stage"] = await StageAsync(context),
        };
        var templateKind = kind.Name();
        var key = $"{context.Instance.Id}:{context.Node.Id}:{deadline.ToUnixTimeSeconds()}:{(string?)payload["step"]}";
        // The group robots hear of the step even when nobody has a mailbox for it.
        await context.NotifyRobotsAsync(new RobotNotice(key, templateKind, model) { TaskIds = RobotTaskIds(context) });
        if (to is not { Length: > 0 })
        {
            context.Log(JournalKeys.ReminderUnsent, new JsonObject { ["step"] = payload["step"]?.DeepClone() });
            return;
        }
        var rendered = await context.Services.GetRequiredService<IEmailTemplates>().RenderAsync(templateKind, model, context.CancellationToken);
        context.SendEmail(new OutgoingEmail(key, templateKind, to, rendered.Subject, rendered.TextBody, rendered.HtmlBody));
        context.Log(JournalKeys.ReminderSent, new JsonObject { ["step"] = payload["step"]?.DeepClone(), ["to"] = new JsonArray([.. to.Select(a => (JsonNode)a)]) });
    }
}
