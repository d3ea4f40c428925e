using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using FormFile = Manyi.Engine.Forms.FormFile;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// Plays a year in a <see cref="RehearsalSandbox"/>: starts the campaign workflow with the settings, then moves the clock
/// from one due moment to the next — a timer's (deadlines, reminders, the training's end) or a person's, as the cast has
/// them act (<see cref="IRehearsalCast"/>, by default the scenario's <see cref="ScenarioCast"/>) — firing the timers through
/// the runtime's one entry point and completing tasks with the stimulus the task API sends, after the same form validation.
/// Nothing here knows a stage: who acts when comes from the task (its organization, its deadline) and the cast.
/// </summary>
public sealed class RehearsalYear(RehearsalSandbox sandbox, BusinessCalendar calendar, JsonObject settings, RehearsalPlan plan, List<RehearsalFinding> findings,
    IRehearsalCast? cast = null, Func<CancellationToken, Task>? observe = null)
{
    private const int MaxSteps = 50_000;
    private static readonly TaskActor Actor = new("rehearsal", "演练 Rehearsal");

    private readonly IRehearsalCast _cast = cast ?? new ScenarioCast(plan, calendar);
    private readonly List<(string TaskId, RehearsalMove Move)> _moves = [];
    private readonly HashSet<string> _planned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fired = new(StringComparer.Ordinal);
    private readonly HashSet<DateTimeOffset> _observed = [];
    private readonly HashSet<string> _returned = new(StringComparer.Ordinal);
    private readonly RehearsalAnswers _answers = new(settings);

    private VirtualClock Clock => sandbox.Clock;

    /// <summary>Plays the year until nothing is left to happen or <paramref name="until"/>; a failure of the engine stops it as a finding.</summary>
    public async Task PlayAsync(IReadOnlyList<string> organizations, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            await using (var scope = sandbox.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().StartAsync(RehearsalService.CampaignDefinitionId, new StartOptions
                {
                    CorrelationId = $"campaign-{settings["year"]}",
                    Input = new Dictionary<string, JsonNode?>
                    {
                        ["campaign"] = settings.DeepClone(),
                        ["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o)]),
                    },
                }, cancellationToken);
            for (var step = 0; step < MaxSteps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await PlanNewTasksAsync(cancellationToken);
                var timer = await NextTimerAsync(cancellationToken);
                var act = _moves.Count == 0 ? (DateTimeOffset?)null : _moves.Min(m => m.Move.At);
                var next = (timer?.ResumeAt, act) switch
                {
                    (null, null) => (DateTimeOffset?)null,
                    ({ } t, null) => t,
                    (null, { } a) => a,
                    ({ } t, { } a) => t <= a ? t : a,
                };
                if (next is null) return;
                if (next > until)
                {
                    findings.Add(RehearsalFinding.Warning(null, $"演练在 {Dates.Beijing(until)} 停止：之后仍有任务或定时未到。",
                        $"The rehearsal stopped at {Dates.Beijing(until)} with tasks or timers still ahead."));
                    return;
                }
                Clock.MoveTo(next.Value);
                if (timer is not null && timer.ResumeAt <= next) await FireAsync(timer, cancellationToken);
                else await ActAsync(cancellationToken);
            }
            findings.Add(RehearsalFinding.Error(null, $"演练在 {MaxSteps} 步后停止：流程似乎在循环。", $"The rehearsal stopped after {MaxSteps} steps: a workflow seems to loop."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            findings.Add(RehearsalFinding.Error(null, $"演练在 {Dates.Beijing(Clock.GetUtcNow())} 停止：{ex.Message}",
                $"The rehearsal stopped at {Dates.Beijing(Clock.GetUtcNow())}: {ex.Message}"));
        }
    }

    /// <summary>The earliest timer not yet fired; a timer fired that is still there would fire forever, so it is fired once.</summary>
    private async Task<BookmarkRecord?> NextTimerAsync(CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var due = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Bookmarks.AsNoTracking()
            .Where(b => b.ResumeAt != null).OrderBy(b => b.ResumeAt).ThenBy(b => b.Id).Take(_fired.Count + 1).ToListAsync(cancellationToken);
        return due.FirstOrDefault(b => !_fired.Contains(b.Id));
    }

    private async Task FireAsync(BookmarkRecord timer, CancellationToken cancellationToken)
    {
        _fired.Add(timer.Id);
        await using var scope = sandbox.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus(timer.Name, timer.Key) { BookmarkId = timer.Id, WorkflowInstanceId = timer.InstanceId }, cancellationToken);
    }

    /// <summary>Asks the cast what happens to each task that opened since the last look, and when.</summary>
    private async Task PlanNewTasksAsync(CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var open = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
            .Where(t => t.Status == HumanTaskStatus.Open)
            .Select(t => new RehearsalTask(t.Id, t.OrganizationId, t.Stage, t.CreatedAt, t.DueAt)).ToListAsync(cancellationToken);
        foreach (var task in open.Where(t => _planned.Add(t.Id)))
            _moves.AddRange(_cast.MovesFor(task).Select(m => (task.Id, m)));
    }

    /// <summary>Makes every move whose moment has come, in the order of those moments; one look per moment, however many tasks asked for it.</summary>
    private async Task ActAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        var due = _moves.Where(m => m.Move.At <= now).OrderBy(m => m.Move.At).ThenBy(m => m.Move.Kind).ThenBy(m => m.TaskId, StringComparer.Ordinal).ToList();
        _moves.RemoveAll(m => m.Move.At <= now);
        foreach (var (taskId, move) in due)
            switch (move.Kind)
            {
                case RehearsalMoveKind.Complete:
                    await CompleteAsync(taskId, cancellationToken);
                    break;
                case RehearsalMoveKind.SaveDraft:
                    await SaveDraftAsync(taskId, cancellationToken);
                    break;
                case RehearsalMoveKind.Observe when observe is not null && _observed.Add(move.At):
                    await observe(cancellationToken);
                    break;
            }
    }

    /// <summary>A draft saved to a task still open, as the task page saves one (its content does not matter to the year, only that there is one).</summary>
    private async Task SaveDraftAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        if (!await db.Tasks.AnyAsync(t => t.Id == taskId && t.Status == HumanTaskStatus.Open, cancellationToken)) return;
        var draft = await db.TaskDrafts.FirstOrDefaultAsync(d => d.TaskId == taskId, cancellationToken);
        if (draft is null) db.TaskDrafts.Add(draft = new TaskDraftRecord { TaskId = taskId, Data = "{}", SavedByUserId = Actor.UserId });
        draft.SavedAt = Clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task CompleteAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var scope = sandbox.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var task = await db.Tasks.AsNoTracking().FirstAsync(t => t.Id == taskId, cancellationToken);
        // Closed meanwhile (a deadline that closes the task came first): the organization was too late, as the scenario said.
        if (task.Status != HumanTaskStatus.Open) return;

        var organization = task.OrganizationId ?? await OrganizationOfAsync(db, task.InstanceId, cancellationToken);
        var outcomes = JsonSerializer.Deserialize<List<string>>(task.Outcomes) ?? ["Done"];
        // The package is returned at the first task that can return it; the organization's own tasks cannot.
        var returning = organization is not null && organization == plan.Returned && outcomes.Contains(RehearsalAnswers.Returned) && _returned.Add(organization);
        var outcome = RehearsalAnswers.Outcome(outcomes, returning);
        var form = FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form));
        var files = new Dictionary<string, FormFile>(StringComparer.Ordinal);
        var data = _answers.Data(form, outcome, plan.PositionOf(organization), field =>
        {
            var file = new StoredFileRecord
            {
                Id = Guid.NewGuid().ToString("N"), TaskId = task.Id, OrganizationId = task.OrganizationId, FileName = $"{field.Name}.pdf",
                ContentType = field.AllowedTypes.FirstOrDefault() ?? "application/pdf", Size = 1024, Sha256 = new string('0', 64),
                StoragePath = $"rehearsal/{task.Id}/{field.Name}", UploadedByUserId = Actor.UserId, UploadedAt = Clock.GetUtcNow(),
            };
            db.Files.Add(file);
            files[file.Id] = new FormFile(file.Id, file.FileName, file.ContentType, file.Size);
            return file.Id;
        });
        await db.SaveChangesAsync(cancellationToken);
        var validation = FormValidator.Validate(form, data, files, outcome);
        if (!validation.IsValid)
        {
            var problems = string.Join(" ", validation.Errors.SelectMany(e => e.Value));
            findings.Add(RehearsalFinding.Error(null,
                $"演练无法完成任务「{task.Title}」（{plan.NameOf(organization)}）：{problems}",
                $"The rehearsal could not complete the task '{task.Title}' ({plan.NameOf(organization)}): {problems}"));
            return;
        }
        var result = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            HumanTask.Completion(task.Id, task.InstanceId, outcome, validation.Values, Actor), cancellationToken);
        if (result.Resumed.Count == 0)
            findings.Add(RehearsalFinding.Warning(null, $"任务「{task.Title}」（{plan.NameOf(organization)}）完成时流程已不再等待它。",
                $"The task '{task.Title}' ({plan.NameOf(organization)}) was completed after its workflow stopped waiting for it."));
    }

    /// <summary>The organization a task without one serves (the secretariat's check of a package): its workflow's correlation.</summary>
    private async Task<string?> OrganizationOfAsync(ManyiDbContext db, string instanceId, CancellationToken cancellationToken)
    {
        var correlation = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.CorrelationId).FirstOrDefaultAsync(cancellationToken);
        return correlation is not null && plan.Knows(correlation) ? correlation : null;
    }
}
