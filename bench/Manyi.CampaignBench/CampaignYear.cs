using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.CampaignBench;

/// <summary>
/// The 2025 campaign's year, played engine-level as CampaignSimulation plays it through the HTTP API: the same steps
/// on the same dates with the same form data, but tasks are found in the tasks table and completed by the stimulus
/// the task API sends (after the same form validation), each stage's tasks by a few parallel workers, each completion
/// in its own DI scope like a request. Timers fire as the fake clock reaches them, in due order; the timers due at
/// the same instant fire in parallel, as the scheduler's workers would fire them.
/// </summary>
public sealed class CampaignYear(IServiceProvider services, FakeTimeProvider clock, CampaignScript script, int workers, StoreTimings timings)
{
    public const string CampaignDefinitionId = "campaign";
    public const string ParticipantDefinitionId = "participant";

    private static readonly string[] SubmissionItems = ["applicationForm", "practiceReport", "selfEvaluation", "surveyReport", "integrityCommitment"];
    private static readonly Actor Secretariat = new("bench-secretariat", "秘书处 Secretariat");
    private static readonly Actor Reviewer = new("bench-reviewer", "评审专家");

    private readonly HashSet<string> _fired = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _organizationOfInstance;
    private int _tasksCompleted;
    private int _timersFired;
    private TimeSpan _timerTime;
    private int _timerCampaignBursts;
    private TimeSpan _timerCampaignBurstTime;

    public string CampaignInstanceId { get; private set; } = "";
    public int TasksCompleted => _tasksCompleted;
    public int TimersFired => _timersFired;

    /// <summary>
    /// Each step of the year with how many things it did, how long it took (the timers on the way are counted apart),
    /// and the campaign instance's bursts during it with their time from load to saved.
    /// </summary>
    public List<Step> Steps { get; } = [];

    /// <summary>The notice's completion: its burst dispatches one participant instance per organization, each started after the commit.</summary>
    public TimeSpan Dispatch { get; private set; }

    public Step Timers => new("timers fired while the clock moved on", _timersFired, _timerTime, _timerCampaignBursts, _timerCampaignBurstTime);

    public static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00", CultureInfo.InvariantCulture);

