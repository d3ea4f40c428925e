using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Users;

/// <summary>
/// Users for administrators: list, inspect, invite, change roles and organizations, unlock, send a new invitation. The
/// rules are <see cref="UserService"/>'s; these handlers answer its outcomes.
/// </summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Users");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Invite).ProducesProblem(StatusCodes.Status409Conflict).RequireAccountLimit(AccountThrottle.Kind.AdministratorEmail);
        group.MapPut("/{id}/roles", ChangeRoles).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id}/organizations", ChangeOrganizations).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/lock", Lock).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/unlock", Unlock).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/invitation", Reinvite).ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAccountLimit(AccountThrottle.Kind.AdministratorEmail);
        return group;
    }

    public static async Task<Results<Ok<Page<UserSummary>>, ValidationProblem, ProblemHttpResult>> List(
        [AsParameters] UserQuery query, UserService users, CancellationToken cancellationToken) =>
        (await users.ListAsync(query, cancellationToken)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> Get(string id, UserService users, CancellationToken cancellationToken) =>
        (await users.GetAsync(id, cancellationToken)).ToOk();

    /// <summary>Creates a user without a password and e-mails the invitation; 409 when the address is taken.</summary>
    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Invite(
        InviteUserRequest request, UserService users, CancellationToken cancellationToken) =>
        (await users.InviteAsync(request, cancellationToken)).To(user => TypedResults.Created($"/api/users/{user.Id}", user));

    /// <summary>Replaces the user's roles; 409 for the last administrator's.</summary>
    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> ChangeRoles(
        string id, ChangeRolesRequest request, UserService users, CancellationToken cancellationToken) =>
        (await users.ChangeRolesAsync(id, request, cancellationToken)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> ChangeOrganizations(
        string id, ChangeOrganizationsRequest request, UserService users, CancellationToken cancellationToken) =>
        (await users.ChangeOrganizationsAsync(id, request, cancellationToken)).ToOk();

    /// <summary>Locks the account until an administrator unlocks it; 409 for one's own.</summary>
    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> Lock(string id, UserService users, CancellationToken cancellationToken) =>
        (await users.LockAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> Unlock(string id, UserService users, CancellationToken cancellationToken) =>
        (await users.UnlockAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Reinvite(string id, UserService users, CancellationToken cancellationToken) =>
        (await users.ReinviteAsync(id, cancellationToken)).To(_ => TypedResults.NoContent());
}

/// <summary>A user in the list; <see cref="HasPassword"/> is false for someone invited who has not yet set a password (待激活).</summary>
public sealed record UserSummary(string Id, string? Email, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Organizations,
    bool IsLockedOut, bool HasPassword, DateTimeOffset CreatedAt);

public sealed record UserResponse(string Id, string? Email, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<UserOrganization> Organizations,
    bool EmailConfirmed, bool HasPassword, bool IsLockedOut, DateTimeOffset? LockoutEnd, int AccessFailedCount, DateTimeOffset CreatedAt);

public sealed record UserOrganization(string Id, string Name);

/// <summary>A user to invite: <c>role</c> is Administrator, Reviewer or Participant; a participant needs at least one organization id.</summary>
public sealed record InviteUserRequest(string? Email, string? DisplayName, string? Role, IReadOnlyList<string>? Organizations);

public sealed record ChangeRolesRequest(IReadOnlyList<string>? Roles);

public sealed record ChangeOrganizationsRequest(IReadOnlyList<string>? Organizations);
