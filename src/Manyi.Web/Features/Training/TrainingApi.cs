using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Training;

/// <summary>The year's training seats over HTTP (<c>/api/campaigns/{year}/training</c>): <see cref="TrainingService"/>, as the dashboard's panel uses it.</summary>
public static class TrainingApi
{
    public static IServiceCollection AddManyiTraining(this IServiceCollection services) => services.AddScoped<TrainingService>();

    public static RouteGroupBuilder MapTrainingApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/campaigns/{year:int}/training").WithTags("Training");
        group.MapGet("/", Seats).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/sign-ups/{organizationId}/withdraw", Withdraw).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/sessions/{sessionId}/offer", Offer).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<TrainingSeatsView>, ValidationProblem, ProblemHttpResult>> Seats(int year, TrainingService training,
        CancellationToken cancellationToken) =>
        (await training.SeatsAsync(year, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TrainingSeatsView>, ValidationProblem, ProblemHttpResult>> Withdraw(int year, string organizationId,
        TrainingService training, CancellationToken cancellationToken) =>
        (await training.WithdrawAsync(year, organizationId, cancellationToken)).ToOk();

    public static async Task<Results<Ok<TrainingSeatsView>, ValidationProblem, ProblemHttpResult>> Offer(int year, string sessionId,
        TrainingService training, CancellationToken cancellationToken, string? from = null) =>
        (await training.OfferAsync(year, sessionId, from, cancellationToken)).ToOk();
}
