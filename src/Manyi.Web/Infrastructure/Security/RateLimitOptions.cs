using System.ComponentModel.DataAnnotations;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// The <c>Manyi:RateLimits</c> section: how many sign-ins and e-mail sending requests one client address and one
/// account may make in a window. Counted in each node's memory: behind several nodes a client gets each node's share.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Manyi:RateLimits";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Manyi:RateLimits:Window must be between 1 second and 1 day.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-ins and password resets (a reset code is a password too) from one client address.</summary>
    [Range(1, 1_000_000)]
    public int SignInsPerAddress { get; set; } = 60;

    /// <summary>Sign-ins and password resets for one account, from anywhere: a guesser spread over many addresses.</summary>
    [Range(1, 1_000_000)]
    public int SignInsPerAccount { get; set; } = 10;

    /// <summary>Forgotten-password requests from one client address.</summary>
    [Range(1, 1_000_000)]
    public int PasswordEmailsPerAddress { get; set; } = 10;

    /// <summary>Forgotten-password requests for one address (16 reset e-mails in a row to one user were sent).</summary>
    [Range(1, 1_000_000)]
    public int PasswordEmailsPerAccount { get; set; } = 3;

    /// <summary>E-mails an administrator sends by hand (invitations, new invitations, reminders now) from one account.</summary>
    [Range(1, 1_000_000)]
    public int AdministratorEmailsPerAccount { get; set; } = 200;
}
