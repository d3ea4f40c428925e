using Manyi.Persistence.Records;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>The authorization policies endpoints and pages name. Organization scoping is checked per record by <see cref="CurrentUser"/>.</summary>
public static class ManyiPolicies
{
    /// <summary>The association's secretariat.</summary>
    public const string Administrator = "Administrator";

    /// <summary>Reviewers and administrators.</summary>
    public const string Reviewer = "Reviewer";

    /// <summary>Anyone signed in, whatever the role; what they see is narrowed by their organizations.</summary>
    public const string SignedIn = "SignedIn";

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization) => authorization
        .AddPolicy(Administrator, policy => policy.RequireRole(ManyiRoles.Administrator))
        .AddPolicy(Reviewer, policy => policy.RequireRole(ManyiRoles.Administrator, ManyiRoles.Reviewer))
        .AddPolicy(SignedIn, policy => policy.RequireAuthenticatedUser());
}
