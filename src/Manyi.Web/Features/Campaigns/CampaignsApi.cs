using System.Text.Json.Nodes;
using Manyi.Web.Features.WorkflowInstances;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Campaigns;

/// <summary>
/// A year's campaign (<see cref="CampaignService"/>): list, start, start the next year, the headcount reports and their
/// export. These handlers answer the service's outcomes.
/// </summary>
public static class CampaignsApi
{
    public static RouteGroupBuilder MapCampaignsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/campaigns").WithTags("Campaigns");
        group.MapGet("/", List);
        group.MapPost("/", Start);
        group.MapPost("/{year:int}/next", Next);
        group.MapGet("/{year:int}/headcount", Headcount).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{year:int}/headcount/export", ExportHeadcount).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<CampaignSummary>>> List(CampaignService campaigns, CancellationToken cancellationToken) =>
        TypedResults.Ok(await campaigns.ListAsync(cancellationToken));

    /// <summary>
    /// Starts a year: body <c>{"campaign": {"year", "dates", …}, "organizations": [ids] or "all"}</c>; 409 for a year
    /// already started. With <c>startingNow=true</c> the calendar is moved on by whole weeks so that the notice falls in
    /// this week (a rehearsal of a past year, as in the demo).
    /// </summary>
    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> Start(
        JsonObject body, CampaignService campaigns, CancellationToken cancellationToken, bool startingNow = false) =>
        (await campaigns.StartAsync(body, startingNow, cancellationToken)).ToOk();

    /// <summary>
    /// Starts the year after <paramref name="year"/> from its settings: every date moves on by a year unless the body
    /// gives it (<c>{"dates": {…}, "organizations": …, "campaign": {…overrides}}</c>).
    /// </summary>
    public static async Task<Results<Ok<InstanceResponse>, ValidationProblem, ProblemHttpResult>> Next(
        int year, JsonObject? body, CampaignService campaigns, CancellationToken cancellationToken) =>
        (await campaigns.NextAsync(year, body, cancellationToken)).ToOk();

    /// <summary>The headcount reports as they stand: per organization its status, trainees and names; the totals and the fee.</summary>
    public static async Task<Results<Ok<HeadcountSummary>, ValidationProblem, ProblemHttpResult>> Headcount(
        int year, CampaignService campaigns, CancellationToken cancellationToken) =>
        (await campaigns.HeadcountAsync(year, cancellationToken)).ToOk();

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportHeadcount(
        int year, CampaignService campaigns, CancellationToken cancellationToken) =>
        (await campaigns.ExportHeadcountAsync(year, cancellationToken)).ToFile();
}

public sealed record CampaignSummary(int? Year, string InstanceId, string Status, int Version, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

public sealed record HeadcountSummary(int Year, int Organizations, int Reported, int Overdue, int Trainees, decimal FeePerPerson, decimal TotalFee,
    IReadOnlyList<HeadcountRow> Rows);

public sealed record HeadcountRow(string OrganizationId, string Name, string Status, bool IsOverdue, int Trainees, IReadOnlyList<string> Names,
    DateTimeOffset? ReportedAt);