    public async Task RunAsync(JsonObject campaign, CancellationToken cancellationToken)
    {
        var organizations = script.Organizations;
        await StepAsync("start the campaign instance", 1, async () =>
        {
            // As POST /api/campaigns does: the settings and the organizations' ids as the campaign's input.
            await using var scope = services.CreateAsyncScope();
            var instance = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().StartAsync(CampaignDefinitionId, new StartOptions
            {
                CorrelationId = $"campaign-{campaign["year"]}",
                Input = new Dictionary<string, JsonNode?>
                {
                    ["campaign"] = campaign.DeepClone(),
                    ["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o)]),
                },
            }, cancellationToken);
            CampaignInstanceId = instance.Id;
        });

        // 21 April: the secretariat publishes the notice; the campaign e-mails every organization and dispatches their workflows.
        var dispatch = Stopwatch.StartNew();
        await StepAsync($"21 Apr notice: e-mail + dispatch {organizations.Count:N0} participant instances", 1, async () =>
        {
            var notice = Single(await OpenTasksAsync("notice", cancellationToken), "notice");
            await CompleteAsync(notice, "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" }, Secretariat, null, cancellationToken);
        });
        Dispatch = dispatch.Elapsed;

        await UntilAsync("2025-04-22T10:00:00", cancellationToken);
        var onTime = organizations.Where(o => !script.IsLateHeadcount(o)).ToList();
        await ParticipantsAsync("22 Apr headcount", "headcount", onTime, ReportHeadcountAsync, cancellationToken);
        await UntilAsync("2025-04-28T10:00:00", cancellationToken);
        await ParticipantsAsync("28 Apr sign-up", "signup", onTime, SignUpAsync, cancellationToken);

        // The late ones report on 6 May (after the deadline: flagged overdue, reminded, escalated) and sign up at once.
        await UntilAsync("2025-05-06T10:00:00", cancellationToken);
        var late = script.LateHeadcount.ToList();
        await ParticipantsAsync("6 May late headcount", "headcount", late, ReportHeadcountAsync, cancellationToken);
        await ParticipantsAsync("6 May late sign-up", "signup", late, SignUpAsync, cancellationToken);

        await UntilAsync("2025-05-20T10:00:00", cancellationToken);
        await ParticipantsAsync("20 May certificates", "certificate", organizations, (o, task, ct) => CompleteAsync(task, "Submitted", new JsonObject
        {
            ["holders"] = new JsonArray(new JsonObject
            {
                ["name"] = "张三", ["passed"] = !script.HasNoCertificate(o), ["number"] = script.HasNoCertificate(o) ? null : $"CACE-2025-{o}",
            }),
        }, Participant(o), null, ct), cancellationToken);

        await UntilAsync("2025-08-01T10:00:00", cancellationToken);
        await ParticipantsAsync("1 Aug surveys", "survey", [.. organizations.Where(o => !script.HasNoCertificate(o))], (o, task, ct) => CompleteAsync(task, "Submitted", new JsonObject
        {
            ["agency"] = "某第三方测评机构", ["standards"] = "T/CAICI 87-2024, T/CCSA 600-2024",
            ["periodStart"] = "2024-11-01", ["periodEnd"] = "2025-03-31", ["index"] = script.Index(o),
        }, Participant(o), null, ct), cancellationToken);

        await UntilAsync("2025-08-05T10:00:00", cancellationToken);
        var eligible = script.Eligible.ToList();
        await ParticipantsAsync("5 Aug basic conditions", "conditions", eligible, (o, task, ct) => CompleteAsync(task, "Submitted", new JsonObject
        {
            ["licensed"] = true, ["threeYears"] = true, ["compliant"] = true, ["surveyCommissioned"] = true,
        }, Participant(o), null, ct), cancellationToken);

        await UntilAsync("2025-08-20T10:00:00", cancellationToken);
        await ParticipantsAsync("20 Aug submissions (5 files each)", "submission",
            [.. eligible.Where(o => !script.IsLastSecond(o) && !script.IsTooLate(o))],
            (o, task, ct) => SubmitAsync(o, task, ct), cancellationToken);

        // The secretariat checks every package received so far; the returned ones are told what is missing.
        await UntilAsync("2025-08-25T10:00:00", cancellationToken);
        await CheckCompletenessAsync("25 Aug completeness checks", first: true, cancellationToken);
        await UntilAsync("2025-09-01T10:00:00", cancellationToken);
        await ParticipantsAsync("1 Sep returned packages again", "submission", [.. script.Returned],
            (o, task, ct) => SubmitAsync(o, task, ct), cancellationToken);

        await UntilAsync("2025-09-10T23:59:59", cancellationToken);
        await ParticipantsAsync("10 Sep 23:59:59 last-second submissions", "submission", [.. script.LastSecond],
            (o, task, ct) => SubmitAsync(o, task, ct), cancellationToken);
        // The others have their task open a second too long: at 00:00:00 the deadline has passed, the task is closed.
        var tooLate = script.TooLate.ToList();
        var tooLateTasks = await OrganizationTasksAsync("submission", tooLate, cancellationToken);
        await UntilAsync("2025-09-11T00:00:00", cancellationToken);
        await StepAsync("11 Sep 00:00:00 too-late submissions refused", tooLate.Count, async () =>
        {
            foreach (var o in tooLate)
            {
                // As the task API does: a task that is no longer open answers 409, saying it expired.
                await using var scope = services.CreateAsyncScope();
                var task = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
                    .FirstAsync(t => t.Id == tooLateTasks[o].Id, cancellationToken);
                if (task.Status != HumanTaskStatus.Expired)
                    throw new BenchFailure($"{o}'s submission task is {task.Status} at {clock.GetUtcNow():O}, not Expired: a submission a second too late would be accepted.");
            }
        });

        await UntilAsync("2025-09-12T10:00:00", cancellationToken);
        await CheckCompletenessAsync("12 Sep completeness checks", first: false, cancellationToken);

        // The national review, by a reviewer.
        await UntilAsync("2025-11-20T10:00:00", cancellationToken);
        var reviews = await RoleTasksAsync("review", cancellationToken);
        await StepAsync("20 Nov national review ratings", reviews.Count, () => ForEachAsync(reviews, (r, ct) =>
            CompleteAsync(r.Task, "Rated", new JsonObject { ["rating"] = script.Rating(r.Organization), ["notes"] = "评审意见" }, Reviewer, null, ct),
            cancellationToken));

        await UntilAsync("2025-12-16T10:00:00", cancellationToken);
        await StepAsync("16 Dec publication: ratings + e-mails", 1, async () =>
        {
            var publication = Single(await OpenTasksAsync("publication", cancellationToken), "publication");
            await CompleteAsync(publication, "Published", [], Secretariat, null, cancellationToken);
        });
        await UntilAsync("2025-12-31T23:00:00", cancellationToken);
    }

