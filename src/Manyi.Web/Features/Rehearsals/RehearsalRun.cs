using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// One run of a year in a new <see cref="RehearsalSandbox"/>: the organizations, chat channels and workflow versions given
/// are copied in, the year is played (<see cref="RehearsalYear"/>) and read back (<see cref="RehearsalReport"/>), and the
/// sandbox is thrown away. It reads nothing of the real database: <see cref="RehearsalService"/> (and the rehearsal
/// benchmark) hand it what it needs.
/// </summary>
public sealed class RehearsalRun(IConfiguration configuration, BusinessCalendar calendar)
{
    /// <summary>How long after the last date of the settings a rehearsal keeps the clock going.</summary>
    private static readonly TimeSpan Overrun = TimeSpan.FromDays(90);

    public async Task<RehearsalReportData> RunAsync(IReadOnlyList<WorkflowDefinitionRecord> definitions, IReadOnlyList<OrganizationRecord> organizations,
        IReadOnlyList<NotificationChannelRecord> channels, JsonObject settings, RehearsalPlan plan, List<RehearsalFinding> findings, CancellationToken cancellationToken)
    {
        var notice = RehearsalSettings.NoticeIssued(settings)!.Value;
        await using var sandbox = await RehearsalSandbox.CreateAsync(configuration, calendar, notice, cancellationToken);
        var used = await SeedAsync(sandbox, definitions, organizations, channels, findings, cancellationToken);
        if (used.Any(d => d.DefinitionId == RehearsalService.CampaignDefinitionId))
            await new RehearsalYear(sandbox, calendar, settings, plan, findings).PlayAsync(plan.Organizations, RehearsalSettings.LastDate(settings) + Overrun, cancellationToken);
        else
            findings.Add(RehearsalFinding.Error("definitions.campaign", "没有可用的年度活动流程（campaign），无法演练。", "There is no usable campaign workflow; nothing can run."));
        await using var scope = sandbox.Services.CreateAsyncScope();
        var report = new RehearsalReport(scope.ServiceProvider.GetRequiredService<ManyiDbContext>(), calendar, plan, [.. RehearsalSettings.Administrators(settings)]);
        findings.AddRange(await report.IncidentsAsync(cancellationToken));
        findings.AddRange(await report.UnsentStepsAsync(cancellationToken));
        return new RehearsalReportData(used, await report.DeadlinesAsync(cancellationToken), await report.MessagesAsync(cancellationToken),
            await report.EndsAsync(cancellationToken));
    }

    /// <summary>
    /// The sandbox's data: the organizations with their contacts and the chat channels as they are, and the workflow versions
    /// imported and published; a version that does not pass the compiler is a finding, and the rest run without it.
    /// </summary>
    public static async Task<IReadOnlyList<RehearsalDefinition>> SeedAsync(RehearsalSandbox sandbox, IReadOnlyList<WorkflowDefinitionRecord> definitions,
        IReadOnlyList<OrganizationRecord> organizations, IReadOnlyList<NotificationChannelRecord> channels, List<RehearsalFinding> findings,
        CancellationToken cancellationToken)
    {
        await using (var scope = sandbox.Services.CreateAsyncScope())
        {
            var target = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
            // Copies, with new keys for the contacts: the records given stay as they were read.
            target.Organizations.AddRange(organizations.Select(o => new OrganizationRecord
            {
                Id = o.Id, Name = o.Name, Operator = o.Operator, City = o.City, Level = o.Level, LastRating = o.LastRating, CreatedAt = o.CreatedAt, UpdatedAt = o.UpdatedAt,
                Contacts = [.. o.Contacts.Select(c => new OrganizationContactRecord { OrganizationId = c.OrganizationId, Name = c.Name, Email = c.Email, Phone = c.Phone })],
            }));
            target.NotificationChannels.AddRange(channels);
            await target.SaveChangesAsync(cancellationToken);
        }
        var used = new List<RehearsalDefinition>();
        // Twice: a workflow used as an activity by another must be published before the other compiles.
        var left = definitions.ToList();
        for (var pass = 0; pass < 2 && left.Count > 0; pass++)
            foreach (var record in left.ToList())
            {
                await using var scope = sandbox.Services.CreateAsyncScope();
                var catalog = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionCatalog>();
                try
                {
                    await catalog.ImportAsync(ElsaJson.Read(record.Json), versionGiven: false, record.SourcePath, cancellationToken);
                    await catalog.PublishAsync(record.DefinitionId, cancellationToken);
                    used.Add(new RehearsalDefinition(record.DefinitionId, record.Name, record.Version, record.Status.ToString()));
                    left.Remove(record);
                }
                catch (WorkflowValidationException ex) when (pass == 1)
                {
                    findings.Add(RehearsalFinding.Error($"definitions.{record.DefinitionId}",
                        $"流程「{record.Name ?? record.DefinitionId}」第 {record.Version} 版有错误，未能演练：{string.Join("；", ex.Problems.Select(p => p.Message))}",
                        $"Workflow '{record.Name ?? record.DefinitionId}' version {record.Version} has errors and could not run: {string.Join("; ", ex.Problems.Select(p => p.Message))}"));
                }
                catch (WorkflowValidationException)
                {
                    // Tried again after the others are published.
                }
            }
        return used;
    }
}
