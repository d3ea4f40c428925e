using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Rehearsals;

/// <summary>
/// <c>/api/rehearsals</c>: run a year in the sandbox (<c>POST</c>, answered when the run is done — a year of 58 organizations
/// takes seconds), reopen a run, list the latest, compare two. Administrators only.
/// </summary>
public static class RehearsalsApi
{
    public static IServiceCollection AddManyiRehearsals(this IServiceCollection services) =>
        services.AddSingleton<RehearsalGate>().AddScoped<RehearsalService>();

    public static RouteGroupBuilder MapRehearsalsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/rehearsals").WithTags("Rehearsals");
        group.MapPost("/", Run);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/compare/{other}", Compare).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<RehearsalResult>, ValidationProblem, ProblemHttpResult>> Run(
        RehearsalRequest? body, RehearsalService rehearsals, CancellationToken cancellationToken) =>
        (await rehearsals.RunAsync(body, cancellationToken)).ToOk();

    public static async Task<Ok<IReadOnlyList<RehearsalListItem>>> List(RehearsalService rehearsals, CancellationToken cancellationToken, int take = 20) =>
        TypedResults.Ok(await rehearsals.ListAsync(take, cancellationToken));

    public static async Task<Results<Ok<RehearsalResult>, ValidationProblem, ProblemHttpResult>> Get(
        string id, RehearsalService rehearsals, CancellationToken cancellationToken) =>
        (await rehearsals.GetAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<RehearsalComparison>, ValidationProblem, ProblemHttpResult>> Compare(
        string id, string other, RehearsalService rehearsals, CancellationToken cancellationToken) =>
        (await rehearsals.CompareAsync(id, other, cancellationToken)).ToOk();
}
