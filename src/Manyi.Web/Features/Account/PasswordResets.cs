using Hangfire;
using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Identity;

namespace Manyi.Web.Features.Account;

/// <summary>
/// A forgotten password, for the page and <c>POST /api/auth/forgotPassword</c> alike. The request only enqueues a job
/// with the address, the same write for every address; the job looks the account up, makes the code and puts the e-mail
/// in the outbox. Done in the request, the known addresses' work (a token, a template, an outbox row) made their
/// answers measurably slower than the unknown ones'.
/// </summary>
public sealed class PasswordResets(IBackgroundJobClient jobs)
{
    public void Request(string email) => jobs.Enqueue<PasswordResetJob>(job => job.SendAsync(email.Trim()));
}

/// <summary>The background half of <see cref="PasswordResets"/>: only a confirmed address gets a code, as Identity's own endpoint.</summary>
public sealed class PasswordResetJob(UserManager<ManyiUser> users, AccountEmails emails, ILogger<PasswordResetJob> log)
{
    public async Task SendAsync(string email)
    {
        if (await users.FindByEmailAsync(email) is { } user && await users.IsEmailConfirmedAsync(user))
        {
            var code = PasswordRules.EncodeCode(await users.GeneratePasswordResetTokenAsync(user));
            await emails.SendPasswordResetCodeAsync(user, user.Email!, code);
        }
        else
        {
            log.LogInformation("A password reset was asked for an address with no confirmed account");
        }
    }
}