    private Actor Participant(string organization) => new($"bench-participant-{organization}", $"参评单位联系人 {organization}");

    private Task ReportHeadcountAsync(string o, TaskRow task, CancellationToken cancellationToken)
    {
        var names = new JsonArray([.. Enumerable.Range(1, 2).Select(i => (JsonNode)new JsonObject { ["name"] = $"学员{i}", ["position"] = "客服经理" })]);
        return CompleteAsync(task, "Submitted", new JsonObject { ["trainees"] = 2, ["names"] = names }, Participant(o), null, cancellationToken);
    }

    private Task SignUpAsync(string o, TaskRow task, CancellationToken cancellationToken) =>
        CompleteAsync(task, "SignedUp", new JsonObject { ["attendees"] = 2, ["feeAccepted"] = true }, Participant(o), null, cancellationToken);

    /// <summary>
    /// The package: the files' rows as an upload stores them (the content stays out of the bench), then the completion
    /// naming them. The form requires every file; the returned organizations' practice report is found wanting at the check.
    /// </summary>
    private async Task SubmitAsync(string o, TaskRow task, CancellationToken cancellationToken)
    {
        var actor = Participant(o);
        var files = new Dictionary<string, FormFile>(StringComparer.Ordinal);
        var data = new JsonObject();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            foreach (var item in SubmissionItems)
            {
                var file = new StoredFileRecord
                {
                    Id = Guid.NewGuid().ToString("N"), TaskId = task.Id, OrganizationId = o, FileName = $"{item}.pdf", ContentType = "application/pdf",
                    Size = 15, Sha256 = "0c1d9d9e0b7ef8e4c7d3c7ab7a0c8b8c2c8f6c3b1f7c0f0b6f3bd2a9e9c4b0e1", StoragePath = $"bench/{task.Id}/{item}.pdf",
                    UploadedByUserId = actor.UserId, UploadedAt = clock.GetUtcNow(),
                };
                db.Files.Add(file);
                files[file.Id] = new FormFile(file.Id, file.FileName, file.ContentType, file.Size);
                data[item] = file.Id;
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        await CompleteAsync(task, "Submitted", data, actor, files, cancellationToken);
    }

    /// <summary>The secretariat's completeness checks: each open one, against what the organization last submitted.</summary>
    private async Task CheckCompletenessAsync(string step, bool first, CancellationToken cancellationToken)
    {
        var checks = await RoleTasksAsync("completeness", cancellationToken);
        await StepAsync(step, checks.Count, async () =>
        {
            Dictionary<string, JsonNode?> submitted;
            await using (var scope = services.CreateAsyncScope())
            {
                var instances = checks.Select(c => c.Task.InstanceId).ToList();
                var rows = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
                    .Where(t => instances.Contains(t.InstanceId) && t.Stage == "submission" && t.Status == HumanTaskStatus.Completed)
                    .Select(t => new { t.InstanceId, t.ClosedAt, t.Data }).ToListAsync(cancellationToken);
                submitted = rows.GroupBy(r => r.InstanceId).ToDictionary(g => g.Key,
                    g => g.OrderBy(r => r.ClosedAt).Last().Data is { } json ? JsonNode.Parse(json) : null, StringComparer.Ordinal);
            }
            await ForEachAsync(checks, (check, ct) =>
            {
                var data = submitted.GetValueOrDefault(check.Task.InstanceId);
                var missing = new JsonArray([.. SubmissionItems.Where(i => data?[i] is null).Select(i => (JsonNode)i)]);
                // As in the simulation: the practice report a returned organization sent first does not meet the notice's requirements.
                if (first && script.IsReturned(check.Organization)) missing.Add("practiceReport");
                return CompleteAsync(check.Task, missing.Count == 0 ? "Complete" : "Returned",
                    new JsonObject { ["missing"] = missing, ["notes"] = check.Organization }, Secretariat, null, ct);
            }, cancellationToken);
        });
    }

    /// <summary>One stage of the participants: finds each one's open task of the stage, then completes them on the workers.</summary>
    private async Task ParticipantsAsync(string step, string stage, IReadOnlyList<string> who,
        Func<string, TaskRow, CancellationToken, Task> act, CancellationToken cancellationToken)
    {
        await StepAsync(step, who.Count, async () =>
        {
            var tasks = await OrganizationTasksAsync(stage, who, cancellationToken);
            await ForEachAsync(who, (o, ct) => act(o, tasks[o], ct), cancellationToken);
        });
    }

    /// <summary>The open task of the stage of each organization given; exactly one each, or the bench stops saying where the organization is.</summary>
    private async Task<Dictionary<string, TaskRow>> OrganizationTasksAsync(string stage, IReadOnlyList<string> who, CancellationToken cancellationToken)
    {
        var open = (await OpenTasksAsync(stage, cancellationToken)).Where(t => t.OrganizationId is not null).ToLookup(t => t.OrganizationId!, StringComparer.Ordinal);
        var tasks = new Dictionary<string, TaskRow>(StringComparer.Ordinal);
        foreach (var o in who)
        {
            if (open[o].Count() != 1)
                throw new BenchFailure($"{o} has {open[o].Count()} open '{stage}' task(s) at {clock.GetUtcNow():O}; its instance: {await DescribeAsync(o, cancellationToken)}");
            tasks[o] = open[o].Single();
        }
        return tasks;
    }

    /// <summary>Open tasks of a stage assigned to a role, each with the organization its instance serves, in organization order.</summary>
    private async Task<List<(TaskRow Task, string Organization)>> RoleTasksAsync(string stage, CancellationToken cancellationToken)
    {
        if (_organizationOfInstance is null)
        {
            await using var scope = services.CreateAsyncScope();
            _organizationOfInstance = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().WorkflowInstances.AsNoTracking()
                .Where(i => i.DefinitionId == ParticipantDefinitionId)
                .ToDictionaryAsync(i => i.Id, i => i.CorrelationId ?? i.Id, StringComparer.Ordinal, cancellationToken);
        }
        return [.. (await OpenTasksAsync(stage, cancellationToken)).Select(t => (t, _organizationOfInstance[t.InstanceId])).OrderBy(t => t.Item2, StringComparer.Ordinal)];
    }

    private async Task<List<TaskRow>> OpenTasksAsync(string stage, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Tasks.AsNoTracking()
            .Where(t => t.Stage == stage && t.Status == HumanTaskStatus.Open)
            .Select(t => new TaskRow(t.Id, t.InstanceId, t.OrganizationId, t.Form)).ToListAsync(cancellationToken);
    }

    private static TaskRow Single(List<TaskRow> tasks, string stage) =>
        tasks.Count == 1 ? tasks[0] : throw new BenchFailure($"{tasks.Count} open '{stage}' tasks, not one.");

    /// <summary>
    /// Completes a task as the task API does: the data must pass the task's form (which normalizes it), then the
    /// workflow gets the stimulus <c>Manyi.UserTask</c> with the outcome, the data and who completed it.
    /// </summary>
    private async Task CompleteAsync(TaskRow task, string outcome, JsonObject data, Actor actor, IReadOnlyDictionary<string, FormFile>? files,
        CancellationToken cancellationToken)
    {
        var validation = FormValidator.Validate(FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)), data,
            files ?? new Dictionary<string, FormFile>());
        if (!validation.IsValid)
            throw new BenchFailure($"Task {task.Id} ({task.OrganizationId ?? task.InstanceId}): the data do not pass the form: " +
                string.Join("; ", validation.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            HumanTask.Completion(task.Id, task.InstanceId, outcome, validation.Values, new TaskActor(actor.UserId, actor.Name)), cancellationToken);
        if (result.Resumed.Count == 0)
            throw new BenchFailure($"Task {task.Id} ({task.OrganizationId ?? task.InstanceId}) was not completed: its workflow no longer waits for it.");
        Interlocked.Increment(ref _tasksCompleted);
    }

