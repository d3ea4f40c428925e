using System.Text.Json.Nodes;
using Manyi.Engine.Forms;
using Manyi.Engine.Runtime;
using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Campaigns;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Demo;

/// <summary>
/// The 2025 demo campaign, so that every page has something to show on a first start: <c>campaigns/2025.json</c>
/// rehearsed from this week (its dates moved on by whole weeks, as <c>POST /api/campaigns?startingNow=true</c> does),
/// the notice published by the demo secretariat, and a few organizations' headcounts already reported. The two demo
/// participants' organizations are left for the person trying Manyi out. Goes through the engine as the API does.
/// </summary>
public sealed class DemoCampaign(ManyiDbContext db, CampaignService campaigns, WorkflowRuntime runtime, UserManager<ManyiUser> users,
    IHostEnvironment environment, IConfiguration configuration, ILogger<DemoCampaign> logger)
{
    public const string SettingsFile = "2025.json";

    /// <summary>How many organizations (other than the demo participants') have reported their headcount already.</summary>
    public const int HeadcountsReported = 12;

    private static readonly string[] LeftForTheVisitor = ["mobile-zhengzhou", "unicom-kaifeng"];

    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        var file = Path.Combine(RepositoryFolders.Resolve(configuration["Manyi:CampaignsDirectory"], "campaigns", environment.ContentRootPath), SettingsFile);
        if (!File.Exists(file))
        {
            logger.LogWarning("Demo campaign: {File} not found; no campaign started.", file);
            return false;
        }
        var body = JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken))!.AsObject();
        var started = await campaigns.StartAsync(body, startingNow: true, cancellationToken);
        if (started.Value is not { } campaign)
        {
            logger.LogWarning("Demo campaign: the 2025 campaign did not start ({Result}).", started.Failure);
            return false;
        }

        var secretariat = await users.Users.AsNoTracking().Where(u => u.Email == "secretariat@example.org").FirstOrDefaultAsync(cancellationToken);
        var actor = secretariat is null ? new TaskActor("demo", "演示数据 Demo data") : new TaskActor(secretariat.Id, secretariat.DisplayName);
        await CompleteAsync(campaign.Id, "notice", "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" }, actor, cancellationToken);

        var headcounts = await db.Tasks.AsNoTracking()
            .Where(t => t.ActivityId == "headcount" && t.Status == HumanTaskStatus.Open && !LeftForTheVisitor.Contains(t.OrganizationId!))
            .OrderBy(t => t.OrganizationId).Take(HeadcountsReported).ToListAsync(cancellationToken);
        var reported = 0;
        foreach (var task in headcounts)
        {
            var trainees = 1 + reported % 3;
            var names = new JsonArray([.. Enumerable.Range(1, trainees).Select(n => (JsonNode)new JsonObject { ["name"] = $"学员{n}", ["position"] = "客户服务" })]);
            if (await CompleteTaskAsync(task, "Submitted", new JsonObject { ["trainees"] = trainees, ["names"] = names }, actor, cancellationToken)) reported++;
        }
        logger.LogInformation("Demo campaign: 2025 rehearsed from this week (instance {InstanceId}); notice published; {Reported} headcounts reported.",
            campaign.Id, reported);
        return true;
    }

    private async Task CompleteAsync(string instanceId, string activityId, string outcome, JsonObject data, TaskActor actor, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.InstanceId == instanceId && t.ActivityId == activityId
            && t.Status == HumanTaskStatus.Open, cancellationToken)
            ?? throw new InvalidOperationException($"The demo campaign has no open '{activityId}' task.");
        if (!await CompleteTaskAsync(task, outcome, data, actor, cancellationToken))
            throw new InvalidOperationException($"The demo campaign's '{activityId}' task could not be completed.");
    }

    /// <summary>Completes a task with data its form accepts, as <c>POST /api/tasks/{id}/complete</c> would.</summary>
    private async Task<bool> CompleteTaskAsync(HumanTaskRecord task, string outcome, JsonObject data, TaskActor actor, CancellationToken cancellationToken)
    {
        var validation = FormValidator.Validate(FormDefinition.Parse(task.Form is null ? null : JsonNode.Parse(task.Form)), data, new Dictionary<string, Manyi.Engine.Forms.FormFile>(), outcome);
        if (!validation.IsValid)
            throw new InvalidOperationException($"The demo data does not fit task {task.Id}'s form: " +
                string.Join(" ", validation.Errors.SelectMany(e => e.Value)));
        var result = await runtime.SendStimulusAsync(HumanTask.Completion(task.Id, task.InstanceId, outcome, validation.Values, actor), cancellationToken);
        return result.Resumed.Count > 0;
    }
}
