using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Channels;

/// <summary>The chat robots' endpoints (administrators); the rules are <see cref="NotificationChannelService"/>'s.</summary>
public static class NotificationChannelsApi
{
    public static RouteGroupBuilder MapNotificationChannelsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/notification-channels").WithTags("Notification channels");
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create);
        group.MapPut("/{id:long}", Update).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", Delete).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/test", Test).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<ChannelResponse>>> List(NotificationChannelService channels, CancellationToken cancellationToken) =>
        TypedResults.Ok(await channels.ListAsync(cancellationToken));

    public static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> Get(long id, NotificationChannelService channels,
        CancellationToken cancellationToken) => (await channels.GetAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> Create(ChannelRequest request,
        NotificationChannelService channels, CancellationToken cancellationToken) =>
        (await channels.CreateAsync(request, cancellationToken)).To(c => TypedResults.Created($"/api/notification-channels/{c.Id}", c));

    public static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> Update(long id, ChannelRequest request,
        NotificationChannelService channels, CancellationToken cancellationToken) => (await channels.UpdateAsync(id, request, cancellationToken)).ToOk();

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(long id, NotificationChannelService channels,
        CancellationToken cancellationToken) => (await channels.DeleteAsync(id, cancellationToken)).To(_ => TypedResults.NoContent());

    public static async Task<Results<Ok<ChannelTestResult>, ValidationProblem, ProblemHttpResult>> Test(long id, NotificationChannelService channels,
        CancellationToken cancellationToken) => (await channels.TestAsync(id, cancellationToken)).ToOk();
}