    /// <summary>
    /// Moves the clock to <paramref name="local"/> (Beijing time), firing every timer due on the way in due order: the
    /// earliest due instant's timers (in parallel), then the next instant's — looking again each time, since a fired
    /// timer may set new ones.
    /// </summary>
    private async Task UntilAsync(string local, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var before = timings.Snapshot();
        // Instants are stored in UTC; SQLite compares them as stored and PostgreSQL takes only UTC, so the bound is UTC.
        var target = At(local).ToUniversalTime();
        while (true)
        {
            List<BookmarkRecord> due;
            await using (var scope = services.CreateAsyncScope())
                due = await scope.ServiceProvider.GetRequiredService<ManyiDbContext>().Bookmarks.AsNoTracking()
                    .Where(b => b.ResumeAt != null && b.ResumeAt <= target).OrderBy(b => b.ResumeAt).ThenBy(b => b.Id).Take(5_000)
                    .ToListAsync(cancellationToken);
            if (due.Count == 0) break;
            var at = due[0].ResumeAt!.Value;
            var batch = due.TakeWhile(b => b.ResumeAt == at).ToList();
            if (batch.All(b => _fired.Contains(b.Id)))
                throw new BenchFailure($"Timer {batch[0].Id} ({batch[0].Name} of instance {batch[0].InstanceId}, due {at:O}) was fired and is still there.");
            if (at > clock.GetUtcNow()) clock.SetUtcNow(at.ToUniversalTime());
            await ForEachAsync(batch.Where(b => _fired.Add(b.Id)).ToList(), async (b, ct) =>
            {
                await using var fire = services.CreateAsyncScope();
                var result = await fire.ServiceProvider.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
                    new Stimulus(b.Name, b.Key) { BookmarkId = b.Id, WorkflowInstanceId = b.InstanceId }, ct);
                if (result.Resumed.Count > 0) Interlocked.Increment(ref _timersFired);
            }, cancellationToken);
        }
        if (target > clock.GetUtcNow()) clock.SetUtcNow(target);
        _timerTime += started.Elapsed;
        var after = timings.Snapshot();
        _timerCampaignBursts += after.Bursts - before.Bursts;
        _timerCampaignBurstTime += after.BurstTime - before.BurstTime;
    }

    private async Task StepAsync(string step, int count, Func<Task> work)
    {
        var before = timings.Snapshot();
        var started = Stopwatch.StartNew();
        await work();
        var elapsed = started.Elapsed;
        var after = timings.Snapshot();
        Steps.Add(new Step(step, count, elapsed, after.Bursts - before.Bursts, after.BurstTime - before.BurstTime));
    }

    private Task ForEachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken },
            async (item, ct) => await work(item, ct));

    /// <summary>Where an organization's participant instance is, for a failure that explains itself.</summary>
    private async Task<string> DescribeAsync(string organization, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var instance = await db.WorkflowInstances.AsNoTracking()
            .FirstOrDefaultAsync(i => i.DefinitionId == ParticipantDefinitionId && i.CorrelationId == organization, cancellationToken);
        if (instance is null) return "none";
        var journal = await db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == instance.Id).OrderByDescending(j => j.Sequence).Take(12)
            .ToListAsync(cancellationToken);
        return $"{instance.Id} {instance.Status}\n" + string.Join("\n", journal.AsEnumerable().Reverse().Select(j => $"  {j.At:O} {j.ActivityId} {j.Event} {j.Message}"));
    }

    public sealed record Step(string Name, int Count, TimeSpan Elapsed, int CampaignBursts, TimeSpan CampaignBurstTime);

    public sealed record TaskRow(string Id, string InstanceId, string? OrganizationId, string? Form);

    private sealed record Actor(string UserId, string Name);
}

/// <summary>The run went differently from what the script implies; the bench reports it and exits with 1.</summary>
public sealed class BenchFailure(string message) : Exception(message);
