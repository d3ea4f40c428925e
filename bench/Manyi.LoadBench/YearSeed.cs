using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Demo;
using Manyi.Web.Features.Organizations;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Manyi.LoadBench;

/// <summary>
/// A campaign year at N organizations, made as the product makes it: the organizations through the spreadsheet
/// import's rules (the 58 of <c>campaigns/2025-organizations.csv</c>, repeated with numbered ids and names), the
/// participants as accounts in the Participant role and members of one organization each, then over HTTP as the
/// administrator: <c>campaigns/2025.json</c> started from this week for all of them, the notice published (which
/// dispatches every organization's instance), and the headcount reported by every organization without a bench
/// participant, so that the year holds the next stage's tasks too. The engine writes every task and instance row.
/// </summary>
public sealed class YearSeed(LoadHost host, HttpClient admin)
{
    public const int Year = 2025;

    /// <summary>Creates the organizations and the participants' accounts; returns each participant's e-mail and organization.</summary>
    public async Task<IReadOnlyList<Participant>> PeopleAsync(int organizations, int participants, string password, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ManyiDbContext>();
        var population = YearPopulation.Read(YearPopulation.Content(services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>())
            ?? throw new InvalidOperationException("campaigns/2025-organizations.csv not found."));
        var rows = Enumerable.Range(0, organizations).Select(i =>
        {
            var model = population.Rows[i % population.Rows.Count];
            var round = (i / population.Rows.Count).ToString("D3", CultureInfo.InvariantCulture);
            return new SheetRow(i + 2, new Dictionary<SheetColumn, string>(model.Cells)
            {
                [SheetColumn.Id] = $"{model[SheetColumn.Id]}-{round}",
                [SheetColumn.Name] = $"{model[SheetColumn.Name]}{round}",
                [SheetColumn.Contact] = "",
                [SheetColumn.Email] = "",
            });
        }).ToList();
        var sheet = DemoData.Sheet(new OrganizationSheet(population.Columns, rows));
        var plan = await OrganizationImport.PlanAsync(db, sheet, cancellationToken);
        if (plan.HasRejections)
            throw new InvalidOperationException("The bench's organizations break the import's rules: " +
                string.Join(" ", plan.Report(dryRun: true, written: false).Items.SelectMany(i => i.Reasons).Take(5)));
        plan.Apply(db, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync(cancellationToken);

        var users = services.GetRequiredService<UserManager<ManyiUser>>();
        var ids = rows.Select(r => r[SheetColumn.Id]).ToList();
        var step = Math.Max(1, organizations / participants);
        var people = new List<Participant>();
        for (var p = 0; p < participants; p++)
        {
            var organization = ids[p * step % ids.Count];
            var email = $"participant{p:D4}@load.example.org";
            var user = new ManyiUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"联系人{p:D4}", CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user, password), email);
            Check(await users.AddToRoleAsync(user, ManyiRoles.Participant), email);
            db.OrganizationMembers.Add(new OrganizationMemberRecord { UserId = user.Id, OrganizationId = organization });
            people.Add(new Participant(email, organization));
        }
        await db.SaveChangesAsync(cancellationToken);
        return people;
    }

    /// <summary>Starts the year for every organization and publishes the notice: the engine dispatches each organization's instance.</summary>
    public async Task StartYearAsync(CancellationToken cancellationToken)
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.File("campaigns"), DemoCampaign.SettingsFile), cancellationToken))!.AsObject();
        settings["organizations"] = "all";
        using (var started = await admin.PostAsJsonAsync("/api/campaigns?startingNow=true", settings, cancellationToken))
            await Expect(started, "start the campaign", cancellationToken);
        var notice = (await OpenTasksAsync("notice", cancellationToken)).Single();
        await CompleteAsync(notice, "Published", new JsonObject { ["documentNumber"] = "豫通行协〔2025〕6号" }, cancellationToken);
    }

    /// <summary>Every organization but the participants' reports its headcount (through the administrator), a few at a time.</summary>
    public async Task<int> ReportHeadcountsAsync(IReadOnlySet<string> keptOpen, CancellationToken cancellationToken)
    {
        var tasks = (await OpenTasksAsync("headcount", cancellationToken)).Where(t => !keptOpen.Contains(t.Organization ?? "")).ToList();
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (task, ct) => await CompleteAsync(task, "Submitted", Headcount(task.Organization!.Length % 3 + 1), ct));
        return tasks.Count;
    }

    /// <summary>A headcount form's data: how many trainees, and each one's name and position.</summary>
    public static JsonObject Headcount(int trainees) => new()
    {
        ["trainees"] = trainees,
        ["names"] = new JsonArray([.. Enumerable.Range(1, trainees).Select(n => (JsonNode)new JsonObject { ["name"] = $"学员{n}", ["position"] = "客户服务" })]),
    };

    private async Task<List<OpenTask>> OpenTasksAsync(string stage, CancellationToken cancellationToken)
    {
        var found = new List<OpenTask>();
        for (var page = 1; ; page++)
        {
            var body = await admin.GetFromJsonAsync<JsonObject>($"/api/tasks?all=true&stage={stage}&pageSize=100&page={page}", cancellationToken)
                ?? throw new InvalidOperationException("No task list.");
            var items = body["items"]!.AsArray();
            found.AddRange(items.Select(t => new OpenTask((string)t!["id"]!, (string?)t["organizationId"])));
            if (items.Count < 100) return found;
        }
    }

    private async Task CompleteAsync(OpenTask task, string outcome, JsonObject data, CancellationToken cancellationToken)
    {
        using var response = await admin.PostAsJsonAsync($"/api/tasks/{task.Id}/complete", new { outcome, data }, cancellationToken);
        await Expect(response, $"complete task {task.Id}", cancellationToken);
    }

    /// <summary>Throws with the answer's status and body unless it succeeded; the caller disposes the response.</summary>
    public static async Task Expect(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded) throw new InvalidOperationException($"Cannot create {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }

    private sealed record OpenTask(string Id, string? Organization);
}

/// <summary>A bench participant: the account's e-mail and the one organization it acts for.</summary>
public sealed record Participant(string Email, string Organization);
