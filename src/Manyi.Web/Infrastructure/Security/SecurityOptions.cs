namespace Manyi.Web.Infrastructure.Security;

/// <summary>How long a sign-in lasts and how soon a revoked one ends: <c>Manyi:Security</c>, checked at start.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Manyi:Security";

    /// <summary>Everyone's sign-in cookie but an administrator's lasts this many days.</summary>
    public double SignInDays { get; set; } = 14;

    /// <summary>An administrator's sign-in cookie lasts this many hours, renewed while in use: it can change everything.</summary>
    public double AdministratorSignInHours { get; set; } = 8;

    /// <summary>
    /// How many seconds a node trusts a user's security stamp it read, for changes made on another node (a change on this
    /// node takes effect at the next request); 0 reads it at every request.
    /// </summary>
    public double StampCheckSeconds { get; set; } = 5;

    public IEnumerable<string> Problems()
    {
        if (!(SignInDays is > 0 and <= 365))
            yield return $"{Section}:SignInDays 须在 0 到 365 天之间（不含 0），现为 {SignInDays}。must be more than 0 and at most 365 days, not {SignInDays}.";
        if (!(AdministratorSignInHours is > 0 and <= 168))
            yield return $"{Section}:AdministratorSignInHours 须在 0 到 168 小时之间（不含 0），现为 {AdministratorSignInHours}。must be more than 0 and at most 168 hours, not {AdministratorSignInHours}.";
        if (!(StampCheckSeconds is >= 0 and <= 300))
            yield return $"{Section}:StampCheckSeconds 须在 0 到 300 秒之间，现为 {StampCheckSeconds}。must be from 0 to 300 seconds, not {StampCheckSeconds}.";
    }
}
